// XState's macrostep (SCXML's event processing) for the machines a MachineRunner runs, with the
// structure of each step worked out once. XState computes, on every transition, which states to
// exit and enter, in which order, and the resulting state value, with new Sets, Maps and sorted
// arrays each time: ≈13 KB and ≈8 µs a transition of a container machine, a third of all that a
// 30,000-pod bring-up allocated. Those depend only on the configuration (the active state nodes,
// in the snapshot's order) and the transitions taken, of which a machine has a few dozen pairs: a
// compiled machine keeps each pair's exit list, entry list and next configuration (with its state
// value and tags), and a transition evaluates only the guards and actions, as XState does, in
// the same order, with the same arguments. The snapshot it makes is XState's own (same keys in the
// same order, the same shared functions); configurations share their state value and tags.
//
// It covers what statecharts with compound, parallel and final states, `on`, `always` and `after`
// transitions and assign/emit/raise/cancel actions use; a machine using anything more (history
// states, invoked or spawned actors, wildcard events, `stateIn` guards, outputs, final states in
// parallel regions, other built-in actions) keeps XState's transition (compileMachine answers
// undefined), and so do XState's own events (init, stop, errors of children).
import { and, not, or } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';

// XState's state node and transition definition, as far as read here.
interface StateNode {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  order: number;
  parent?: StateNode;
  states: Record<string, StateNode>;
  entry: Action[];
  exit: Action[];
  invoke: unknown[];
  tags: string[];
  output?: unknown;
  initial: Transition;
  always?: Transition[];
  transitions: Map<string, Transition[]>;
}

interface Transition {
  source: StateNode;
  target?: readonly StateNode[];
  actions: Action[];
  guard?: unknown;
  reenter?: boolean;
}

type Action = string | ((...args: any[]) => unknown) | { type: string; params?: unknown };

/** The actor scope XState's actions are given (a MachineRunner). */
interface Scope {
  self: unknown;
  system: unknown;
  actionExecutor: (action: { type: string; info: unknown; params: unknown; exec: unknown }) => void;
}

/** The active state nodes of a snapshot, in its order, and what follows from them. */
interface Configuration {
  nodes: StateNode[];
  set: Set<StateNode>;
  /** The atomic (and final) ones, in order: where eventless transitions are looked for. */
  atomic: StateNode[];
  /** Whether any active node has eventless transitions. */
  eventless: boolean;
  value: unknown;
  tags: Set<string>;
  /** Steps from here, by the transitions taken (one transition, or their ids joined). */
  steps: Map<unknown, Step>;
  /** Enabled transitions (their ids joined) without those in conflict, as taken from here. */
  conflicts: Map<string, Transition[]>;
}

/** One microstep's structure: what is exited and entered, and the configuration after it. */
interface Step {
  transitions: Transition[];
  /** Exited, in reverse document order. */
  exit: StateNode[];
  /** Entered, in document order; `defaultEntry` of them also run their initial transition's actions. */
  entry: StateNode[];
  defaultEntry: Set<StateNode>;
  /** The configuration after the step (one entering a top-level final state ends in `done`). */
  next: Configuration;
  /** The configuration once done (its nodes in reverse document order, as XState leaves them). */
  done?: Configuration;
  /** Whether the set of active nodes changed (XState makes a new snapshot then). */
  changed: boolean;
}

const BUILTIN_ACTIONS = new Set(['xstate.assign', 'xstate.emit', 'xstate.raise', 'xstate.cancel']);
const GUARD_CHECKS = new Set<unknown>([(and([]) as any).check, (or([]) as any).check, (not(() => true) as any).check]);

/** A machine's compiled structure: configurations by their nodes, transition ids. */
export class CompiledMachine {
  private readonly byNodes = new WeakMap<readonly StateNode[], Configuration>();
  private readonly byKey = new Map<string, Configuration>();
  private readonly transitionIds = new Map<Transition, number>();
  private readonly actions: Record<string, any>;
  private readonly guards: Record<string, any>;
  /** The machine's root state node. */
  readonly root: StateNode;

  constructor(private readonly machine: AnyStateMachine) {
    this.root = machine.root as unknown as StateNode;
    this.actions = (machine as any).implementations.actions;
    this.guards = (machine as any).implementations.guards;
  }

