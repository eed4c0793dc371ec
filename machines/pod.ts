// A pod as its kubelet pod worker sees it (pkg/kubelet/pod_workers.go, kubelet.go SyncPod):
// Pending (admission, volumes, sandbox, init containers, starting containers) → Running →
// Succeeded / Failed, and Terminating (preStop, SIGTERM, grace period, SIGKILL) → Terminated
// from any of them. The phase itself is computed from the containers as upstream's getPhase
// does; the machine records it and drives the start-up sequence.
// Pure: the wiring performs what it emits and reports back with events.
import { assign, emit, setup } from 'xstate';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PodMachineInput {
  initContainers: Array<{ name: string; sidecar: boolean }>;
  hasVolumes: boolean;
  /** The pod already ran here (kubelet restart): skip admission and sandbox creation. */
  resumed: boolean;
  /**
   * The kubelet admitted the pod before it started the worker, as HandlePodAdditions admits a pod
   * before dispatching it: the machine starts past Admitting (no ADMITTED event to wait for).
   */
  admitted?: boolean;
  /** Admitted, and its volumes were all set up at once: the machine starts creating the sandbox. */
  volumesMounted?: boolean;
}

export interface PodMachineContext extends PodMachineInput {
  initIndex: number;
  rejectReason: string | undefined;
  rejectMessage: string | undefined;
  graceMs: number;
  volumeMessage: string | undefined;
  volumeRetryMs: number;
}

export type PodMachineEvent =
  | { type: 'ADMITTED' }
  | { type: 'REJECTED'; reason: string; message: string }
  | { type: 'VOLUMES_READY' }
  /** The runtime created the sandbox and its network (RunPodSandbox returned). */
  | { type: 'SANDBOX_READY' }
  /** A volume failed to mount; the kubelet tries again after `retryMs`. */
  | { type: 'VOLUMES_FAILED'; message: string; retryMs: number }
  | { type: 'INIT_CONTAINER_DONE'; name: string }
  | { type: 'INIT_CONTAINER_FAILED'; name: string }
  | { type: 'PHASE'; phase: PodPhase }
  | { type: 'DELETE'; graceMs: number }
  | { type: 'ALL_CONTAINERS_STOPPED' };

/** Time to create the sandbox and its network (PodReadyToStartContainers). */
export const SANDBOX_CREATE_MS = 500;

