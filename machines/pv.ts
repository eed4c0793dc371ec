// A PersistentVolume's phase as the PV controller drives it (D:concepts/storage/persistent-volumes,
// K:pkg/controller/volume/persistentvolume/pv_controller.go syncVolume, k8s-facts §10.1):
// Pending (just created) → Available (no claim) → Bound (claimRef to a live claim) → Released
// (the claim is gone; Retain keeps the data) → Available again when an administrator clears the
// claimRef, or Failed when automatic reclamation failed. The controller reports what it observes;
// the chart refuses what Kubernetes never does (a Released volume is never re-Bound by itself).
// Pure: no I/O, no clock.
import { assign, setup } from 'xstate';

export type PVPhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

export interface PVMachineContext {
  name: string;
  /** The phase the API showed when the controller (re)started. */
  initialPhase: PVPhase;
  /** The claim (`ns/name`) the volume is or was bound to. */
  claim: string | undefined;
  /** Why reclamation failed (Failed). */
  message: string | undefined;
}

export type PVMachineEvent =
  | { type: 'UNCLAIMED' }
  | { type: 'CLAIM_BOUND'; claim: string }
  | { type: 'CLAIM_DELETED' }
  | { type: 'RECLAIM_FAILED'; message: string };

export const pvMachine = setup({
  types: { context: {} as PVMachineContext, input: {} as { name: string; phase?: PVPhase }, events: {} as PVMachineEvent },
  guards: {
    startsAvailable: ({ context }) => context.initialPhase === 'Available',
    startsBound: ({ context }) => context.initialPhase === 'Bound',
    startsReleased: ({ context }) => context.initialPhase === 'Released',
    startsFailed: ({ context }) => context.initialPhase === 'Failed',
  },
  actions: {
    recordClaim: assign({ claim: ({ event }) => (event.type === 'CLAIM_BOUND' ? event.claim : undefined) }),
    forgetClaim: assign({ claim: undefined }),
    recordFailure: assign({ message: ({ event }) => (event.type === 'RECLAIM_FAILED' ? event.message : undefined) }),
  },
}).createMachine({
  id: 'pv',
  context: ({ input }) => ({ name: input.name, claim: undefined, message: undefined, initialPhase: input.phase ?? 'Pending' }),
  initial: 'Restoring',
  states: {
    // A restarted controller resumes each volume in the phase the API shows.
    Restoring: {
      always: [
        { guard: 'startsAvailable', target: 'Available' },
        { guard: 'startsBound', target: 'Bound' },
        { guard: 'startsReleased', target: 'Released' },
        { guard: 'startsFailed', target: 'Failed' },
        { target: 'Pending' },
      ],
    },
    Pending: {
      on: { UNCLAIMED: 'Available', CLAIM_BOUND: { target: 'Bound', actions: 'recordClaim' }, CLAIM_DELETED: 'Released' },
    },
    Available: {
      on: { CLAIM_BOUND: { target: 'Bound', actions: 'recordClaim' }, CLAIM_DELETED: 'Released' },
    },
    Bound: {
      on: { CLAIM_DELETED: 'Released', UNCLAIMED: { target: 'Available', actions: 'forgetClaim' } },
    },
    Released: {
      on: { UNCLAIMED: { target: 'Available', actions: 'forgetClaim' }, RECLAIM_FAILED: { target: 'Failed', actions: 'recordFailure' } },
    },
    Failed: {
      on: { UNCLAIMED: { target: 'Available', actions: 'forgetClaim' } },
    },
  },
});