  /**
   * XState's `machine.transition(snapshot, event, scope)` for an event of the machine's own (or a
   * delayed or done-state event); undefined for XState's other events, which XState handles.
   */
  transition(snapshot: AnyMachineSnapshot, event: EventObject, scope: Scope): AnyMachineSnapshot | undefined {
    const type = event.type;
    if (type.startsWith('xstate.') && !type.startsWith('xstate.after.') && !type.startsWith('xstate.done.state.')) return undefined;
    if (snapshot.status !== 'active') return undefined;
    const run = new Macrostep(this, snapshot, scope);
    return run.process(event);
  }

  /**
   * The configuration of a snapshot's nodes (made the first time those nodes, in that order, are
   * seen); every snapshot the compiled machine makes carries the configuration's own list.
   */
  configurationOf(nodes: readonly StateNode[]): Configuration {
    const known = this.byNodes.get(nodes);
    if (known) return known;
    let key = '';
    for (let i = 0; i < nodes.length; i++) key += (i ? '\u0000' : '') + nodes[i].id;
    let config = this.byKey.get(key);
    if (!config) {
      const list = nodes.slice();
      config = {
        nodes: list, set: new Set(list), atomic: list.filter(isAtomic), eventless: list.some((n) => n.always !== undefined),
        value: stateValue(this.root, list), tags: new Set(list.flatMap((n) => n.tags)), steps: new Map(), conflicts: new Map(),
      };
      this.byKey.set(key, config);
      this.byNodes.set(list, config);
    }
    // A snapshot's own list (one XState restored, say) is not kept: the snapshots made from here
    // on carry the configuration's list.
    return config;
  }

  /** The step taking `transitions` (conflicts removed) from `config`. */
  stepOf(config: Configuration, transitions: Transition[]): Step {
    const key = transitions.length === 1 ? transitions[0] : transitions.map((t) => this.idOf(t)).join(',');
    let step = config.steps.get(key);
    if (!step) config.steps.set(key, (step = this.makeStep(config, transitions)));
    return step;
  }

  /** removeConflictingTransitions, once per configuration and set of enabled transitions. */
  withoutConflicts(config: Configuration, enabled: Transition[]): Transition[] {
    if (enabled.length <= 1) return enabled;
    const key = enabled.map((t) => this.idOf(t)).join(',');
    let kept = config.conflicts.get(key);
    if (!kept) config.conflicts.set(key, (kept = removeConflictingTransitions(enabled, config.set)));
    return kept;
  }

  action(name: string): any {
    return this.actions[name];
  }

  guard(name: string): any {
    return this.guards[name];
  }

  private idOf(t: Transition): number {
    let id = this.transitionIds.get(t);
    if (id === undefined) this.transitionIds.set(t, (id = this.transitionIds.size));
    return id;
  }

  private makeStep(config: Configuration, transitions: Transition[]): Step {
    const exit = computeExitSet(transitions, config.set).sort((a, b) => b.order - a.order);
    const entered = new Set<StateNode>();
    const defaultEntry = new Set<StateNode>();
    computeEntrySet(transitions, defaultEntry, entered);
    const entry = [...entered].sort((a, b) => a.order - b.order);
    // The active set as XState's microstep changes it: exited nodes deleted, entered ones added.
    const set = new Set(config.nodes);
    for (const s of exit) set.delete(s);
    for (const s of entry) set.add(s);
    const changed = !sameNodes(config.nodes, set);
    const next = changed ? this.configurationOf([...set]) : config;
    const done = entry.some((s) => s.type === 'final' && s.parent?.parent === undefined)
      ? this.configurationOf([...set].sort((a, b) => b.order - a.order))
      : undefined;
    return { transitions, exit, entry, defaultEntry, next, done, changed };
  }
}

/** One macrostep of a compiled machine: the context and configuration as they change. */
class Macrostep {
  private context: any;
  private config: Configuration;
  private status: 'active' | 'done' = 'active';
  /** Whether the last microstep made a new snapshot in XState (an assign, new nodes, done). */
  private changed = false;
  private everChanged = false;
  private readonly internalQueue: EventObject[] = [];

