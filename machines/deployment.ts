// The rollout of one Deployment as the inspector draws it. The Deployment controller
// (actors/controllers/deployment.ts) sends one event per sync, naming what the sync did
// (k8s-facts §1.3–1.7; pkg/controller/deployment/rolling.go, recreate.go, progress.go):
// scaled the new ReplicaSet up, scaled old ones down, found nothing it may do yet, or found the
// rollout complete, paused, resumed or past its progress deadline. Pure: no I/O, no clock.
import { assign, setup } from 'xstate';

export interface DeploymentMachineContext {
  /** The new ReplicaSet's name (`<deployment>-<pod-template-hash>`). */
  newReplicaSet: string | null;
  revision: number;
  /** ScalingReplicaSet events seen in this rollout. */
  scaleUps: number;
  scaleDowns: number;
}

interface Observed {
  newReplicaSet?: string | null;
  revision?: number;
}

export type DeploymentMachineEvent =
  | ({ type: 'NEW_RS_SCALED_UP' } & Observed)
  | ({ type: 'OLD_RS_SCALED_DOWN' } & Observed)
  | ({ type: 'NEW_PODS_PENDING' } & Observed)
  | ({ type: 'OLD_PODS_TERMINATING' } & Observed)
  | ({ type: 'ROLLOUT_COMPLETE' } & Observed)
  | ({ type: 'DEADLINE_EXCEEDED' } & Observed)
  | { type: 'PAUSED' }
  | { type: 'RESUMED' };

export const deploymentMachine = setup({
  types: { context: {} as DeploymentMachineContext, events: {} as DeploymentMachineEvent },
  actions: {
    /** Takes the new ReplicaSet and revision the sync saw; a new ReplicaSet starts the counts again. */
    observe: assign(({ context, event }) => {
      const e = event as Observed;
      const rolledOver = e.newReplicaSet !== undefined && e.newReplicaSet !== context.newReplicaSet;
      return {
        newReplicaSet: e.newReplicaSet !== undefined ? e.newReplicaSet : context.newReplicaSet,
        revision: e.revision ?? context.revision,
        scaleUps: rolledOver ? 0 : context.scaleUps,
        scaleDowns: rolledOver ? 0 : context.scaleDowns,
      };
    }),
    countScaleUp: assign({ scaleUps: ({ context }) => context.scaleUps + 1 }),
    countScaleDown: assign({ scaleDowns: ({ context }) => context.scaleDowns + 1 }),
  },
}).createMachine({
  id: 'deployment',
  context: { newReplicaSet: null, revision: 0, scaleUps: 0, scaleDowns: 0 },
  initial: 'Progressing',
  on: {
    PAUSED: '.Paused',
  },
  states: {
    Progressing: {
      initial: 'ScalingUpNewRS',
      on: {
        NEW_RS_SCALED_UP: { target: '.ScalingUpNewRS', actions: ['observe', 'countScaleUp'] },
        OLD_RS_SCALED_DOWN: { target: '.ScalingDownOldRS', actions: ['observe', 'countScaleDown'] },
        NEW_PODS_PENDING: { target: '.WaitingForNewPodsAvailable', actions: 'observe' },
        OLD_PODS_TERMINATING: { target: '.WaitingForOldPodsTerminated', actions: 'observe' },
        ROLLOUT_COMPLETE: { target: '#deployment.Complete', actions: 'observe' },
        DEADLINE_EXCEEDED: { target: '#deployment.ProgressDeadlineExceeded', actions: 'observe' },
      },
      states: {
        ScalingUpNewRS: {},
        WaitingForNewPodsAvailable: {},
        ScalingDownOldRS: {},
        /** Recreate: every old pod must be gone before the new ReplicaSet is scaled up. */
        WaitingForOldPodsTerminated: {},
      },
    },
    Complete: {
      on: {
        NEW_RS_SCALED_UP: { target: 'Progressing.ScalingUpNewRS', actions: ['observe', 'countScaleUp'] },
        OLD_RS_SCALED_DOWN: { target: 'Progressing.ScalingDownOldRS', actions: ['observe', 'countScaleDown'] },
        NEW_PODS_PENDING: { target: 'Progressing.WaitingForNewPodsAvailable', actions: 'observe' },
        OLD_PODS_TERMINATING: { target: 'Progressing.WaitingForOldPodsTerminated', actions: 'observe' },
        ROLLOUT_COMPLETE: { actions: 'observe' },
      },
    },
    Paused: {
      on: { RESUMED: 'Progressing.WaitingForNewPodsAvailable', PAUSED: {} },
    },
    /** Progressing=False: the controller keeps trying but reports the stall; it never rolls back by itself. */
    ProgressDeadlineExceeded: {
      on: {
        NEW_RS_SCALED_UP: { target: 'Progressing.ScalingUpNewRS', actions: ['observe', 'countScaleUp'] },
        OLD_RS_SCALED_DOWN: { target: 'Progressing.ScalingDownOldRS', actions: ['observe', 'countScaleDown'] },
        ROLLOUT_COMPLETE: { target: 'Complete', actions: 'observe' },
        DEADLINE_EXCEEDED: { actions: 'observe' },
      },
    },
  },
});

/** A state value as one dotted string: `Progressing.ScalingUpNewRS`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0];
    return `${k}.${stateName(v)}`;
  }
  return String(value);
}
