// One execution of a check: a fresh cluster, the check's setup on the default schedule, then a run
// driven choice by choice. A choice point is a state where more than one thing may happen next:
// several channel heads may be delivered (messages are reordered only across channels, each
// channel being FIFO, and only among deliveries due no later than the next timer), the next timer
// may fire once no delivery is due before it, and faults may strike within their budgets.
// Deliveries to actors outside the check's focus are taken eagerly, in queue order.
import { Cluster, createdClusters } from '../cluster/cluster.ts';
import type { ActorLogic, QueuedEntry, Runtime, TraceSink } from '../runtime/index.ts';
import { SYSTEM_MASTERS, type KubeObject } from '../api/types.ts';
import type { ApiRequest, ApiRequestMessage } from '../api/request.ts';
import { Fingerprinter, channelOf } from './fingerprint.ts';
import { StoreReader } from './store.ts';
import type { Hash64 } from './hash.ts';
import type { CheckDefinition, CheckView, Choice, StoreChange, Violation } from './types.ts';

/** The actor that sends environment actions' requests (its replies are dead letters). */
export const CHECKER_ACTOR = 'checker';
/** A choice that takes the default (queue-order) option. */
export const DEFAULT_CHOICE = '.';
const APISERVER = 'kube-apiserver';
const DEFAULT_DELAY_MS = 2_000;
/** Virtual ms of exploration after setup when a check sets no horizon. */
export const DEFAULT_HORIZON_MS = 120_000;
/** Steps one execution may take (forced ones included) before it is reported as a livelock. */
export const MAX_STEPS_PER_EXECUTION = 200_000;

export interface ChoiceOption {
  choice: Choice;
  /** The delivery or timer taken (undefined for faults that are not about one message). */
  entry?: QueuedEntry;
  /** Actors whose state the option touches (POR's dependency relation); '*' = everything. */
  footprint: string[];
}

export interface ExecutionOptions {
  trace?: TraceSink;
  origin?: Record<string, unknown>;
  symmetry?: boolean;
  /** Count (actor type, state, event) triples. */
  coverage?: Map<string, number>;
  /** Skip invariant checks (benchmarks of the bare stepping cost). */
  noInvariants?: boolean;
}

interface Budgets {
  crash: number;
  drop: number;
  duplicate: number;
  delay: number;
  disconnect: number;
  actions: Map<string, number>;
}

export class Execution implements CheckView {
  readonly runtime: Runtime;
  readonly store: StoreReader;
  readonly fp: Fingerprinter;
  /** Choices taken at choice points ('.' = default). */
  readonly schedule: Choice[] = [];
  /** Steps taken after setup, forced ones included. */
  steps = 0;
  lastFaultAt: number | undefined;
  faults = 0;
  violation: Violation | undefined;
  private readonly budgets: Budgets;
  private readonly startTime: number;
  private readonly focus: (id: string) => boolean;
  private readonly acceptedMap = new Map<string, KubeObject>();
  private lastRV = 0;
  private lastChanges: StoreChange[] = [];
  /** The API request delivered in the current step (for StoreChange.request). */
  private stepRequest: { request: ApiRequest; from: string } | undefined;
  private nextRequestId = 1;
  private entries: readonly QueuedEntry[] = [];
  /** Channels held back by a delay fault, until a virtual time. */
  private readonly frozen = new Map<string, number>();

  private constructor(readonly def: CheckDefinition, readonly cluster: Cluster, private readonly opts: ExecutionOptions) {
    this.runtime = cluster.runtime;
    this.store = new StoreReader(cluster.apiServer);
    this.fp = new Fingerprinter(this.runtime, this.store, { symmetry: opts.symmetry, nodes: cluster.nodeNames() });
    const f = def.faults ?? {};
    this.budgets = {
      crash: f.crash?.budget ?? 0, drop: f.drop?.budget ?? 0, duplicate: f.duplicate?.budget ?? 0,
      delay: f.delay?.budget ?? 0, disconnect: f.disconnect?.budget ?? 0,
      actions: new Map((f.actions ?? []).map((a) => [a.name, a.budget])),
    };
    this.startTime = this.runtime.now();
    this.focus = focusPredicate(def.focus);
    this.observeStore();
  }

  /** Boots the check's cluster, swaps controllers, runs setup. */
  static async start(def: CheckDefinition, opts: ExecutionOptions = {}): Promise<Execution> {
    // `controllers` replaces built-in controllers by actor id, under the controller manager's supervisor.
    const cluster = new Cluster({ seed: def.seed ?? 1, nodes: def.nodes ?? 2, trace: opts.trace, origin: opts.origin, controllers: def.controllers, standingHeartbeats: false, sharedInformers: false });
    // The CLI keeps every cluster to close its trace at exit; executions are many and short-lived.
    const created = createdClusters();
    created.splice(created.indexOf(cluster), 1);
    if (def.setup) await def.setup(cluster);
    return new Execution(def, cluster, opts);
  }