  constructor(private readonly compiled: CompiledMachine, private readonly snapshot: AnyMachineSnapshot, private readonly scope: Scope) {
    this.context = snapshot.context;
    this.config = compiled.configurationOf((snapshot as any)._nodes);
  }

  process(event: EventObject): AnyMachineSnapshot {
    let nextEvent = event;
    this.microstep(this.select(event), event);
    let selectEventless = true;
    while (this.status === 'active') {
      let enabled: Transition[] = selectEventless ? this.selectEventless(nextEvent) : NO_TRANSITIONS;
      const fromEventless: boolean = enabled.length > 0;
      if (!fromEventless) {
        if (this.internalQueue.length === 0) break;
        nextEvent = this.internalQueue.shift()!;
        enabled = this.select(nextEvent);
      }
      this.microstep(enabled, nextEvent);
      selectEventless = !fromEventless || this.changed;
    }
    return this.everChanged ? this.result() : this.snapshot;
  }

  private result(): AnyMachineSnapshot {
    const s = this.snapshot as any;
    const c = this.config;
    return {
      status: this.status, output: s.output, error: s.error, machine: s.machine, context: this.context, _nodes: c.nodes, value: c.value,
      tags: c.tags, children: s.children, historyValue: s.historyValue, matches: s.matches, hasTag: s.hasTag, can: s.can,
      getMeta: s.getMeta, toJSON: s.toJSON,
    } as unknown as AnyMachineSnapshot;
  }

  // ---------------------------------------------------------------- selection

  /** XState's transitionNode from the root over the state value: the innermost enabled transition of each region. */
  private select(event: EventObject): Transition[] {
    const found: Transition[] = [];
    this.walk(this.compiled.root, this.config.value, event, found);
    return found.length <= 1 ? found : this.compiled.withoutConflicts(this.config, found);
  }

  private walk(node: StateNode, value: unknown, event: EventObject, out: Transition[]): boolean {
    if (typeof value === 'string') {
      const t = this.next(node.states[value], event) ?? this.next(node, event);
      if (t) out.push(t);
      return t !== undefined;
    }
    const keys = Object.keys(value as object);
    if (keys.length === 1) {
      if (this.walk(node.states[keys[0]], (value as any)[keys[0]], event, out)) return true;
    } else {
      let any = false;
      for (const k of keys) {
        const sub = (value as any)[k];
        if (sub && this.walk(node.states[k], sub, event, out)) any = true;
      }
      if (any) return true;
    }
    const t = this.next(node, event);
    if (t) out.push(t);
    return t !== undefined;
  }

  /** StateNode.next: the first candidate for the event whose guard passes. */
  private next(node: StateNode, event: EventObject): Transition | undefined {
    const candidates = node.transitions.get(event.type);
    if (!candidates) return undefined;
    for (const t of candidates) {
      if (t.guard === undefined) return t;
      let passed: boolean;
      try {
        passed = this.evaluate(t.guard, event);
      } catch (err) {
        const g = t.guard as any;
        const name = typeof g === 'string' ? g : typeof g === 'object' ? g.type : undefined;
        throw new Error(`Unable to evaluate guard ${name ? `'${name}' ` : ''}in transition for event '${event.type}' in state node '${node.id}':\n${(err as Error).message}`);
      }
      if (passed) return t;
    }
    return undefined;
  }

  /** selectEventlessTransitions: per atomic node, the first enabled `always` transition of it or its ancestors. */
  private selectEventless(event: EventObject): Transition[] {
    const config = this.config;
    if (!config.eventless) return NO_TRANSITIONS;
    let enabled: Transition[] | undefined;
    for (const atomic of config.atomic) {
      let found: Transition | undefined;
      for (let s: StateNode | undefined = atomic; s && !found; s = s.parent) {
        const always = s.always;
        if (!always) continue;
        for (const t of always) {
          if (t.guard === undefined || this.evaluate(t.guard, event)) {
            found = t;
            break;
          }
        }
      }
      if (found && !enabled?.includes(found)) (enabled ??= []).push(found);
    }
    if (!enabled) return NO_TRANSITIONS;
    return this.compiled.withoutConflicts(config, enabled);
  }

