// The lifecycle of one container as the kubelet drives it (pkg/kubelet/kuberuntime,
// pkg/kubelet/prober): Waiting (ContainerCreating, ErrImagePull, ImagePullBackOff,
// CrashLoopBackOff, CreateContainerConfigError, RunContainerError) → Running (startup,
// liveness and readiness probes) → Terminated (Completed, Error, OOMKilled), and the restart
// decision with crash back-off (10 s doubling to 300 s, reset after 10 min).
// Pure: time arrives in events (`at`); the wiring performs what the machine emits.
import { and, assign, emit, setup } from 'xstate';

export type ContainerKind = 'init' | 'sidecar' | 'app';
export type ProbeName = 'startup' | 'liveness' | 'readiness';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface Termination {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: number;
  finishedAt: number;
  /** The runtime's id of the container that exited (ContainerStateTerminated.containerID). */
  containerID?: string;
}

/** Where a container is when a restarted kubelet finds it in the runtime. */
export interface ContainerResume {
  running?: { startedAt: number };
  terminated?: Termination;
  restartCount: number;
  backoff?: { ms: number; updatedAt: number };
}

export interface ContainerInput {
  name: string;
  kind: ContainerKind;
  /** The pod's restartPolicy (sidecars always restart). */
  podRestartPolicy: 'Always' | 'OnFailure' | 'Never';
  probes: Partial<Record<ProbeName, ProbeTiming>>;
  resume?: ContainerResume;
  /**
   * Made as the kubelet starts the container (the pod worker makes a container's machine only
   * then): it begins in ContainerCreating, with no START to wait for.
   */
  startNow?: boolean;
}

/** Crash back-off (kubelet): 10 s doubling to 300 s; an entry idle for 10 min is forgotten. */
export const CRASH_BACKOFF_INITIAL_MS = 10_000;
export const CRASH_BACKOFF_MAX_MS = 300_000;
export const BACKOFF_RESET_MS = 2 * CRASH_BACKOFF_MAX_MS;
/**
 * Image pull back-off (the image manager's flowcontrol.Backoff, per pod and image): each failed
 * pull sets it to 10 s, then doubles it up to 300 s; a sync within it of the last failure does not
 * pull (ImagePullBackOff); an entry 10 min old is forgotten.
 */
export const PULL_BACKOFF_INITIAL_MS = 10_000;
export const PULL_BACKOFF_MAX_MS = 300_000;

interface ProbeCounters {
  successes: number;
  failures: number;
}

/** The input's fields but startNow, which only the initial transition reads (from its event). */
export interface ContainerContext extends Omit<ContainerInput, 'startNow'> {
  /**
   * The instant of the last event whose handling reads the time (an exit, a probe result, a failed
   * pull, a start, a kill): back-off and probe delays count from it. Events that read no time
   * (START, IMAGE_READY) leave it, a context copy less each.
   */
  now: number;
  restartCount: number;
  backoff: { ms: number; updatedAt: number } | undefined;
  /** The pull back-off entry: its length (0: none yet) and when the pull it follows failed. */
  pullBackoffMs: number;
  pullFailedAt: number | undefined;
  /** The last failed pull's reason (ErrImagePull, ErrImageNeverPull, ...): the waiting reason it shows. */
  pullReason: string | undefined;
  message: string | undefined;
  startedAt: number | undefined;
  termination: Termination | undefined;
  lastTermination: Termination | undefined;
  started: boolean;
  ready: boolean;
  counters: Record<ProbeName, ProbeCounters>;
  killReason: 'pod' | 'liveness' | 'startup' | undefined;
}

