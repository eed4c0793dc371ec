// A PersistentVolumeClaim's phase as the PV controller drives it (D:concepts/storage/persistent-volumes,
// K:pkg/controller/volume/persistentvolume/pv_controller.go syncClaim, k8s-facts §10.1):
// Pending (no volume yet: waiting for a match, the first consumer or the provisioner) → Bound
// (spec.volumeName and the volume's claimRef agree) → Lost (the bound volume disappeared or was
// bound elsewhere; data on it is gone) → Bound again if the same volume comes back.
// Pure: no I/O, no clock.
import { assign, setup } from 'xstate';

export type PVCPhase = 'Pending' | 'Bound' | 'Lost';

export interface PVCMachineContext {
  name: string;
  /** The phase the API showed when the controller (re)started. */
  initialPhase: PVCPhase;
  volume: string | undefined;
  /** Why the claim waits (the last Pending event reason: WaitForFirstConsumer, ExternalProvisioning, …). */
  waitingFor: string | undefined;
}

export type PVCMachineEvent =
  | { type: 'WAITING'; reason: string }
  | { type: 'VOLUME_BOUND'; volume: string }
  | { type: 'VOLUME_LOST' };

export const pvcMachine = setup({
  types: { context: {} as PVCMachineContext, input: {} as { name: string; phase?: PVCPhase }, events: {} as PVCMachineEvent },
  guards: {
    startsBound: ({ context }) => context.initialPhase === 'Bound',
    startsLost: ({ context }) => context.initialPhase === 'Lost',
  },
  actions: {
    recordVolume: assign({ volume: ({ event }) => (event.type === 'VOLUME_BOUND' ? event.volume : undefined), waitingFor: undefined }),
    recordWait: assign({ waitingFor: ({ event }) => (event.type === 'WAITING' ? event.reason : undefined) }),
  },
}).createMachine({
  id: 'pvc',
  context: ({ input }) => ({ name: input.name, volume: undefined, waitingFor: undefined, initialPhase: input.phase ?? 'Pending' }),
  initial: 'Restoring',
  states: {
    Restoring: { always: [{ guard: 'startsBound', target: 'Bound' }, { guard: 'startsLost', target: 'Lost' }, { target: 'Pending' }] },
    Pending: { on: { WAITING: { actions: 'recordWait' }, VOLUME_BOUND: { target: 'Bound', actions: 'recordVolume' } } },
    Bound: { on: { VOLUME_LOST: 'Lost', VOLUME_BOUND: { actions: 'recordVolume' } } },
    Lost: { on: { VOLUME_BOUND: { target: 'Bound', actions: 'recordVolume' } } },
  },
});