  /** XState's evaluateGuard, with the context as it is now. */
  private evaluate(guard: any, event: EventObject): boolean {
    const isInline = typeof guard === 'function';
    const resolved = isInline ? guard : this.compiled.guard(typeof guard === 'string' ? guard : guard.type);
    // A guard the machine names but does not define: XState's own error, word for word.
    if (!isInline && !resolved) throw new Error(`Guard '${typeof guard === 'string' ? guard : guard.type}' is not implemented.'.`);
    if (typeof resolved !== 'function') return this.evaluate(resolved, event);
    const context = this.context;
    const args = { context, event };
    const params = isInline || typeof guard === 'string' ? undefined : 'params' in guard ? (typeof guard.params === 'function' ? guard.params(args) : guard.params) : undefined;
    if (!('check' in resolved)) return resolved(args, params);
    // and/or/not: their sub-guards read the machine from the snapshot (and the context given).
    return resolved.check(this.snapshot, args, resolved);
  }

  // ---------------------------------------------------------------- microstep

  private microstep(transitions: Transition[], event: EventObject): void {
    this.changed = false;
    if (transitions.length === 0) return;
    const step = this.compiled.stepOf(this.config, transitions);
    for (const s of step.exit) this.run(s.exit, event);
    for (const t of step.transitions) this.run(t.actions, event);
    let done = false;
    for (const s of step.entry) {
      this.run(s.entry, event);
      if (step.defaultEntry.has(s)) this.run(s.initial.actions, event);
      if (s.type !== 'final') continue;
      // A final state: its parent is done (an event for the machine to take), or, at the top, the machine is.
      this.internalQueue.push({ type: `xstate.done.state.${s.parent!.id}`, output: undefined } as EventObject);
      if (s.parent!.parent === undefined) done = true;
    }
    if (done) {
      this.status = 'done';
      // The exit actions of every state, once done, in reverse document order (XState's microstep);
      // a final state re-entered leaves the nodes as they were.
      for (const s of step.done!.nodes) this.run(s.exit, event);
      if (step.changed) this.config = step.done!;
      this.changed = true;
    } else if (step.changed) {
      this.config = step.next;
      this.changed = true;
    }
    if (this.changed) this.everChanged = true;
  }

  /** resolveAndExecuteActionsWithContext for a list of actions, with the context as it changes. */
  private run(actions: readonly Action[], event: EventObject): void {
    for (const action of actions) {
      const isInline = typeof action === 'function';
      const resolved = isInline ? action : this.compiled.action(typeof action === 'string' ? action : action.type);
      const scope = this.scope;
      const info = { context: this.context, event, self: scope.self, system: scope.system };
      const params = isInline || typeof action === 'string' ? undefined
        : 'params' in action ? (typeof action.params === 'function' ? action.params({ context: this.context, event }) : action.params) : undefined;
      if (!resolved || !('resolve' in resolved)) {
        scope.actionExecutor({
          type: typeof action === 'string' ? action : typeof action === 'object' ? action.type : action.name || '(anonymous)',
          info, params, exec: resolved,
        });
        continue;
      }
      if (resolved.type === 'xstate.assign') {
        this.assign(resolved.assignment, info, params);
        continue;
      }
      // emit, raise, cancel: they read the context from `info` and the machine from the snapshot.
      const [, resolvedParams] = resolved.resolve(scope, this.snapshot, info, params, resolved, { internalQueue: this.internalQueue, deferredActorIds: undefined });
      if ('execute' in resolved) {
        scope.actionExecutor({ type: resolved.type, info, params: resolvedParams, exec: resolved.execute.bind(null, scope, resolvedParams) });
      }
    }
  }

  /** resolveAssign: a new context with the assignment's update. */
  private assign(assignment: any, info: { event: EventObject; self: unknown; system: unknown }, params: unknown): void {
    if (!this.context) throw new Error('Cannot assign to undefined `context`. Ensure that `context` is defined in the machine config.');
    const args = { context: this.context, event: info.event, spawn: noSpawn, self: info.self, system: info.system };
    let update: Record<string, unknown> = {};
    if (typeof assignment === 'function') update = assignment(args, params);
    else {
      for (const key of Object.keys(assignment)) {
        const a = assignment[key];
        update[key] = typeof a === 'function' ? a(args, params) : a;
      }
    }
    this.context = Object.assign({}, this.context, update);
    this.changed = true;
    this.everChanged = true;
  }
}

