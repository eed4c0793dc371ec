// The inspector's message protocol (docs/inspector-protocol.md): what the server (or an exported
// report) tells the page, and what the page asks of the server. Plain JSON; no Node or DOM types,
// so the page's bundle, the server, the recorder worker and the tests share it.

export const PROTOCOL = 'kubesim-inspector/1';

/** A trace record, slimmed for the page (a delivery keeps its message type, not its body). */
export interface SlimRecord {
  n: number;
  t: number;
  kind: string;
  [field: string]: unknown;
}

/** The serialised shape of an XState machine (inspector/machine-graph.ts). */
export interface MachineGraph {
  id: string;
  root: StateGraph;
}

export interface StateGraph {
  /** Full state id, e.g. `pod.Pending.Admitting`. */
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the initial child (compound states). */
  initial?: string;
  children: StateGraph[];
  transitions: TransitionGraph[];
  description?: string;
}

export interface TransitionGraph {
  /** Event type, `after 10000` / `after backoff` for delayed ones, `always` for eventless ones. */
  event: string;
  /** Target state ids; empty for a targetless (internal) transition. */
  targets: string[];
  guard?: string;
  actions: string[];
}

/** A SchedulingDecision (actors/scheduler/explain.ts), as recorded. */
export type Decision = Record<string, any> & { pod: string; time: number; outcome: string; node?: string };

/** Server → page. */
export type ServerMessage =
  | { type: 'hello'; protocol: string; mode: 'live' | 'replay' | 'export'; source: string; seed?: number; epoch: number; controls: boolean }
  | { type: 'machine'; id: string; graph: MachineGraph }
  /** The actor runs this machine (by machine id), and its sub-machines by name (a pod's containers). */
  | { type: 'actor'; id: string; machine: string; parts?: Record<string, string> }
  | { type: 'record'; rec: SlimRecord }
  | { type: 'change'; t: number; rv: number; op: string; object: any }
  | { type: 'decision'; t: number; decision: Decision }
  /** Periodic keyframe: actor snapshots the trace does not carry (containers, controllers, queues). */
  | { type: 'frame'; t: number; n: number; actors: Record<string, unknown> }
  /** A precomputed map (large or synthetic clusters): used instead of objects when present. */
  | { type: 'model'; t: number; model: import('./model.ts').ClusterModel }
  | { type: 'status'; t: number; steps: number; paused: boolean; speed: number; finished: boolean; pending: number; next: Array<{ due: number; kind: string; to: string; type: string; from?: string }> }
  | { type: 'end'; t: number; error?: string };

/** Page → server (POST /command, JSON body). The answer is `{ ok: true }` or `{ ok: false, error }`. */
export type ClientCommand =
  | { op: 'pause' }
  | { op: 'play' }
  /** Deliver `count` (default 1) queue entries, then stay paused. */
  | { op: 'step'; count?: number }
  /** Virtual ms per wall ms; 0 or a negative number means as fast as possible. */
  | { op: 'speed'; speed: number };