export const podMachine = setup({
  types: { context: {} as PodMachineContext, input: {} as PodMachineInput, events: {} as PodMachineEvent },
  guards: {
    isResumed: ({ context }) => context.resumed,
    isAdmitted: ({ context }) => context.admitted === true,
    isAdmittedAndMounted: ({ context }) => context.admitted === true && context.volumesMounted === true,
    hasMoreInitContainers: ({ context }) => context.initIndex < context.initContainers.length,
    hasNoInitContainers: ({ context }) => context.initContainers.length === 0,
    isRunning: ({ event }) => event.type === 'PHASE' && event.phase === 'Running',
    isSucceeded: ({ event }) => event.type === 'PHASE' && event.phase === 'Succeeded',
    isFailed: ({ event }) => event.type === 'PHASE' && event.phase === 'Failed',
  },
  delays: {
    volumeRetry: ({ context }) => context.volumeRetryMs,
  },
  actions: {
    recordRejection: assign(({ event }) => (event.type === 'REJECTED' ? { rejectReason: event.reason, rejectMessage: event.message } : {})),
    recordVolumeFailure: assign(({ event }) => (event.type === 'VOLUMES_FAILED' ? { volumeMessage: event.message, volumeRetryMs: event.retryMs } : {})),
    mountVolumes: emit({ type: 'kubelet', op: 'mountVolumes' } as any),
    createSandbox: emit({ type: 'kubelet', op: 'createSandbox' } as any),
    sandboxReady: emit({ type: 'kubelet', op: 'sandboxReady' } as any),
    startNextInitContainer: emit(({ context }) => ({ type: 'kubelet', op: 'startContainer', name: context.initContainers[context.initIndex].name }) as any),
    advanceInit: assign({ initIndex: ({ context }) => context.initIndex + 1 }),
    initialized: emit({ type: 'kubelet', op: 'initialized' } as any),
    startAppContainers: emit({ type: 'kubelet', op: 'startAppContainers' } as any),
    recordGrace: assign({ graceMs: ({ event }) => (event.type === 'DELETE' ? event.graceMs : 0) }),
    killAll: emit(({ context }) => ({ type: 'kubelet', op: 'killAll', graceMs: context.graceMs }) as any),
    terminated: emit({ type: 'kubelet', op: 'terminated' } as any),
    statusChanged: emit({ type: 'kubelet', op: 'status' } as any),
  },
}).createMachine({
  id: 'pod',
  context: ({ input }) => ({ initContainers: input.initContainers, hasVolumes: input.hasVolumes, resumed: input.resumed, admitted: input.admitted, volumesMounted: input.volumesMounted, initIndex: 0, rejectReason: undefined, rejectMessage: undefined, graceMs: 0, volumeMessage: undefined, volumeRetryMs: 0 }),
  initial: 'Pending',
  on: { DELETE: { target: '.Terminating', actions: 'recordGrace' } },
  states: {
    Pending: {
      initial: 'Admitting',
      entry: 'statusChanged',
      states: {
        Admitting: {
          always: [
            { guard: 'isResumed', target: 'StartingContainers' },
            { guard: 'isAdmittedAndMounted', target: 'CreatingSandbox' },
            { guard: 'isAdmitted', target: 'PreparingVolumes' },
          ],
          on: {
            ADMITTED: 'PreparingVolumes',
            REJECTED: { target: '#pod.Failed', actions: 'recordRejection' },
          },
        },
        PreparingVolumes: {
          entry: 'mountVolumes',
          on: {
            VOLUMES_READY: 'CreatingSandbox',
            VOLUMES_FAILED: { target: 'VolumeRetry', actions: 'recordVolumeFailure' },
          },
        },
        VolumeRetry: { after: { volumeRetry: 'PreparingVolumes' } },
        // RunPodSandbox: the wiring asks the runtime, which answers SANDBOX_READY SANDBOX_CREATE_MS later.
        // No status of its own: the containers' next change reports the sandbox (as upstream's next sync).
        CreatingSandbox: {
          entry: 'createSandbox',
          on: {
            SANDBOX_READY: [
              // No init containers: straight on to the app containers (what Initializing's eventless step would do).
              { guard: 'hasNoInitContainers', target: 'StartingContainers', actions: ['sandboxReady', 'initialized'] },
              { target: 'Initializing', actions: 'sandboxReady' },
            ],
          },
        },
        Initializing: {
          initial: 'Next',
          states: {
            Next: {
              always: [
                { guard: 'hasMoreInitContainers', target: 'Running', actions: 'startNextInitContainer' },
                { target: '#pod.Pending.StartingContainers', actions: 'initialized' },
              ],
            },
            Running: { on: { INIT_CONTAINER_DONE: { target: 'Next', actions: 'advanceInit' }, INIT_CONTAINER_FAILED: '#pod.Failed' } },
          },
        },
        StartingContainers: { entry: 'startAppContainers' },
      },
      on: {
        PHASE: [
          { guard: 'isRunning', target: 'Running' },
          { guard: 'isSucceeded', target: 'Succeeded' },
          { guard: 'isFailed', target: 'Failed' },
        ],
      },
    },
    Running: {
      entry: 'statusChanged',
      on: {
        PHASE: [
          { guard: 'isSucceeded', target: 'Succeeded' },
          { guard: 'isFailed', target: 'Failed' },
        ],
      },
    },
    Succeeded: { entry: 'statusChanged' },
    Failed: { entry: 'statusChanged' },
    Terminating: {
      entry: ['killAll', 'statusChanged'],
      on: { ALL_CONTAINERS_STOPPED: 'Terminated', DELETE: {} },
    },
    Terminated: { type: 'final', entry: ['terminated', 'statusChanged'] },
  },
});
