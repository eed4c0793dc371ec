// Serialises an XState 5 machine definition (its StateNode tree) into the protocol's MachineGraph:
// states, nested states, initial states, transitions with their events, guards and actions,
// delayed (`after`) and eventless (`always`) transitions. Reads the definition only.
import type { MachineGraph, StateGraph, TransitionGraph } from './protocol.ts';

function nameOf(x: unknown): string | undefined {
  if (x === undefined || x === null) return undefined;
  if (typeof x === 'string') return x;
  if (typeof x === 'function') return (x as { name?: string }).name || 'inline';
  if (typeof x === 'object') {
    const o = x as { type?: unknown; name?: unknown };
    if (typeof o.type === 'string') return o.type;
    if (typeof o.name === 'string') return o.name;
  }
  return 'inline';
}

function transition(event: string, t: any): TransitionGraph {
  const out: TransitionGraph = {
    event,
    targets: (t.target ?? []).map((s: any) => s.id as string),
    actions: (t.actions ?? []).map((a: unknown) => nameOf(a) ?? 'inline'),
  };
  const guard = nameOf(t.guard);
  if (guard) out.guard = guard;
  return out;
}

function stateGraph(node: any): StateGraph {
  const transitions: TransitionGraph[] = [];
  const delayed = new Set<string>();
  for (const t of node.after ?? []) {
    delayed.add(t.eventType);
    transitions.push(transition(`after ${typeof t.delay === 'number' ? `${t.delay}ms` : String(t.delay)}`, t));
  }
  for (const [event, list] of node.transitions ?? new Map()) {
    if (delayed.has(event)) continue;
    for (const t of list) transitions.push(transition(event, t));
  }
  for (const t of node.always ?? []) transitions.push(transition('always', t));
  const g: StateGraph = {
    id: node.id, key: node.key, type: node.type,
    children: Object.values(node.states ?? {}).map((s) => stateGraph(s)),
    transitions,
  };
  const initial = node.initial?.target?.[0]?.id;
  if (initial) g.initial = initial;
  if (node.description) g.description = node.description;
  return g;
}

/** The graph of an XState machine (`createMachine`/`setup().createMachine` result). */
export function machineGraph(machine: any): MachineGraph {
  return { id: machine.id ?? machine.root?.id, root: stateGraph(machine.root) };
}

/** True when `x` looks like an XState machine definition. */
export function isMachine(x: unknown): boolean {
  return typeof x === 'object' && x !== null && 'root' in x && 'id' in x && typeof (x as any).transition === 'function';
}
