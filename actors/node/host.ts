// A node's machine: what outlives a kubelet restart — the container runtime's containers and
// sandboxes, the image store, emptyDir contents — and dies with a power-off.
import type { TokenBucket } from '../../client/rate-limiter.ts';
import type { ContainerProcess, ImageInfo, PullResult, VolumeStore } from '../../cri/types.ts';
import type { ContainerResume } from '../../machines/container.ts';
import type { VolumeBackend } from '../storage/backend.ts';

/** The cluster-wide image registry as a node sees it. */
export interface ImageService {
  /** Pulls `image` (as written in the pod); the result says how long it took. */
  pull(image: string, pullSecrets: string[]): PullResult;
  /** Normalised reference of `image` (docker.io/library/nginx:1.14.2), or undefined if invalid. */
  normalize(image: string): string | undefined;
  /** What the image is (entrypoint, size, digest), once it can be pulled. */
  inspect(image: string): ImageInfo | undefined;
}

/** The node's description: what the kubelet registers. */
export interface NodeSpec {
  name: string;
  index: number;
  cpu: string;
  memory: string;
  pods: number;
  ephemeralStorage: string;
  zone?: string;
  instanceType: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}

/** A container as the runtime remembers it across kubelet restarts. */
export interface ContainerRecord {
  id: string;
  process: ContainerProcess | undefined;
  wakeAt: number | undefined;
  resume: ContainerResume;
  /** The cgroup's CPU counter as cAdvisor last read it (actors/node/metrics.ts), for `process`. */
  cpu?: CpuCounter;
  /** The log file of the current instance (made at its first line), and of the one before it. */
  log?: ContainerLog;
  previousLog?: ContainerLog;
}

/** A container instance's stdout and stderr (CRI's log file): the lines written at each virtual instant. */
export interface ContainerLog {
  containerID: string;
  /** Oldest first; each batch's lines are the process update's own array (nothing copied). */
  batches: Array<{ at: number; lines: readonly string[] }>;
  lineCount: number;
}

/** The lines a log keeps (the kubelet rotates at containerLogMaxSize; here the oldest go). */
export const CONTAINER_LOG_MAX_LINES = 10_000;

/** A new instance of the container starts: its log is a new file, the last one its previous. */
export function rotateContainerLog(record: ContainerRecord): void {
  record.previousLog = record.log;
  record.log = undefined;
}

/** Lines the container's current instance wrote at `now`. */
export function appendContainerLog(record: ContainerRecord, now: number, lines: readonly string[]): void {
  const log = (record.log ??= { containerID: record.id, batches: [], lineCount: 0 });
  log.batches.push({ at: now, lines });
  log.lineCount += lines.length;
  let drop = 0;
  while (log.lineCount - log.batches[drop].lines.length >= CONTAINER_LOG_MAX_LINES) log.lineCount -= log.batches[drop++].lines.length;
  if (drop > 0) log.batches.splice(0, drop);
}

/** A cgroup CPU counter: core·ns used by `process` up to `at`, and how much of it the node's total holds. */
export interface CpuCounter {
  process: ContainerProcess;
  at: number;
  total: number;
  counted: number;
}

/** A pod sandbox as the runtime remembers it. */
export interface SandboxRecord {
  uid: string;
  namespace: string;
  name: string;
  podIP: string;
  containers: Map<string, ContainerRecord>;
  volumes: Map<string, VolumeStore>;
}

export class NodeHost {
  readonly sandboxes = new Map<string, SandboxRecord>();
  /** Image references present on the node, with their sizes (status.images). */
  readonly images = new Map<string, number>();
  /** Image pulls are serialised (kubelet serializeImagePulls: true): when the puller is free. */
  pullerFreeAt = 0;
  /** Pulls in progress: image reference → when it completes (a second pod joins the same pull). */
  readonly pullsInFlight = new Map<string, number>();
  powered = true;
  /**
   * The running kubelet's client-side rate limiter (kubeAPIQPS / kubeAPIBurst): its pod workers'
   * reads of Secrets, ConfigMaps and volumes wait on it too. A kubelet start replaces it.
   */
  kubeletClientLimiter: TokenBucket | undefined;
  /** The container runtime answers (a broken runtime makes the node NotReady). */
  runtimeUp = true;
  private nextIP = 2;

  constructor(readonly spec: NodeSpec, readonly imageService: ImageService, readonly volumes: VolumeBackend) {}

  get hostIP(): string {
    return `172.18.0.${this.spec.index + 1}`;
  }

  get podCIDR(): string {
    return `10.244.${this.spec.index}.0/24`;
  }

  allocatePodIP(): string {
    const ip = `10.244.${this.spec.index}.${this.nextIP}`;
    this.nextIP = this.nextIP >= 254 ? 2 : this.nextIP + 1;
    return ip;
  }

  /** Power-off: every container and sandbox is gone (images stay on disk). */
  powerOff(): void {
    this.powered = false;
    this.sandboxes.clear();
    this.pullsInFlight.clear();
    this.pullerFreeAt = 0;
  }

  powerOn(): void {
    this.powered = true;
  }
}