const NO_TRANSITIONS: Transition[] = [];

function noSpawn(): never {
  throw new Error('a machine run by a MachineRunner spawns no actors');
}

const compiledMachines = new WeakMap<AnyStateMachine, CompiledMachine | null>();

/** The compiled form of a machine, or undefined when it uses what the compiled macrostep does not cover. */
export function compileMachine(machine: AnyStateMachine): CompiledMachine | undefined {
  let c = compiledMachines.get(machine);
  if (c === undefined) compiledMachines.set(machine, (c = supported(machine) ? new CompiledMachine(machine) : null));
  return c ?? undefined;
}

/** Whether every state node, transition, guard and action is one the compiled macrostep covers. */
function supported(machine: AnyStateMachine): boolean {
  const m = machine as any;
  const max = m.options?.maxIterations;
  if ((max !== undefined && max !== Infinity) || m.root.output !== undefined) return false;
  const actions = m.implementations.actions as Record<string, any>;
  const guards = m.implementations.guards as Record<string, any>;
  const actionOk = (a: Action): boolean => {
    const resolved = typeof a === 'function' ? a : actions[typeof a === 'string' ? a : a.type];
    if (!resolved || !('resolve' in resolved)) return true;
    return BUILTIN_ACTIONS.has(resolved.type);
  };
  const guardOk = (g: any): boolean => {
    if (g === undefined) return true;
    const resolved = typeof g === 'function' ? g : guards[typeof g === 'string' ? g : g.type];
    if (!resolved) return true; // XState throws the same error either way
    if (typeof resolved !== 'function') return guardOk(resolved);
    if (!('check' in resolved)) return true;
    return GUARD_CHECKS.has(resolved.check) && (resolved.guards as unknown[]).every(guardOk);
  };
  const transitionOk = (t: Transition): boolean => guardOk(t.guard) && t.actions.every(actionOk) && (t.target ?? []).every((s) => s.type !== 'history');
  const visit = (n: StateNode, inParallel: boolean): boolean => {
    if (n.type === 'history' || n.invoke.length > 0 || n.output !== undefined) return false;
    if (n.type === 'final' && inParallel) return false;
    if (!n.entry.every(actionOk) || !n.exit.every(actionOk)) return false;
    for (const [descriptor, ts] of n.transitions) {
      if (descriptor.includes('*') || !ts.every(transitionOk)) return false;
    }
    if (n.always && !n.always.every(transitionOk)) return false;
    if ((n.type === 'compound') && !transitionOk(n.initial)) return false;
    return Object.values(n.states).every((c) => visit(c, inParallel || n.type === 'parallel'));
  };
  return visit(m.root, false);
}

// ---------------------------------------------------------------- XState's structure functions (no history states)

function isAtomic(n: StateNode): boolean {
  return n.type === 'atomic' || n.type === 'final';
}

function isDescendant(child: StateNode, parent: StateNode): boolean {
  let marker = child;
  while (marker.parent && marker.parent !== parent) marker = marker.parent;
  return marker.parent === parent;
}

function properAncestors(node: StateNode, to: StateNode | undefined): StateNode[] {
  const out: StateNode[] = [];
  if (to === node) return out;
  for (let m = node.parent; m && m !== to; m = m.parent) out.push(m);
  return out;
}

function children(node: StateNode): StateNode[] {
  return Object.values(node.states).filter((s) => s.type !== 'history');
}

function transitionDomain(t: Transition): StateNode | undefined {
  const targets = t.target ? [...new Set(t.target)] : [];
  if (!t.reenter && targets.every((s) => s === t.source || isDescendant(s, t.source))) return t.source;
  const all = targets.concat(t.source);
  const [head, ...tail] = all;
  for (const anc of properAncestors(head, undefined)) if (tail.every((s) => isDescendant(s, anc))) return anc;
  if (t.reenter) return undefined;
  let root = t.source;
  while (root.parent) root = root.parent;
  return root;
}

