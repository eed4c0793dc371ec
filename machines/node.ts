// A node as its kubelet runs it (pkg/kubelet/kubelet_node_status.go, nodelease): register the
// Node, then two heartbeats — the Lease in kube-node-lease renewed every 10 s (retrying from
// 200 ms doubling to 7 s when it fails) and the NodeStatus computed every 10 s and posted when
// it changed or at least every 5 min — and whether the node is schedulable (cordon).
// While nothing changes, both heartbeats can stand (Standing): one standing stream stands for
// every renewal and every unchanged report (runtime ctx.openStanding, api/heartbeats.ts), and
// the kubelet goes back to writing each period from the next one when the stream ends.
// Pure: the kubelet wiring performs what it emits and reports results as events.
import { assign, emit, setup } from 'xstate';

/** Kubelet defaults (k8s-facts §6.1, §7.8). */
export const LEASE_RENEW_MS = 10_000;
export const LEASE_RETRY_INITIAL_MS = 200;
export const LEASE_RETRY_MAX_MS = 7_000;
export const NODE_STATUS_UPDATE_MS = 10_000;
export const REGISTER_RETRY_MS = 1_000;

export interface NodeMachineContext {
  leaseRetryMs: number;
  /** Until the first renewal (or status check) after a standing stream ended. */
  leaseResumeMs: number;
  statusResumeMs: number;
}

export type NodeMachineEvent =
  | { type: 'REGISTERED' }
  | { type: 'REGISTER_FAILED' }
  | { type: 'LEASE_RENEWED' }
  | { type: 'LEASE_FAILED' }
  | { type: 'LEASE_STANDING' }
  | { type: 'LEASE_STANDING_ENDED'; resumeIn: number }
  | { type: 'STATUS_STANDING' }
  | { type: 'STATUS_STANDING_ENDED'; resumeIn: number }
  | { type: 'RUNTIME_READY' }
  | { type: 'RUNTIME_DOWN' }
  | { type: 'CORDONED' }
  | { type: 'UNCORDONED' };

export const nodeMachine = setup({
  types: { context: {} as NodeMachineContext, events: {} as NodeMachineEvent },
  delays: {
    leaseRenew: LEASE_RENEW_MS,
    leaseRetry: ({ context }) => context.leaseRetryMs,
    statusUpdate: NODE_STATUS_UPDATE_MS,
    leaseResume: ({ context }) => context.leaseResumeMs,
    statusResume: ({ context }) => context.statusResumeMs,
    registerRetry: REGISTER_RETRY_MS,
  },
  actions: {
    registerNode: emit({ type: 'kubelet', op: 'registerNode' } as any),
    renewLease: emit({ type: 'kubelet', op: 'renewLease' } as any),
    syncNodeStatus: emit({ type: 'kubelet', op: 'syncNodeStatus' } as any),
    standLease: emit({ type: 'kubelet', op: 'standLease' } as any),
    noteLeaseResume: assign({ leaseResumeMs: ({ event }) => (event as { resumeIn: number }).resumeIn }),
    noteStatusResume: assign({ statusResumeMs: ({ event }) => (event as { resumeIn: number }).resumeIn }),
    resetLeaseRetry: assign({ leaseRetryMs: LEASE_RETRY_INITIAL_MS }),
    growLeaseRetry: assign({ leaseRetryMs: ({ context }) => Math.min(context.leaseRetryMs * 2, LEASE_RETRY_MAX_MS) }),
  },
}).createMachine({
  id: 'node',
  context: { leaseRetryMs: LEASE_RETRY_INITIAL_MS, leaseResumeMs: LEASE_RENEW_MS, statusResumeMs: NODE_STATUS_UPDATE_MS },
  initial: 'Registering',
  states: {
    Registering: {
      entry: 'registerNode',
      on: { REGISTERED: 'Registered', REGISTER_FAILED: 'RegisterBackoff' },
    },
    RegisterBackoff: { after: { registerRetry: 'Registering' } },
    Registered: {
      type: 'parallel',
      states: {
        Condition: {
          initial: 'Ready',
          states: {
            Ready: { on: { RUNTIME_DOWN: 'NotReady' } },
            NotReady: { on: { RUNTIME_READY: 'Ready' } },
          },
        },
        Scheduling: {
          initial: 'Schedulable',
          states: {
            Schedulable: { on: { CORDONED: 'Cordoned' } },
            Cordoned: { on: { UNCORDONED: 'Schedulable' } },
          },
        },
        Lease: {
          initial: 'Renewing',
          states: {
            Renewing: { entry: 'renewLease', on: { LEASE_RENEWED: { target: 'Held', actions: 'resetLeaseRetry' }, LEASE_FAILED: 'Retrying' } },
            Held: { entry: 'standLease', after: { leaseRenew: 'Renewing' }, on: { LEASE_STANDING: 'Standing' } },
            Standing: { on: { LEASE_STANDING_ENDED: { target: 'Resuming', actions: 'noteLeaseResume' } } },
            Resuming: { after: { leaseResume: 'Renewing' } },
            Retrying: { after: { leaseRetry: { target: 'Renewing', actions: 'growLeaseRetry' } } },
          },
        },
        Status: {
          initial: 'Waiting',
          states: {
            Waiting: { after: { statusUpdate: { target: 'Waiting', reenter: true, actions: 'syncNodeStatus' } }, on: { STATUS_STANDING: 'Standing' } },
            Standing: { on: { STATUS_STANDING_ENDED: { target: 'Resuming', actions: 'noteStatusResume' } } },
            Resuming: { after: { statusResume: { target: 'Waiting', actions: 'syncNodeStatus' } } },
          },
        },
      },
    },
  },
});