export type ContainerEvent =
  | { type: 'START'; at: number }
  | { type: 'IMAGE_READY'; at: number }
  | { type: 'PULL_FAILED'; at: number; reason: string; message: string }
  /**
   * A sync of the pod by its pod worker: a container waiting on its image pulls again, unless
   * backing off; one that failed to be created (config or runtime error) is created again.
   */
  | { type: 'SYNC'; at: number }
  | { type: 'CONFIG_ERROR'; at: number; message: string }
  | { type: 'RUN_FAILED'; at: number; message: string }
  | { type: 'STARTED'; at: number }
  | { type: 'EXITED'; at: number; exitCode: number; reason: string; message?: string; containerID?: string }
  | { type: 'PROBE_RESULT'; at: number; probe: ProbeName; result: 'Success' | 'Failure'; message?: string }
  | { type: 'KILL'; at: number; reason: 'pod' | 'liveness' | 'startup' };

/** No probe results yet: one frozen object every container shares (countProbe makes new ones). */
const ZERO_COUNTERS: Record<ProbeName, ProbeCounters> = Object.freeze({
  startup: Object.freeze({ successes: 0, failures: 0 }), liveness: Object.freeze({ successes: 0, failures: 0 }), readiness: Object.freeze({ successes: 0, failures: 0 }),
});

function restartWanted(c: ContainerContext): boolean {
  if (c.kind === 'sidecar') return true;
  const code = c.termination?.exitCode ?? 0;
  if (c.kind === 'init') return code !== 0 && c.podRestartPolicy !== 'Never';
  if (c.podRestartPolicy === 'Always') return true;
  return c.podRestartPolicy === 'OnFailure' && code !== 0;
}

function backoffExpired(c: ContainerContext): boolean {
  return !c.backoff || c.now - c.backoff.updatedAt > BACKOFF_RESET_MS;
}

/** How long is left before the restart may happen (kubelet's IsInBackOffSince). */
function backoffRemaining(c: ContainerContext): number {
  if (backoffExpired(c) || !c.termination) return 0;
  return Math.max(0, c.backoff!.ms - (c.now - c.termination.finishedAt));
}

/** No pull back-off entry, or hasExpired: the last failure is more than twice the cap ago. */
function noPullBackOffEntry(c: ContainerContext, now: number): boolean {
  return c.pullFailedAt === undefined || now - c.pullFailedAt > 2 * PULL_BACKOFF_MAX_MS;
}

/** IsInBackOffSinceUpdate: within the back-off of the last failed pull. */
function pullBackOffRunning(c: ContainerContext, now: number): boolean {
  return !noPullBackOffEntry(c, now) && now - c.pullFailedAt! < c.pullBackoffMs;
}

/** Backoff.Next after a failed pull: 10 s for the first (or after the entry expired), then twice the last, up to 300 s. */
function nextPullBackoff(c: ContainerContext, now: number): number {
  return noPullBackOffEntry(c, now) ? PULL_BACKOFF_INITIAL_MS : Math.min(c.pullBackoffMs * 2, PULL_BACKOFF_MAX_MS);
}

function probeDelay(c: ContainerContext, p: ProbeName): number {
  const t = c.probes[p]!;
  return Math.max(0, (c.startedAt ?? c.now) + t.initialDelayMs - c.now);
}

type AssignArgs = { context: ContainerContext; event: ContainerEvent };

/** The instant of the event being handled (every event carries one); the machine's notion of now. */
const at = ({ context, event }: AssignArgs): number => ('at' in event ? event.at : context.now);

/**
 * A (re)started process: `now` and startedAt at the event, probe counters reset. `started`: it
 * counts as started and ready at once (a container without probes).
 */
function startFields(a: AssignArgs, started: boolean): Partial<ContainerContext> {
  const t = at(a);
  return { now: t, startedAt: t, termination: undefined, started, ready: started, counters: ZERO_COUNTERS, killReason: undefined, message: undefined };
}

/** A sync after the image's back-off has run out: pull again. */
const PULL_AGAIN = { target: 'Pulling', actions: 'noteTime' } as const;

/**
 * Pulling again (from ErrImagePull or ImagePullBackOff): the status shows what it showed until
 * the sync ends; a new failure shows ErrImagePull anew (re-entered, so its status is written).
 */
