// What the recorder worker runs, and what it posts back.
import type { ServerMessage } from './protocol.ts';

/** A scenario file, or an apply command line (`kubesim apply` arguments and their working directory). */
export type RunSource =
  | { kind: 'scenario'; path: string; seed?: number }
  | { kind: 'apply'; args: string[]; cwd: string }
  /** A model checker counterexample: its check file and schedule (a check-replay trace origin). */
  | { kind: 'check'; origin: Record<string, unknown> };

export interface WorkerJob {
  source: RunSource;
  /** Paced by the shared controls (live), or as fast as possible (replay, export). */
  paced: boolean;
  controls?: SharedArrayBuffer;
  frameEveryMs?: number;
  /** Silence the scenario's console output. */
  quiet: boolean;
}

export type WorkerReply = { batch: ServerMessage[] } | { done: true };
