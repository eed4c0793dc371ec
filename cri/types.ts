// The simulated container runtime's contract (CRI-like): images, container processes, probes.
// Pure and synchronous: the pod actor drives a process with start()/wake()/signal() at virtual
// times and schedules the wake-ups the process asks for on the runtime's clock.
import type { RandomStream } from '../runtime/prng.ts';

/** An image as the catalogue (or a scenario) describes it. */
export interface ImageInfo {
  /** Normalised reference, e.g. docker.io/library/nginx:1.14.2 */
  ref: string;
  repository: string;
  tag: string;
  /** sha256:… (deterministic, derived from the reference). */
  digest: string;
  /** Compressed size in bytes (pull time is derived from it). */
  sizeBytes: number;
  entrypoint: string[];
  cmd: string[];
  /** Ports the default entrypoint listens on. */
  ports: number[];
  env?: Record<string, string>;
  /** What the default entrypoint does (server, exits at once, test image behaviours). */
  behavior: ProcessBehavior;
  /** Needs a pull secret (imagePullSecrets) to pull. */
  private?: boolean;
  /** Whose coreutils the image ships (error message wording of cat, rm, ls): busybox or GNU. */
  userland?: 'busybox' | 'gnu';
}

export type PullFailureReason = 'ErrImagePull' | 'InvalidImageName' | 'ErrImageNeverPull';

export type PullResult =
  | { ok: true; image: ImageInfo; durationMs: number }
  | { ok: false; reason: PullFailureReason; message: string; durationMs: number; code?: 'NotFound' | 'Unknown' };

/**
 * How a container process behaves over time. Everything optional; times in virtual ms from
 * the container's start. A scenario attaches these to images or containers.
 */
export interface ProcessBehavior {
  /** Runs until stopped (servers). Default true for server images, false for scripts. */
  longRunning?: boolean;
  /** Exit after this long with `exitCode` (0 = Completed). */
  exitAfterMs?: number;
  exitCode?: number;
  /** Ports accept connections (tcpSocket/httpGet/grpc probes succeed) only after this long. */
  startupMs?: number;
  /** HTTP answers per path: status codes over time; a path not listed answers `defaultStatus`. */
  http?: Record<string, Array<{ untilMs?: number; status: number }>>;
  defaultStatus?: number;
  /** All probes fail (HTTP 500, connection refused, NOT_SERVING) after this long. */
  unhealthyAfterMs?: number;
  /** gRPC health: SERVING (default when listening) or NOT_SERVING. */
  grpc?: boolean;
  /** Memory use over time in bytes: piecewise-linear points [ms, bytes]. Above the limit: OOMKilled (137). */
  memory?: Array<[number, number]>;
  /** CPU use over time in millicores: piecewise-linear points [ms, millicores]. */
  cpu?: Array<[number, number]>;
  /** SIGTERM handling: time to exit after SIGTERM (default 0; longer than the grace period ⇒ SIGKILL). */
  termGraceMs?: number;
  /** Exit code when SIGTERM ends the process (default 0; Go programs without a handler exit 2). */
  termExitCode?: number;
  /** Whether the listening ports speak HTTP (default true); false ⇒ httpGet probes fail. */
  httpServer?: boolean;
  /** Lines the process prints when it starts (kubectl logs). */
  logs?: string[];
}

/** What a process step produced. */
export interface ProcessUpdate {
  /** The process exited: code, and the runtime's reason (Completed, Error, OOMKilled). */
  exited?: { code: number; reason: 'Completed' | 'Error' | 'OOMKilled'; message?: string };
  /** Call wake() at this virtual time (sleep ends, behaviour changes, memory check). */
  wakeAt?: number;
  /** Lines written to stdout/stderr since the last update (kubectl logs). */
  output?: string[];
  /** How the simulator treated commands it does not model (e.g. `perl` run as a one-shot), for events. */
  notices?: string[];
}

export type ProbeResult = { result: 'Success' | 'Failure'; message?: string };

/** A container probe (core/v1 Probe handler part). */
export interface ProbeSpec {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; scheme?: string; host?: string };
  tcpSocket?: { port: number | string };
  grpc?: { port: number; service?: string };
  timeoutSeconds?: number;
}

/** A running (or exited) container process. */
export interface ContainerProcess {
  start(now: number): ProcessUpdate;
  wake(now: number): ProcessUpdate;
  /** SIGTERM (graceful) or SIGKILL. */
  signal(sig: 'TERM' | 'KILL', now: number): ProcessUpdate;
  /** Runs a probe against the process at `now`. */
  probe(spec: ProbeSpec, now: number): ProbeResult;
  /**
   * Runs a command in the container at `now` (CRI ExecSync, as `kubectl exec` asks), to completion
   * at once in virtual time (at most `budgetMs`): its exit code and what it wrote. Undefined when
   * the container is not running.
   */
  exec(command: string[], now: number, budgetMs: number): { code: number; output: string; timedOut: boolean } | undefined;
  /** Runs a lifecycle hook (postStart/preStop exec or httpGet); returns its duration and result. */
  hook(spec: ProbeSpec, now: number): ProbeResult & { durationMs: number };
  memoryBytes(now: number): number;
  cpuMillicores(now: number): number;
  /** Whether cpuMillicores stays the same from `from` to `to` (lets a CPU counter skip its samples). */
  cpuSteady?(from: number, to: number): boolean;
  readonly running: boolean;
}

/** A file system shared by the containers that mount it (emptyDir, PV contents). */
export interface VolumeStore {
  files: Map<string, string>;
}

/** What the kubelet passes to create a container process. */
export interface ContainerConfig {
  /** The container spec (core/v1 Container). */
  container: any;
  image: ImageInfo;
  /** Environment the kubelet computed (pod env, HOSTNAME, KUBERNETES_SERVICE_*, ...). */
  env: Record<string, string>;
  /** Mount path → shared store. */
  mounts: Array<{ path: string; store: VolumeStore; readOnly?: boolean }>;
  /** Behaviour attached by the scenario (overrides the image's). */
  behavior?: ProcessBehavior;
  /** Memory limit in bytes (0 = none). */
  memoryLimit: number;
  random: RandomStream;
  /** Virtual-time epoch for `date` (ms since the Unix epoch at virtual time 0). */
  epoch: number;
  hostname: string;
  /** The pod's IP (probe error messages name it). */
  podIP?: string;
}