const PULLING_AGAIN = {
  entry: 'ensureImage',
  on: {
    IMAGE_READY: '#container.Waiting.Creating',
    PULL_FAILED: { target: '#container.Waiting.ErrImagePull', reenter: true, actions: 'recordPullFailure' },
  },
} as const;

export const containerMachine = setup({
  types: {
    context: {} as ContainerContext,
    input: {} as ContainerInput,
    events: {} as ContainerEvent,
  },
  guards: {
    // The initial transition's event carries the input: no context field for it (a twentieth field
    // would make every context a dictionary-mode object, ≈0.6 KB more a container).
    isStartingNow: ({ event }) => (event as { type: string; input?: ContainerInput }).type === 'xstate.init' && (event as { input?: ContainerInput }).input?.startNow === true,
    isResumingRunning: ({ context }) => Boolean(context.resume?.running),
    isResumingTerminated: ({ context }) => Boolean(context.resume?.terminated),
    isPodKill: ({ context }) => context.killReason === 'pod',
    shouldRestart: ({ context }) => restartWanted(context),
    isInBackOff: ({ context }) => restartWanted(context) && backoffRemaining(context) > 0,
    isStarted: ({ context }) => context.started,
    noStartupProbe: ({ context }) => !context.probes.startup,
    noProbes: ({ context }) => !context.probes.startup && !context.probes.liveness && !context.probes.readiness,
    noLivenessProbe: ({ context }) => !context.probes.liveness,
    noReadinessProbe: ({ context }) => !context.probes.readiness,
    startupSucceeded: ({ context }) => context.counters.startup.failures === 0,
    startupFailedEnough: ({ context }) => context.counters.startup.failures >= context.probes.startup!.failureThreshold,
    livenessSucceeded: ({ context }) => context.counters.liveness.failures === 0,
    livenessFailedEnough: ({ context }) => context.counters.liveness.failures >= context.probes.liveness!.failureThreshold,
    becameReady: ({ context }) => !context.ready && context.counters.readiness.failures === 0 && context.counters.readiness.successes >= context.probes.readiness!.successThreshold,
    readinessSucceeded: ({ context }) => context.counters.readiness.failures === 0,
    becameUnready: ({ context }) => context.ready && context.counters.readiness.failures >= context.probes.readiness!.failureThreshold,
    isStartupResult: ({ event }) => event.type === 'PROBE_RESULT' && event.probe === 'startup',
    isLivenessResult: ({ event }) => event.type === 'PROBE_RESULT' && event.probe === 'liveness',
    isReadinessResult: ({ event }) => event.type === 'PROBE_RESULT' && event.probe === 'readiness',
    inPullBackOff: (a) => pullBackOffRunning(a.context, at(a)),
  },
  delays: {
    crashBackoff: ({ context }) => backoffRemaining(context),
    startupDelay: ({ context }) => probeDelay(context, 'startup'),
    startupPeriod: ({ context }) => context.probes.startup!.periodMs,
    livenessDelay: ({ context }) => probeDelay(context, 'liveness'),
    livenessPeriod: ({ context }) => context.probes.liveness!.periodMs,
    readinessDelay: ({ context }) => probeDelay(context, 'readiness'),
    readinessPeriod: ({ context }) => context.probes.readiness!.periodMs,
  },
  actions: {
    /** A timer fired at the end of the back-off: the machine's notion of now moves there. */
    advanceToBackoffEnd: assign({ now: ({ context }) => context.now + backoffRemaining(context) }),
    // Each assignment below also moves `now` to the event's instant: one context (and snapshot)
    // copy a transition, where a separate noteTime would make two.
    noteTime: assign({ now: at }),
    resumeFromRuntime: assign(({ context }) => {
      const r = context.resume!;
      return {
        restartCount: r.restartCount, backoff: r.backoff, startedAt: r.running?.startedAt, started: Boolean(r.running),
        ready: Boolean(r.running) && !context.probes.readiness,
        termination: r.running ? undefined : r.terminated, lastTermination: r.running ? r.terminated : undefined,
      };
    }),
    ensureImage: emit({ type: 'cri', op: 'ensureImage' } as any),
    runContainer: emit({ type: 'cri', op: 'run' } as any),
    /** The failure shows until the next sync; a pull that failed (not a pull policy of Never) starts or grows the back-off. */
    recordPullFailure: assign((a) => {
      const t = at(a);
      const e = a.event.type === 'PULL_FAILED' ? a.event : undefined;
      if (e?.reason === 'ErrImageNeverPull') return { now: t, message: e.message, pullReason: e.reason };
      return { now: t, message: e?.message, pullReason: e?.reason, pullBackoffMs: nextPullBackoff(a.context, t), pullFailedAt: t };
    }),
    emitPullBackOffEvent: emit({ type: 'kubelet-event', what: 'pullBackOff' } as any),
    recordMessage: assign((a) => ({ now: at(a), message: 'message' in a.event ? a.event.message : undefined })),
    recordStart: assign((a) => startFields(a, false)),
    /** recordStart and markStarted in one: a container without probes is started and ready at once. */
    recordStartWithoutProbes: assign((a) => startFields(a, true)),
    recordExit: assign(({ context, event }) => {
      if (event.type !== 'EXITED') return {};
      return {
        now: event.at,
        termination: {
          exitCode: event.exitCode, reason: event.reason, message: event.message, startedAt: context.startedAt ?? event.at, finishedAt: event.at,
          containerID: event.containerID,
        },
        started: false, ready: false,
      };
    }),
    /** Keeps the termination as lastState and counts the restart (kubelet backOff.Next). */
    beginRestart: assign(({ context }) => {
      const expired = backoffExpired(context);
      const ms = expired ? CRASH_BACKOFF_INITIAL_MS : Math.min(context.backoff!.ms * 2, CRASH_BACKOFF_MAX_MS);
      return {
        lastTermination: context.termination, termination: undefined, restartCount: context.restartCount + 1,
        backoff: { ms, updatedAt: context.now }, message: undefined,
      };
    }),
    emitCrashBackOffEvent: emit({ type: 'kubelet-event', what: 'crashBackOff' } as any),
    setKillReason: assign((a) => ({ now: at(a), killReason: a.event.type === 'KILL' ? a.event.reason : undefined })),
    killProcess: emit(({ event }) => ({ type: 'cri', op: 'kill', reason: event.type === 'KILL' ? event.reason : 'pod' }) as any),
    markStarted: assign(({ context }) => ({ started: true, ready: context.probes.readiness ? context.ready : true })),
    markReady: assign({ ready: true }),
    markUnready: assign({ ready: false }),
    probeStartup: emit({ type: 'cri', op: 'probe', probe: 'startup' } as any),
    probeLiveness: emit({ type: 'cri', op: 'probe', probe: 'liveness' } as any),
    probeReadiness: emit({ type: 'cri', op: 'probe', probe: 'readiness' } as any),
    countProbe: assign(({ context, event }) => {
      if (event.type !== 'PROBE_RESULT') return {};
      const prev = context.counters[event.probe];
      const next = event.result === 'Success' ? { successes: prev.successes + 1, failures: 0 } : { successes: 0, failures: prev.failures + 1 };
      return { now: event.at, counters: { ...context.counters, [event.probe]: next } };
    }),
    emitUnhealthy: emit(({ event }) => ({ type: 'kubelet-event', what: 'probeFailed', probe: event.type === 'PROBE_RESULT' ? event.probe : '', message: event.type === 'PROBE_RESULT' ? event.message : '' }) as any),
    requestLivenessKill: emit({ type: 'self', event: 'KILL', reason: 'liveness' } as any),
    requestStartupKill: emit({ type: 'self', event: 'KILL', reason: 'startup' } as any),
    statusChanged: emit({ type: 'status' } as any),
  },
}).createMachine({
  id: 'container',
  // Fields listed one by one: a spread of the input plus a dozen more makes V8 build the object
  // the slow way, a tenth of an actor's creation.
  context: ({ input }) => ({
    name: input.name, kind: input.kind, podRestartPolicy: input.podRestartPolicy, probes: input.probes, resume: input.resume,
    now: 0, restartCount: 0, backoff: undefined, pullBackoffMs: 0, pullFailedAt: undefined, pullReason: undefined, message: undefined,
    startedAt: undefined, termination: undefined, lastTermination: undefined, started: false, ready: false,
    counters: ZERO_COUNTERS, killReason: undefined,
  }),
  initial: 'Resuming',
  states: {
    Resuming: {
      always: [
        { guard: and(['isResumingRunning', 'noProbes']), target: 'Running.Unprobed', actions: 'resumeFromRuntime' },
        { guard: 'isResumingRunning', target: 'Running', actions: 'resumeFromRuntime' },
        { guard: 'isResumingTerminated', target: 'Terminated', actions: 'resumeFromRuntime' },
        { target: 'Waiting' },
      ],
    },
    // Entering Waiting or ContainerCreating posts no status: a container made or started there
    // changes nothing the pod's last status did not say (upstream's SyncPod writes the status as
    // it begins, then starts the containers); a restart posts from Terminated or CrashLoopBackOff.
    Waiting: {
      initial: 'Idle',
      states: {
        /** Not started yet: an app container waits for the init containers (PodInitializing). */
        Idle: { always: { guard: 'isStartingNow', target: 'ContainerCreating' }, on: { START: 'ContainerCreating' } },
        ContainerCreating: {
          entry: 'ensureImage',
          on: {
            IMAGE_READY: 'Creating',
            PULL_FAILED: { target: 'ErrImagePull', actions: ['recordPullFailure'] },
          },
        },
        Creating: {
          entry: 'runContainer',
          on: {
            STARTED: [
              // No probes: started and ready at once, with no probe worker.
              {
                guard: 'noProbes', target: '#container.Running.Unprobed',
                actions: ['recordStartWithoutProbes'],
              },
              { target: '#container.Running', actions: ['recordStart'] },
            ],
            CONFIG_ERROR: { target: 'CreateContainerConfigError', actions: ['recordMessage'] },
            RUN_FAILED: { target: 'RunContainerError', actions: ['recordMessage'] },
          },
        },
        // A failed pull shows until the pod worker's next sync (10–15 s later), which pulls again,
        // or finds the back-off running: ImagePullBackOff, until a sync after it ends pulls again.
        ErrImagePull: {
          entry: 'statusChanged',
          initial: 'Failed',
          states: {
            Failed: { on: { SYNC: [{ guard: 'inPullBackOff', target: '#container.Waiting.ImagePullBackOff', actions: ['noteTime', 'emitPullBackOffEvent'] }, PULL_AGAIN] } },
            Pulling: PULLING_AGAIN,
          },
        },
        ImagePullBackOff: {
          entry: 'statusChanged',
          initial: 'BackingOff',
          states: {
            BackingOff: { on: { SYNC: [{ guard: 'inPullBackOff', actions: ['noteTime', 'emitPullBackOffEvent'] }, PULL_AGAIN] } },
            Pulling: PULLING_AGAIN,
          },
        },
        // The failed sync is tried again at the pod worker's next one (10–15 s later).
        CreateContainerConfigError: { entry: 'statusChanged', on: { SYNC: { target: 'Creating', actions: 'noteTime' } } },
        RunContainerError: { entry: 'statusChanged', on: { SYNC: { target: 'Creating', actions: 'noteTime' } } },
        CrashLoopBackOff: {
          entry: ['emitCrashBackOffEvent', 'statusChanged'],
          after: { crashBackoff: { target: 'ContainerCreating', actions: ['advanceToBackoffEnd', 'beginRestart', 'statusChanged'] } },
        },
      },
      on: { KILL: { target: 'Dead', actions: ['setKillReason'] } },
    },
    Running: {
      entry: 'statusChanged',
      on: {
        EXITED: { target: 'Terminated', actions: ['recordExit'] },
        KILL: { target: 'Stopping', actions: ['setKillReason', 'killProcess'] },
      },
      initial: 'Probed',
      states: {
        /**
         * No startup, liveness or readiness probe: the prober manager runs no worker for it, and it
         * counts as started and ready at once.
         */
        Unprobed: {},
        /** A worker per probe, as the prober manager runs them; a probe the container lacks is Off at once. */
        Probed: {
          type: 'parallel',
          states: {
            Startup: {
              initial: 'Check',
              states: {
                Check: { always: [{ guard: 'noStartupProbe', target: 'Started', actions: ['markStarted', 'statusChanged'] }, { target: 'Delay' }] },
                Delay: { after: { startupDelay: 'Probing' } },
                Probing: { entry: 'probeStartup', on: { PROBE_RESULT: { guard: 'isStartupResult', actions: ['countProbe'], target: 'Judging' } } },
                Judging: {
                  always: [
                    { guard: 'startupSucceeded', target: 'Started', actions: ['markStarted', 'statusChanged'] },
                    { guard: 'startupFailedEnough', target: 'Failed', actions: ['emitUnhealthy', 'requestStartupKill'] },
                    { target: 'Waiting', actions: 'emitUnhealthy' },
                  ],
                },
                Waiting: { after: { startupPeriod: 'Probing' } },
                Started: {},
                Failed: {},
              },
            },
            Liveness: {
              initial: 'Blocked',
              states: {
                Blocked: { always: [{ guard: 'noLivenessProbe', target: 'Off' }, { guard: 'isStarted', target: 'Delay' }] },
                Delay: { after: { livenessDelay: 'Probing' } },
                Probing: { entry: 'probeLiveness', on: { PROBE_RESULT: { guard: 'isLivenessResult', actions: ['countProbe'], target: 'Judging' } } },
                Judging: {
                  always: [
                    { guard: 'livenessSucceeded', target: 'Waiting' },
                    { guard: 'livenessFailedEnough', target: 'Failed', actions: ['emitUnhealthy', 'requestLivenessKill'] },
                    { target: 'Waiting', actions: 'emitUnhealthy' },
                  ],
                },
                Waiting: { after: { livenessPeriod: 'Probing' } },
                Failed: {},
                Off: {},
              },
            },
            Readiness: {
              initial: 'Blocked',
              states: {
                Blocked: { always: [{ guard: 'noReadinessProbe', target: 'Off' }, { guard: 'isStarted', target: 'Delay' }] },
                Delay: { after: { readinessDelay: 'Probing' } },
                Probing: { entry: 'probeReadiness', on: { PROBE_RESULT: { guard: 'isReadinessResult', actions: ['countProbe'], target: 'Judging' } } },
                Judging: {
                  always: [
                    { guard: 'becameReady', target: 'Waiting', actions: ['markReady', 'statusChanged'] },
                    { guard: 'readinessSucceeded', target: 'Waiting' },
                    { guard: 'becameUnready', target: 'Waiting', actions: ['emitUnhealthy', 'markUnready', 'statusChanged'] },
                    { target: 'Waiting', actions: 'emitUnhealthy' },
                  ],
                },
                Waiting: { after: { readinessPeriod: 'Probing' } },
                Off: {},
              },
            },
          },
        },
      },
    },
    Stopping: {
      on: { EXITED: { target: 'Terminated', actions: ['recordExit'] } },
    },
    Terminated: {
      entry: 'statusChanged',
      always: [
        { guard: 'isPodKill', target: 'Dead' },
        { guard: 'isInBackOff', target: 'Waiting.CrashLoopBackOff' },
        { guard: 'shouldRestart', target: 'Waiting.ContainerCreating', actions: 'beginRestart' },
      ],
      on: { KILL: { target: 'Dead', actions: ['setKillReason'] } },
    },
    /** Stopped for good (the pod is terminating). */
    Dead: { type: 'final', entry: 'statusChanged' },
  },
});