  // ---------------------------------------------------------------- the view (CheckView)

  now(): number {
    return this.runtime.now();
  }

  objects(kind: string, namespace?: string): readonly KubeObject[] {
    return this.store.objects(kind, namespace);
  }

  find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.find(kind, namespace, name);
  }

  get accepted(): ReadonlyMap<string, KubeObject> {
    return this.acceptedMap;
  }

  get changes(): readonly StoreChange[] {
    return this.lastChanges;
  }

  /** True when no fault or environment action is left in the budget (ESR: "after the last fault"). */
  faultsExhausted(): boolean {
    const b = this.budgets;
    return b.crash <= 0 && b.drop <= 0 && b.duplicate <= 0 && b.delay <= 0 && b.disconnect <= 0 && [...b.actions.values()].every((n) => n <= 0);
  }

  /** Choice points passed so far. */
  get depth(): number {
    return this.schedule.length;
  }

  // ---------------------------------------------------------------- driving

  /**
   * Takes forced steps until a choice point; returns its options (default first), or [] when the
   * execution is over (nothing pending, depth or horizon reached, or a violation).
   */
  advance(): ChoiceOption[] {
    for (let guard = 0; guard < MAX_STEPS_PER_EXECUTION; guard++) {
      if (this.violation) return [];
      this.entries = this.runtime.pendingEntries();
      if (this.bounded()) return [];
      const opts = this.options(this.entries, false);
      if (opts.length === 0) return [];
      if (opts.length === 1) {
        this.execute(opts[0]);
        continue;
      }
      return opts;
    }
    throw new Error(`checker: more than ${MAX_STEPS_PER_EXECUTION} steps in one execution of ${this.def.name}`);
  }

  /** True once no more choices may be offered (depth or horizon reached). */
  bounded(): boolean {
    if (this.schedule.length >= this.def.depth) return true;
    return this.runtime.now() - this.startTime > (this.def.horizon ?? DEFAULT_HORIZON_MS);
  }

  /** Takes an option at a choice point (by choice string; '.' or an unavailable choice = the default). */
  choose(options: ChoiceOption[], choice: Choice): ChoiceOption {
    const opt = (choice !== DEFAULT_CHOICE && options.find((o) => o.choice === choice)) || options[0];
    this.schedule.push(opt === options[0] && choice === DEFAULT_CHOICE ? DEFAULT_CHOICE : opt.choice);
    this.runtime.input('check-choice', { choice: opt.choice, depth: this.schedule.length });
    this.execute(opt);
    return opt;
  }

  /** The fingerprint of the current state (call at a choice point, after advance()). */
  fingerprint(): Hash64 {
    return this.fp.fingerprint(this.entries);
  }

  /** Runs the rest on the default schedule for the liveness goals (ESR) and checks them. */
  checkLiveness(): Violation | undefined {
    if (this.violation || !this.def.liveness?.length) return this.violation;
    const from = this.lastFaultAt ?? this.startTime;
    const goals = this.def.liveness;
    const deadline = Math.max(...goals.map((g) => from + g.within));
    const pending = () => goals.filter((g) => !reached(g.goal(this)));
    let open = pending();
    let guard = 0;
    while (open.length && !this.violation) {
      const next = this.options(this.runtime.pendingEntries(), true)[0]?.entry;
      if (!next || next.due > deadline) break;
      const store = this.stepEntry(next);
      if (store) open = pending();
      if (++guard > MAX_STEPS_PER_EXECUTION) break;
    }
    if (this.violation) return this.violation;
    for (const g of open) {
      const r = g.goal(this);
      if (reached(r)) continue;
      this.violation = {
        property: g.name, kind: 'liveness', schedule: [...this.schedule], steps: this.steps, time: this.runtime.now(),
        message: `not reached within ${g.within} ms of virtual time after ${this.lastFaultAt === undefined ? 'the start' : 'the last fault'}${typeof r === 'string' ? `: ${r}` : ''}`,
      };
      return this.violation;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- options

  private options(entries: readonly QueuedEntry[], bounded: boolean): ChoiceOption[] {
    let timer: QueuedEntry | undefined;
    for (const e of entries) if (e.kind === 'timer') { timer = e; break; }
    const T = timer ? timer.due : Infinity;
    const heads: QueuedEntry[] = [];
    const seen = new Set<string>();
    const now = this.runtime.now();
    let held = false;
    for (const e of entries) {
      if (e.kind !== 'deliver' || e.due > T) continue;
      const chan = channelOf(e);
      if (seen.has(chan)) continue;
      seen.add(chan);
      if (this.frozen.size && (this.frozen.get(chan) ?? 0) > now) {
        held = true;
        continue;
      }
      if (!this.focus(e.owner)) return [{ choice: `d:${chan}`, entry: e, footprint: [e.owner] }];
      heads.push(e);
    }
    const out: ChoiceOption[] = heads.map((e) => ({ choice: `d:${channelOf(e)}`, entry: e, footprint: [e.owner] }));
    // The next timer may fire once no delivery is due before it; queue order decides the default.
    if (timer && (heads.length === 0 || heads[0].due >= T)) {
      out.push(timerOption(timer));
      out.sort((a, b) => (a.entry!.due - b.entry!.due) || (a.entry!.seq - b.entry!.seq));
    }
    if (out.length === 0 && held) {
      // Only held-back channels are left: the network catches up.
      this.frozen.clear();
      return this.options(entries, bounded);
    }
    if (out.length === 0 || bounded) return out;
    this.faultOptions(heads, out);
    return out;
  }

  private faultOptions(heads: QueuedEntry[], out: ChoiceOption[]): void {
    const f = this.def.faults;
    if (!f) return;
    const b = this.budgets;
    if (f.crash && b.crash > 0) {
      for (const a of f.crash.targets) if (this.runtime.status(a) === 'running') out.push({ choice: `crash:${a}`, footprint: [a] });
    }
    const msgFault = (kind: 'drop' | 'dup' | 'delay', spec: { targets?: string[] } | undefined, left: number) => {
      if (!spec || left <= 0) return;
      const ok = spec.targets ? focusPredicate(spec.targets) : this.focus;
      for (const e of heads) if (ok(e.owner)) out.push({ choice: `${kind}:${channelOf(e)}`, entry: e, footprint: [e.owner] });
    };
    msgFault('drop', f.drop, b.drop);
    msgFault('dup', f.duplicate, b.duplicate);
    msgFault('delay', f.delay, b.delay);
    if (f.disconnect && b.disconnect > 0) {
      for (const a of f.disconnect.targets) for (const w of this.store.watchesOf(a)) out.push({ choice: `disc:${a}:${w}`, footprint: [a, APISERVER] });
    }
    for (const act of f.actions ?? []) {
      if ((b.actions.get(act.name) ?? 0) > 0 && act.request(this)) out.push({ choice: `act:${act.name}`, footprint: [CHECKER_ACTOR] });
    }
  }

  // ---------------------------------------------------------------- effects

  private execute(opt: ChoiceOption): void {
    const c = opt.choice;
    if (c.startsWith('d:') || c === 't') {
      this.stepEntry(opt.entry!);
      return;
    }
    this.faults++;
    this.lastFaultAt = this.runtime.now();
    const [kind, rest] = [c.slice(0, c.indexOf(':')), c.slice(c.indexOf(':') + 1)];
    switch (kind) {
      case 'crash':
        this.budgets.crash--;
        this.cluster.crash(rest, 'model checker');
        this.fp.touchActor(rest);
        break;
      case 'drop':
        this.budgets.drop--;
        this.runtime.dropEntry(opt.entry!.seq);
        break;
      case 'dup':
        this.budgets.duplicate--;
        this.runtime.duplicateEntry(opt.entry!.seq);
        break;
      case 'delay': {
        // The whole channel lags (a watch stream or a connection stays FIFO): a stale read.
        this.budgets.delay--;
        const until = this.runtime.now() + (this.def.faults?.delay?.ms ?? DEFAULT_DELAY_MS);
        this.frozen.set(rest, until);
        this.runtime.input('check-delay', { channel: rest, until });
        break;
      }
      case 'disc': {
        this.budgets.disconnect--;
        const i = rest.lastIndexOf(':');
        const actor = rest.slice(0, i);
        const watchId = rest.slice(i + 1);
        this.runtime.input('watch-disconnect', { actor, watchId });
        this.store.server.removeWatch(actor, watchId);
        this.runtime.send(APISERVER, actor, { type: 'api.watch.closed', watchId });
        this.fp.touchStore();
        break;
      }
      case 'act': {
        this.budgets.actions.set(rest, (this.budgets.actions.get(rest) ?? 0) - 1);
        const act = this.def.faults!.actions!.find((a) => a.name === rest)!;
        const request = act.request(this)!;
        const msg: ApiRequestMessage = { type: 'api.request', id: this.nextRequestId++, user: SYSTEM_MASTERS, request };
        this.runtime.input('check-action', { action: rest });
        this.runtime.send(CHECKER_ACTOR, APISERVER, msg);
        break;
      }
      default:
        throw new Error(`checker: unknown choice ${c}`);
    }
    this.checkInvariants(false);
  }

  /** Delivers or fires one entry; returns true when the store may have changed. */
  private stepEntry(e: QueuedEntry): boolean {
    const cov = this.opts.coverage;
    if (cov) {
      const logic = this.runtime.logicOf(e.owner);
      const state = coverageState(logic);
      const event = e.kind === 'deliver' ? e.env!.message.type : e.message ? e.message.type : `timer:${e.name}`;
      // Controllers share one actor type; their class tells them apart (controller/StatefulSetController).
      const type = this.runtime.typeOf(e.owner) ?? 'actor';
      const actorType = type === 'controller' && logic ? `controller/${logic.constructor.name}` : type;
      const key = `${actorType}\u0000${state}\u0000${event}`;
      cov.set(key, (cov.get(key) ?? 0) + 1);
    }
    const m = e.kind === 'deliver' && e.owner === APISERVER ? e.env!.message : undefined;
    this.stepRequest = m?.type === 'api.request' ? { request: (m as unknown as ApiRequestMessage).request, from: e.env!.from } : undefined;
    try {
      this.runtime.stepEntry(e.seq);
    } catch (err) {
      this.violation = {
        property: 'simulation-runs', kind: 'crash', schedule: [...this.schedule], steps: this.steps, time: this.runtime.now(),
        message: err instanceof Error ? err.message : String(err),
      };
      return false;
    }
    this.steps++;
    this.fp.touchActor(e.owner);
    const store = e.owner === APISERVER && e.kind === 'deliver';
    if (store) this.fp.touchStore();
    this.checkInvariants(store);
    return store;
  }

  private checkInvariants(storeChanged: boolean): void {
    if (this.opts.noInvariants || this.violation) return;
    this.lastChanges = [];
    if (storeChanged) this.observeStore();
    for (const inv of this.def.invariants ?? []) {
      if (!storeChanged && !inv.everyStep) continue;
      const msg = inv.check(this);
      if (msg === undefined) continue;
      this.violation = { property: inv.name, kind: 'invariant', message: msg, schedule: [...this.schedule], steps: this.steps, time: this.runtime.now() };
      return;
    }
  }

  /** Follows the store's log of accepted writes (for "no accepted object lost"). */
  private observeStore(): void {
    const rv = this.store.resourceVersion;
    if (rv === this.lastRV) return;
    const req = this.stepRequest;
    for (const h of this.store.historySince(this.lastRV)) {
      const o = h.object;
      if (h.type === 'ADDED' || h.type === 'MODIFIED' || h.type === 'DELETED') {
        this.lastChanges.push({ type: h.type, resource: h.resource, object: o, old: h.old, request: req?.request, from: req?.from });
      }
      const key = `${h.resource}|${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (h.type === 'DELETED') this.acceptedMap.delete(key);
      else this.acceptedMap.set(key, o);
    }
    this.lastRV = rv;
  }
}

function timerOption(t: QueuedEntry): ChoiceOption {
  return { choice: 't', entry: t, footprint: ['*'] };
}

function reached(r: boolean | string | undefined): boolean {
  return r === true || r === undefined;
}

/** Ids or prefixes ending in '/'; undefined = everyone. */
export function focusPredicate(focus: string[] | undefined): (id: string) => boolean {
  if (!focus) return () => true;
  const exact = new Set(focus.filter((f) => !f.endsWith('/')));
  const prefixes = focus.filter((f) => f.endsWith('/'));
  return (id) => exact.has(id) || prefixes.some((p) => id.startsWith(p));
}

/**
 * The state a coverage row names for an actor: its `stateValue()` (a string, or for a controller
 * with one machine per object, such as the StatefulSet controller, the distinct machine states
 * joined by `|`), else, for an actor with a `machine()` (a statechart the inspector draws), the
 * machine states its snapshot shows (`{ rollouts: { key: { state } } }`, as the Deployment
 * controller's), else '-'.
 */
export function coverageState(logic: ActorLogic | undefined): string {
  const v = logic?.stateValue?.();
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const states = Object.values(v as Record<string, unknown>);
    if (states.length === 0) return '-';
    if (states.every((x) => typeof x === 'string')) return [...new Set(states as string[])].sort().join('|');
    return JSON.stringify(v);
  }
  if (v !== undefined && v !== null) return String(v);
  // Only actors that declare a statechart (machine(), for the inspector): snapshots can be large.
  if (typeof (logic as { machine?: unknown } | undefined)?.machine !== 'function') return '-';
  const snap = logic!.snapshot?.() as Record<string, unknown> | undefined;
  if (snap && typeof snap === 'object') {
    const states = new Set<string>();
    for (const field of Object.values(snap)) {
      if (!field || typeof field !== 'object' || Array.isArray(field)) continue;
      for (const m of Object.values(field as Record<string, unknown>)) {
        const st = (m as { state?: unknown } | null)?.state;
        if (typeof st === 'string') states.add(st);
      }
    }
    if (states.size) return [...states].sort().join('|');
  }
  return '-';
}
