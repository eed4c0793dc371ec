// A StatefulSet's supervising state, one machine per StatefulSet, driven by the StatefulSet
// controller (actors/controllers/statefulset.ts). Each sync reports what upstream's
// updateStatefulSet decided (pkg/controller/statefulset/stateful_set_control.go): the ordinal it
// creates or deletes, or the pod OrderedReady waits for and why; the machine takes the state of
// that verdict and emits the sync's writes, which the controller performs. The inspector shows
// `Scaling.WaitingForRunningAndReady` with `{ waitingFor: 'web-1', reason: 'not Running and Ready' }`.
// Pure: no clock (the time of a verdict comes with the event), no I/O.
import { assign, emit, setup } from 'xstate';

export type StatefulSetPhase = 'Idle' | 'Scaling' | 'ScalingDown' | 'RollingUpdate' | 'Terminating';

export interface StatefulSetMachineContext {
  /** `<namespace>/<name>` of the StatefulSet. */
  statefulSet: string;
  phase: StatefulSetPhase;
  step: string | null;
  /** The pod the set waits for (or acts on), e.g. `web-1`. */
  waitingFor: string | null;
  reason: string | null;
  /** The pods the last sync wrote to (created, deleted). */
  acting: string[];
  /** Virtual ms at which the current phase and step began. */
  since: number;
  syncs: number;
}

export interface SyncedEvent {
  type: 'SYNCED';
  /** Virtual ms of the sync. */
  at: number;
  phase: StatefulSetPhase;
  step?: string;
  pod?: string;
  reason?: string;
  pods: string[];
  /** The sync's writes, opaque to the machine: emitted for the controller to perform. */
  writes: unknown;
}

export type StatefulSetMachineEvent = SyncedEvent;

/** Emitted when a verdict carries writes: the controller performs them. */
export interface PerformEmitted {
  type: 'perform';
  writes: unknown;
}

type Params = { phase: StatefulSetPhase; step?: string };

export const statefulSetMachine = setup({
  types: {
    context: {} as StatefulSetMachineContext,
    events: {} as StatefulSetMachineEvent,
    input: {} as { statefulSet: string; at: number },
    emitted: {} as PerformEmitted,
  },
  guards: {
    /** The sync reports this phase (and step). */
    reports: ({ event }, p: Params) => event.phase === p.phase && (p.step === undefined || event.step === p.step),
  },
  actions: {
    recordVerdict: assign(({ context, event }) => {
      const changed = context.phase !== event.phase || context.step !== (event.step ?? null) || context.waitingFor !== (event.pod ?? null);
      return {
        phase: event.phase, step: event.step ?? null, waitingFor: event.pod ?? null, reason: event.reason ?? null,
        acting: event.pods, since: changed ? event.at : context.since, syncs: context.syncs + 1,
      };
    }),
    performWrites: emit(({ event }) => ({ type: 'perform' as const, writes: event.writes })),
  },
}).createMachine({
  id: 'statefulset',
  context: ({ input }) => ({
    statefulSet: input.statefulSet, phase: 'Idle', step: null, waitingFor: null, reason: null, acting: [], since: input.at, syncs: 0,
  }),
  initial: 'Idle',
  on: {
    SYNCED: [
      verdict('Terminating'),
      verdict('Scaling', 'CreatingOrdinal'),
      verdict('Scaling', 'WaitingForRunningAndReady'),
      verdict('Scaling', 'WaitingForAvailable'),
      verdict('Scaling', 'WaitingForTermination'),
      verdict('Scaling', 'RecreatingFailedPod'),
      verdict('Scaling', 'WaitingForStaleClaim'),
      verdict('ScalingDown', 'DeletingOrdinal'),
      verdict('ScalingDown', 'WaitingForTermination'),
      verdict('ScalingDown', 'WaitingForHealthyPredecessor'),
      verdict('RollingUpdate', 'DeletingOrdinal'),
      verdict('RollingUpdate', 'WaitingForTermination'),
      verdict('RollingUpdate', 'CreatingOrdinal'),
      verdict('RollingUpdate', 'WaitingForUpdatedReady'),
      verdict('RollingUpdate', 'RecreatingFailedPod'),
      { target: '.Idle', actions: ['recordVerdict', { type: 'performWrites' }] },
    ],
  },
  states: {
    /** Every replica exists, is Running and Ready, and is at the update revision (or nothing more to do for now). */
    Idle: {},
    /** Creating pods in ordinal order; OrderedReady waits for each before the next. */
    Scaling: {
      initial: 'CreatingOrdinal',
      states: {
        CreatingOrdinal: {},
        WaitingForRunningAndReady: {},
        WaitingForAvailable: {},
        WaitingForTermination: {},
        RecreatingFailedPod: {},
        WaitingForStaleClaim: {},
      },
    },
    /** Deleting pods above the replica count, highest ordinal first, one at a time. */
    ScalingDown: {
      initial: 'DeletingOrdinal',
      states: { DeletingOrdinal: {}, WaitingForTermination: {}, WaitingForHealthyPredecessor: {} },
    },
    /** Replacing out-of-date pods from the highest ordinal down to the partition. */
    RollingUpdate: {
      initial: 'DeletingOrdinal',
      states: { DeletingOrdinal: {}, WaitingForTermination: {}, CreatingOrdinal: {}, WaitingForUpdatedReady: {}, RecreatingFailedPod: {} },
    },
    /** The StatefulSet has a deletionTimestamp: only its status is updated. */
    Terminating: {},
  },
});

function verdict(phase: StatefulSetPhase, step?: string) {
  return {
    guard: { type: 'reports' as const, params: { phase, step } },
    target: step ? `.${phase}.${step}` : `.${phase}`,
    actions: ['recordVerdict' as const, { type: 'performWrites' as const }],
  };
}

/** `Scaling.WaitingForRunningAndReady` from a machine state value. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value as Record<string, unknown>)[0];
    return `${k}.${stateName(v)}`;
  }
  return String(value);
}