function computeExitSet(transitions: Transition[], active: Set<StateNode>): StateNode[] {
  const out = new Set<StateNode>();
  for (const t of transitions) {
    if (!t.target?.length) continue;
    const domain = transitionDomain(t);
    if (t.reenter && t.source === domain) out.add(domain!);
    for (const s of active) if (isDescendant(s, domain!)) out.add(s);
  }
  return [...out];
}

function computeEntrySet(transitions: Transition[], defaultEntry: Set<StateNode>, toEnter: Set<StateNode>): void {
  for (const t of transitions) {
    const domain = transitionDomain(t);
    for (const s of t.target ?? []) {
      if (t.source !== s || t.source !== domain || t.reenter) {
        toEnter.add(s);
        defaultEntry.add(s);
      }
      addDescendants(s, defaultEntry, toEnter);
    }
    for (const s of t.target ? [...new Set(t.target)] : []) {
      const ancestors = properAncestors(s, domain);
      if (domain?.type === 'parallel') ancestors.push(domain);
      addAncestors(toEnter, defaultEntry, ancestors, !t.source.parent && t.reenter ? undefined : domain);
    }
  }
}

function addDescendants(node: StateNode, defaultEntry: Set<StateNode>, toEnter: Set<StateNode>): void {
  if (node.type === 'compound') {
    const [initial] = node.initial.target!;
    toEnter.add(initial);
    defaultEntry.add(initial);
    addDescendants(initial, defaultEntry, toEnter);
    addAncestors(toEnter, defaultEntry, properAncestors(initial, node), undefined);
  } else if (node.type === 'parallel') {
    for (const child of children(node)) {
      if ([...toEnter].some((s) => isDescendant(s, child))) continue;
      toEnter.add(child);
      defaultEntry.add(child);
      addDescendants(child, defaultEntry, toEnter);
    }
  }
}

function addAncestors(toEnter: Set<StateNode>, defaultEntry: Set<StateNode>, ancestors: StateNode[], reentrancyDomain: StateNode | undefined): void {
  for (const anc of ancestors) {
    if (!reentrancyDomain || isDescendant(anc, reentrancyDomain)) toEnter.add(anc);
    if (anc.type !== 'parallel') continue;
    for (const child of children(anc)) {
      if ([...toEnter].some((s) => isDescendant(s, child))) continue;
      toEnter.add(child);
      addDescendants(child, defaultEntry, toEnter);
    }
  }
}

function hasIntersection(a: StateNode[], b: StateNode[]): boolean {
  const set = new Set(b);
  return a.some((x) => set.has(x));
}

function removeConflictingTransitions(enabled: Transition[], active: Set<StateNode>): Transition[] {
  const filtered = new Set<Transition>();
  for (const t1 of enabled) {
    let preempted = false;
    const remove = new Set<Transition>();
    for (const t2 of filtered) {
      if (hasIntersection(computeExitSet([t1], active), computeExitSet([t2], active))) {
        if (isDescendant(t1.source, t2.source)) remove.add(t2);
        else {
          preempted = true;
          break;
        }
      }
    }
    if (preempted) continue;
    for (const t3 of remove) filtered.delete(t3);
    filtered.add(t1);
  }
  return [...filtered];
}

function sameNodes(before: readonly StateNode[], after: Set<StateNode>): boolean {
  if (before.length !== after.size) return false;
  for (const n of before) if (!after.has(n)) return false;
  return true;
}

/** getStateValue for a whole configuration: the value object from the root, children in the nodes' order. */
function stateValue(root: StateNode, nodes: readonly StateNode[]): unknown {
  const adj = new Map<StateNode, StateNode[]>();
  for (const s of nodes) {
    if (!adj.has(s)) adj.set(s, []);
    if (s.parent) {
      if (!adj.has(s.parent)) adj.set(s.parent, []);
      adj.get(s.parent)!.push(s);
    }
  }
  const valueOf = (base: StateNode): unknown => {
    const kids = adj.get(base);
    if (!kids) return {};
    if (base.type === 'compound') {
      const child = kids[0];
      if (!child) return {};
      if (isAtomic(child)) return child.key;
    }
    const v: Record<string, unknown> = {};
    for (const c of kids) v[c.key] = valueOf(c);
    return v;
  };
  return valueOf(root);
}
