// The model checker's vocabulary: a check definition (cluster, faults, properties, bounds), the
// read-only view properties are evaluated on, choices, and the result of a run.
import type { ActorLogic } from '../runtime/index.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import type { ApiRequest } from '../api/request.ts';

/** A side-effect-free view of the state: reads go to the API server's store, never through the runtime. */
export interface CheckView {
  readonly cluster: Cluster;
  /** Virtual ms. */
  now(): number;
  /** Stored objects of a kind (`Pod`, `ReplicaSet`, `Node`, ...), optionally in one namespace; shared and frozen. */
  objects(kind: string, namespace?: string): readonly KubeObject[];
  find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Every object the API server ever accepted (kind/namespace/name → last stored object), for "nothing lost". */
  readonly accepted: ReadonlyMap<string, KubeObject>;
  /** Virtual time of the last fault or environment action, if any. */
  readonly lastFaultAt: number | undefined;
  /** Faults and actions taken so far in this execution. */
  readonly faults: number;
  /**
   * The writes the API server accepted in the step just taken (its log entries, oldest first),
   * each with the request that step delivered; empty after a step of any other actor. For
   * properties about transitions (what was created when, what removed an object).
   */
  readonly changes: readonly StoreChange[];
}

/** One accepted write (an entry of the store's log) and the API request whose step made it. */
export interface StoreChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The resource (`pods`, `apps/statefulsets`, ...). */
  resource: string;
  object: KubeObject;
  /** The stored object before the write (undefined for ADDED). */
  old: KubeObject | undefined;
  /** The request delivered to the API server in that step, and its sender (undefined for internal writes). */
  request: ApiRequest | undefined;
  from: string | undefined;
}

/** A safety property, checked at every state where the store changed (or every state with everyStep). */
export interface Invariant {
  name: string;
  /** A message describing the violation, or undefined when the property holds. */
  check(view: CheckView): string | undefined;
  /** Evaluate after every step, not only after the store changed. Default false. */
  everyStep?: boolean;
}

/**
 * A liveness goal in the style of eventual stable reconciliation (ESR): after the last fault, the
 * default (fair, fault-free) schedule reaches the goal within `within` virtual ms.
 */
export interface Liveness {
  name: string;
  within: number;
  /** True (or undefined) when reached; false or a message when not. */
  goal(view: CheckView): boolean | string | undefined;
}

/** An outside action the environment may take, at most `budget` times (e.g. a user deletes a pod). */
export interface EnvAction {
  name: string;
  budget: number;
  /** The API request to send as a cluster admin (the reply is discarded), or undefined when not applicable. */
  request(view: CheckView): ApiRequest | undefined;
}

/** Fault budgets per execution. Each kind is off unless given. */
export interface FaultSpec {
  /** Crash (and supervisor restart) of one of these actors. */
  crash?: { targets: string[]; budget: number };
  /** Drop a pending message (on a channel whose receiver is one of `targets`, default: focus actors). */
  drop?: { budget: number; targets?: string[] };
  /** Deliver a pending message twice. */
  duplicate?: { budget: number; targets?: string[] };
  /** Hold a channel (a watch stream, or a connection) back by `ms` (default 2000), past the next timers: a stale read. */
  delay?: { budget: number; ms?: number; targets?: string[] };
  /** Close one open watch of one of these actors (api.watch.closed; the server forgets the watch). */
  disconnect?: { targets: string[]; budget: number };
  /** Environment actions. */
  actions?: EnvAction[];
}

export interface CheckDefinition {
  name: string;
  seed?: number;
  /** Nodes in the cluster (default 2). */
  nodes?: number;
  /** Replace controllers by id (e.g. `replicaset-controller`) with other implementations. */
  controllers?: Record<string, () => ActorLogic>;
  /** Runs once before exploration, on the default schedule (no choices): create objects, wait. */
  setup?(cluster: Cluster): void | Promise<void>;
  /**
   * Actors whose deliveries are choice points (ids, or prefixes ending in '/'). Deliveries to the
   * others are taken eagerly in queue order. Default: every actor.
   */
  focus?: string[];
  faults?: FaultSpec;
  invariants?: Invariant[];
  liveness?: Liveness[];
  /** Choice points per execution (the exploration depth). */
  depth: number;
  /** Virtual ms after the start of exploration after which no more choices are offered. Default unbounded. */
  horizon?: number;
}

/** A choice, encoded as a short stable string (the replay file's schedule is a list of them). */
export type Choice = string;

export interface Violation {
  property: string;
  kind: 'invariant' | 'liveness' | 'crash';
  message: string;
  /** The choices that lead to it (the schedule), and its length in steps. */
  schedule: Choice[];
  steps: number;
  /** Virtual ms at the violation. */
  time: number;
}

export interface CoverageRow {
  actorType: string;
  state: string;
  event: string;
  count: number;
}

export interface CheckResult {
  check: string;
  strategy: string;
  /** States visited at choice points (with repetitions). */
  states: number;
  /** Distinct fingerprints at choice points. */
  distinctStates: number;
  /** Every step executed after setup, replays of prefixes included. */
  transitions: number;
  /** Executions (each re-creates the cluster and replays a choice prefix). */
  executions: number;
  /** Deepest choice depth reached. */
  depth: number;
  wallMs: number;
  violation?: Violation;
  /** Shrunk counterexample (delta debugging), when a violation was found and shrinking is on. */
  shrunk?: Violation;
  coverage: CoverageRow[];
  /** True when the search was cut by its budget before exhausting the bounded space. */
  truncated: boolean;
}
