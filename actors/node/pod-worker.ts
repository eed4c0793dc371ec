// A kubelet pod worker: one actor per pod on a node (pkg/kubelet/pod_workers.go). It runs the
// pod machine and one container machine per container, performs what they emit against the
// node's container runtime (image pulls, container processes, probes, kills), and reports the
// pod's status and events to its kubelet. The runtime state it drives lives on the NodeHost,
// so a restarted kubelet finds its containers still running.
import type { AnyMachineSnapshot } from 'xstate';
import { MachineRunner, RuntimeClock, initialState, type ActorContext, type InitialState, type ActorLogic, type Envelope, type RunnerListeners } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { ApiClient } from '../../client/client.ts';
import { parseQuantity } from '../../api/validation.ts';
import { containerMachine, type ContainerInput, type ContainerKind, type ProbeName, type ProbeTiming } from '../../machines/container.ts';
import { podMachine, SANDBOX_CREATE_MS, type PodMachineEvent, type PodMachineInput } from '../../machines/pod.ts';
import type { ProbeSpec, ProcessUpdate, VolumeStore, ProcessBehavior } from '../../cri/types.ts';
import { createContainerProcess } from '../../cri/process.ts';
import {
  alreadyPresentMessage, backOffPullingMessage, criPullError, failedToPullMessage, imageNeverPullMessage, pulledImageMessage, pullingImageMessage,
} from '../../cri/images.ts';
import { appendContainerLog, rotateContainerLog, type NodeHost, type SandboxRecord, type ContainerRecord } from './host.ts';
import { computePodStatus, topState, type ContainerView } from './pod-status.ts';
import { buildEnvironment, downwardAPIFile, environmentRefs } from './environment.ts';
import type { CachedKind } from './object-cache.ts';
import * as msg from './messages.ts';
import { POD_ATTACH_AND_MOUNT_TIMEOUT_MS, attachAndMountTimeoutMessage, mountClaim, unmountClaim, type ClaimMount } from '../storage/mount.ts';
import { HEX_DIGITS, NONE, deepFreeze, intern, joined } from '../../api/equal.ts';

/** pod_workers.go backOffPeriod: a failed sync is tried again after this, jittered up to half as much more. */
export const BACKOFF_SYNC_MS = 10_000;

/**
 * A failed volume mount is tried again after an exponential back-off (the volume manager's
 * nestedpendingoperations: 500 ms, doubling to 2 min 2 s); its FailedMount event comes each time.
 */
export const MOUNT_RETRY_INITIAL_MS = 500;
export const MOUNT_RETRY_MAX_MS = 122_000;

/** Time to create and start a container once its image is present. */
export const CONTAINER_CREATE_MS = 100;

export interface PodWorkerOptions {
  /** The pod; the worker keeps the latest version heard here. */
  pod: KubeObject;
  host: NodeHost;
  kubelet: string;
  epoch: number;
  /** The kubelet's admission verdict; undefined when resuming a pod that already runs here. */
  admission: { ok: true } | { ok: false; reason: string; message: string } | undefined;
  /** Behaviour a scenario attached to a pod's containers. */
  behaviorFor: (pod: KubeObject, container: any) => ProcessBehavior | undefined;
  /** The kubelet's status manager and event recorder. */
  port: msg.KubeletPort;
}

/** One container of the pod: its spec, its machine and what the runtime keeps for it. */
class ContainerSlot {
  /** The running container machine; undefined while the pod worker hibernates or before it is made. */
  live: MachineRunner | undefined;
  /** The machine's state while the pod worker hibernates. */
  saved: AnyMachineSnapshot | undefined;
  /**
   * A container not started yet, whose machine is made when it starts (PodWorker.bear): its input
   * and the initial state it would have, which stands for its state until then.
   */
  unborn: { input: ContainerInput; initial: InitialState } | undefined;
  /** The last state value traced (the trace records changes only). */
  traced = '';
  wakeTimer: number | undefined;
  killTimer: number | undefined;

  constructor(
    private readonly worker: PodWorker, readonly name: string, readonly spec: any, readonly kind: ContainerKind,
    readonly record: ContainerRecord, readonly imageRef: string,
  ) {}

  /** The container machine, woken first if the pod worker hibernates (made first if not started yet). */
  get actor(): MachineRunner {
    if (!this.live) {
      if (this.unborn) this.worker.bear(this, false);
      else this.worker.wake();
    }
    return this.live!;
  }

  /** The machine's state, without waking (or making) it. */
  snapshot(): AnyMachineSnapshot {
    if (this.live) return this.live.getSnapshot();
    return this.saved ?? (this.unborn!.initial.restored as AnyMachineSnapshot);
  }
}

/** How the mount made as a worker starts stands (PodWorker.firstMount). */
type FirstMount = 'mounting' | 'mounted' | 'pending' | PodMachineEvent | undefined;

export class PodWorker implements ActorLogic {
  private ctx!: ActorContext;
  /** Made on first use: most pods never read a ConfigMap, Secret or claim. */
  private apiClient: ApiClient | undefined;
  /** The running pod machine; undefined while the worker hibernates (see hibernate). */
  private podLive: MachineRunner | undefined;
  private podSaved: AnyMachineSnapshot | undefined;
  /** Deliveries to the machines queued with defer and not yet made. */
  private deferred = 0;
  /** Set while wake() restarts the machines. */
  private waking = false;
  private readonly slots = new Map<string, ContainerSlot>();
  /** What a machine restored from its initial state emits as it starts (see createMachine). */
  private initialEmits: Map<MachineRunner, () => void> | undefined;
  /** The clock of the worker's machines (their timers are the worker's runtime timers), while they are live. */
  private clock: RuntimeClock | undefined;
  /** Every machine's error listener (one bound function a worker, not a closure a machine). */
  private errorSink: ((e: unknown) => void) | undefined;
  private sandbox!: SandboxRecord;
  private sandboxReady = false;
  private initialized = false;
  private terminating = false;
  private graceMs = 0;
  private statusTimer: number | undefined;
  /** The status this worker last generated (what the status manager holds for the pod; see computePodStatus). */
  private lastStatus: any;
  /** The back-off of the last failed mount of a ConfigMap, Secret or downward API volume (0: none). */
  private mountRetryMs = 0;
  /** The sync's WaitForAttachAndMount while such a volume fails to mount (see waitForMounts). */
  private mountWait: number | undefined;
  /** Volumes of that kind that failed to mount at the last try. */
  private unmounted: readonly string[] = NONE;
  /**
   * The mount made as the worker starts, before its pod machine (see start): 'mounting' while it
   * runs, 'mounted' when every volume was set up at once, 'pending' while a volume is still being
   * set up (its end reports to the machine), or the failure the machine hears once it asks.
   */
  private firstMount: FirstMount;
  /** The pod worker's retry while a container backs off (see resyncInBackOff). */
  private backOffSync: number | undefined;
  /** The pod machine is taking the phase the last posted status computed (see flushStatus). */
  private followingPhase = false;
  private startTime: number | undefined;
  private failure: unknown;

  constructor(private readonly opts: PodWorkerOptions) {}

  /**
   * The pod as the kubelet last heard it. It lives in the options (which the runtime keeps to
   * restart the worker), so no older version of the pod stays alive there.
   */
  private get pod(): KubeObject {
    return this.opts.pod;
  }

  // ------------------------------------------------------------------ lifecycle

  private get client(): ApiClient {
    return (this.apiClient ??= new ApiClient(this.ctx, msg.nodeUser(this.opts.host.spec.name), {
      timeoutMs: msg.KUBELET_REQUEST_TIMEOUT_MS, rateLimiter: () => this.opts.host.kubeletClientLimiter,
    }));
  }

  start(ctx: ActorContext): void {
    this.ctx = ctx;
    const uid = this.pod.metadata.uid!;
    const existing = this.opts.host.sandboxes.get(uid);
    const resumed = existing !== undefined && this.opts.admission === undefined;
    this.sandbox = existing ?? { uid, namespace: this.pod.metadata.namespace!, name: this.pod.metadata.name!, podIP: '', containers: new Map(), volumes: new Map() };
    if (resumed) {
      this.sandboxReady = true;
      this.initialized = true;
      this.startTime = this.pod.status?.startTime ? Date.parse(this.pod.status.startTime) - this.opts.epoch : ctx.now();
    }
    // Admitted by the kubelet before it started this worker (HandlePodAdditions): the pod machine
    // starts past Admitting, and the volumes are set up right away (WaitForAttachAndMount). When
    // that is done at once, as for a pod whose volumes are its service account token and
    // ConfigMaps already read, the machine starts at the sandbox.
    const admitted = !resumed && this.opts.admission?.ok === true;
    if (admitted) this.startTime = ctx.now();
    let volumesMounted = false;
    if (admitted) {
      // SyncPod sets the pod's status before it waits for the volumes (the machine's Pending would ask the same).
      this.flushStatusSoon();
      this.firstMount = 'mounting';
      this.mountVolumes();
      // (mountVolumes moved it on: the compiler cannot tell.)
      const first = this.firstMount as FirstMount;
      volumesMounted = first === 'mounted';
      this.firstMount = volumesMounted ? undefined : first === 'mounting' ? 'pending' : first;
    }
    const podInput: PodMachineInput = {
      initContainers: (this.pod.spec.initContainers ?? []).map((c: any) => ({ name: c.name, sidecar: c.restartPolicy === 'Always' })),
      hasVolumes: (this.pod.spec.volumes ?? []).length > 0, resumed, admitted, volumesMounted,
    };
    this.podLive = this.createMachine(podMachine, podInput, (ev) => this.onPodEmit(ev), undefined, undefined, !resumed, podInputKey(podInput));
    this.createContainers(resumed);
    for (const slot of this.slots.values()) if (slot.live) this.startMachine(slot.live);
    this.startMachine(this.podLive);
    if (resumed) this.resumeProcesses();
    else if (!admitted) this.reject();
    this.rethrow();
  }

  receive(env: Envelope): void {
    if (this.apiClient?.handle(env)) return this.rethrow();
    const m = env.message;
    if (m.type === msg.POD_DELETE) this.onDelete(m as unknown as msg.PodDelete);
    else if (m.type === msg.POD_UPDATE) this.onPodUpdate((m as unknown as msg.PodUpdate).pod);
    else if (m.type === msg.CONTAINER_CRASH) this.crashContainer(m as unknown as msg.ContainerCrash);
    this.rethrow();
  }

  /**
   * The pod changed (its spec, labels, annotations, deletion, or a condition another controller
   * owns). With readiness gates, the pod is synced again (HandlePodReconcile's
   * NeedToReconcilePodReadiness): its Ready condition follows the gates' conditions.
   */
  private onPodUpdate(pod: KubeObject): void {
    this.opts.pod = pod;
    if (pod.spec?.readinessGates?.length && this.podSnapshot()) this.flushStatusSoon();
  }

  /**
   * Stops the pod machine. The container machines go with the worker: their timers are the
   * worker's, which the runtime cancels as it stops the worker.
   */
  stop(): void {
    this.podLive?.stop();
  }

  stateValue(): unknown {
    return this.podSnapshot()?.value;
  }

  snapshot(): unknown {
    const containers: Record<string, unknown> = {};
    for (const [name, slot] of this.slots) containers[name] = slot.snapshot().value;
    return { pod: this.podSnapshot()?.value, containers };
  }

  machine(): unknown {
    return podMachine;
  }

  hibernating(): boolean {
    return this.podSaved !== undefined;
  }

  // ------------------------------------------------------------------ hibernation

  /** The pod machine, woken first if the worker hibernates. */
  private get podActor(): MachineRunner {
    if (!this.podLive) this.wake();
    return this.podLive!;
  }

  /** The pod machine's state, without waking it. */
  private podSnapshot(): AnyMachineSnapshot | undefined {
    return this.podLive ? this.podLive.getSnapshot() : this.podSaved;
  }

  /**
   * A settled pod (running or finished, every container started or exited, no machine timer
   * pending, nothing queued for its machines) keeps only its machines' snapshots, as an Erlang
   * process hibernates: most of a large cluster's pods sit like this, and a live machine and its
   * snapshot cost kilobytes. The next delivery, timer or read of a machine wakes them
   * (restored from the snapshots, entry actions not run again), so nothing observable changes.
   */
  private hibernate(): void {
    const pod = this.podLive;
    if (!pod || this.deferred > 0 || this.statusTimer !== undefined || this.terminating) return;
    const podSnap = pod.getSnapshot();
    const phase = topState(podSnap.value);
    if (podSnap.status !== 'active' || (phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed')) return;
    if (pod.hasTimers()) return;
    for (const slot of this.slots.values()) {
      // (A container not started yet waits: a worker hibernates once every container ran.)
      if (!slot.live || slot.live.hasTimers()) return;
      const s = slot.live.getSnapshot();
      const top = topState(s.value);
      if (s.status !== 'active' || (top !== 'Running' && top !== 'Terminated')) return;
    }
    // The persisted form: without the active state nodes and tags a live snapshot carries.
    this.podSaved = compactSnapshot(pod.getPersistedSnapshot() as AnyMachineSnapshot);
    this.podLive = undefined;
    // No timer is pending: the clock goes too, and comes back with the machines.
    this.clock = undefined;
    for (const slot of this.slots.values()) {
      slot.saved = compactSnapshot(slot.live!.getPersistedSnapshot() as AnyMachineSnapshot);
      slot.live = undefined;
    }
  }

  /** Restores the machines of a hibernating worker from their snapshots. */
  wake(): void {
    if (this.podLive || !this.podSaved) return;
    const pod = this.createMachine(podMachine, undefined, (ev) => this.onPodEmit(ev), undefined, this.podSaved);
    this.podLive = pod;
    this.podSaved = undefined;
    for (const slot of this.slots.values()) {
      if (!slot.saved) continue;
      slot.live = this.createMachine(containerMachine, undefined, (ev) => this.onContainerEmit(slot, ev), slot, slot.saved);
      slot.saved = undefined;
    }
    // Started as at creation; a restored machine has nothing new to report as it starts.
    this.waking = true;
    try {
      for (const slot of this.slots.values()) slot.live?.start();
      pod.start();
    } finally {
      this.waking = false;
    }
  }

  // ------------------------------------------------------------------ set-up

  /**
   * A machine of the worker, run on the runtime's clock (a MachineRunner: the machine's own
   * transitions, without an XState Actor each). A container machine's parent is the pod machine
   * (which hears its end, as an XState parent does); the timers of all of them are the worker's.
   */
  private createMachine(machine: any, input: unknown, onEmit: (ev: any) => void, part?: ContainerSlot, snapshot?: AnyMachineSnapshot, fresh = false, inputKey?: string): MachineRunner {
    const ctx = this.ctx;
    // A machine of a pod starting afresh starts from its initial state for this input (made
    // once); what the initial transition emitted is handed over when it starts (startMachine).
    const initial = fresh ? initialState(machine, input, inputKey) : undefined;
    const clock = (this.clock ??= this.newClock());
    const listeners: RunnerListeners = {
      onEmit,
      onError: (this.errorSink ??= this.noteFailure.bind(this)),
      onChange: part ? () => this.onContainerChange(part) : undefined,
      // The trace records the container machines' transitions (the pod machine's own state is
      // traced by the runtime); only when something records the trace.
      onSnapshot: part && ctx.tracing ? (s: AnyMachineSnapshot) => {
        const text = JSON.stringify(s.value);
        if (text === part.traced) return;
        part.traced = text;
        ctx.traceState(part.name, s.value);
      } : undefined,
    };
    const from = initial ? { state: initial.restored as AnyMachineSnapshot } : snapshot ? { persisted: snapshot } : { input };
    const runner = new MachineRunner(machine, part ? part.name : 'pod', clock, listeners, from, part ? this.podLive : undefined);
    if (initial && initial.emitted.length > 0) (this.initialEmits ??= new Map()).set(runner, () => { for (const ev of initial.emitted) onEmit(ev); });
    return runner;
  }

  /**
   * The machines' clock. A method of its own, with a bound function, not an arrow function in
   * createMachine: that would keep createMachine's whole scope (its listeners, the initial state)
   * alive as long as the clock.
   */
  private newClock(): RuntimeClock {
    return new RuntimeClock(this.ctx, undefined, this.rethrow.bind(this));
  }

  /** A machine failed: the worker throws it after the step (rethrow), crashing as the actor. */
  private noteFailure(e: unknown): void {
    this.failure = e;
  }

  /** Starts a machine made by createMachine; one restored from its initial state then emits what it entered with. */
  private startMachine(actor: MachineRunner): void {
    actor.start();
    const emit = this.initialEmits?.get(actor);
    if (emit) {
      this.initialEmits!.delete(actor);
      if (this.initialEmits!.size === 0) this.initialEmits = undefined;
      emit();
    }
  }

  private createContainers(resumed: boolean): void {
    const spec = this.pod.spec;
    for (const c of spec.initContainers ?? []) this.createContainer(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', resumed);
    for (const c of spec.containers ?? []) this.createContainer(c, 'app', resumed);
  }

  private createContainer(c: any, kind: ContainerKind, resumed: boolean): void {
    const record = this.sandbox.containers.get(c.name) ?? { id: '', process: undefined, wakeAt: undefined, resume: { restartCount: 0 } };
    this.sandbox.containers.set(c.name, record);
    const input: ContainerInput = {
      name: c.name, kind, podRestartPolicy: this.pod.spec.restartPolicy ?? 'Always', probes: probeTimings(c),
      resume: resumed ? record.resume : undefined,
    };
    const slot = new ContainerSlot(this, c.name, c, kind, record, this.opts.host.imageService.normalize(c.image) ?? c.image);
    // A new pod's container gets its machine when it starts (bear): until then nothing reaches
    // it, and its initial state stands for it. A resumed one continues where the runtime has it.
    const initial = resumed ? undefined : initialState(containerMachine, input, containerInputKey(input));
    if (initial) slot.unborn = { input, initial };
    else slot.live = this.createMachine(containerMachine, input, (ev) => this.onContainerEmit(slot, ev), slot, undefined, !resumed);
    this.slots.set(c.name, slot);
  }

  /**
   * Makes the machine of a container not started yet: started at once (`start`, from the initial
   * state its START would lead to: one XState transition less a container) or waiting, when
   * something needs it before it starts (the pod is deleted first).
   */
  bear(slot: ContainerSlot, start: boolean): void {
    if (!this.podLive) this.wake();
    const { input } = slot.unborn!;
    slot.unborn = undefined;
    const born: ContainerInput = start ? { ...input, startNow: true } : input;
    const actor = this.createMachine(containerMachine, born, (ev) => this.onContainerEmit(slot, ev), slot, undefined, true, containerInputKey(born));
    slot.live = actor;
    this.startMachine(actor);
  }

  /** StartContainer: a container's machine goes from Idle to ContainerCreating. */
  private startContainer(slot: ContainerSlot, at: number): void {
    if (slot.unborn) this.bear(slot, true);
    else slot.actor.send({ type: 'START', at });
  }

  /** The kubelet refused the pod (an admitted one starts past Admitting, see start). */
  private reject(): void {
    const a = this.opts.admission!;
    this.startTime = this.ctx.now();
    if (!a.ok) this.sendPod({ type: 'REJECTED', reason: a.reason, message: a.message });
  }

  /** After a kubelet restart: re-arm the wake-ups of processes that kept running. */
  private resumeProcesses(): void {
    for (const slot of this.slots.values()) {
      if (slot.record.process && slot.record.wakeAt !== undefined) this.scheduleWake(slot, slot.record.wakeAt);
    }
    this.flushStatusSoon();
  }

  // ------------------------------------------------------------------ pod machine commands

  private onPodEmit(ev: any): void {
    if (ev.type !== 'kubelet') return;
    switch (ev.op) {
      case 'mountVolumes': this.onMountVolumes(); break;
      case 'createSandbox': this.createSandbox(); break;
      case 'sandboxReady': this.onSandboxReady(); break;
      case 'startContainer': this.startContainer(this.slots.get(ev.name)!, this.ctx.now()); break;
      // Without init containers the pod was Initialized from its first status: nothing new to post.
      case 'initialized': this.initialized = true; if (this.pod.spec.initContainers?.length) this.flushStatusSoon(); break;
      case 'startAppContainers': this.startAppContainers(); break;
      case 'killAll': this.killAll(); break;
      case 'terminated': this.onTerminated(); break;
      // The machine's phase following a status just posted changes nothing in it.
      case 'status': if (!this.followingPhase) this.flushStatusSoon(); break;
    }
  }

  /** The machine asks for the volumes: the mount made as the worker started answers first, if any. */
  private onMountVolumes(): void {
    const first = this.firstMount;
    this.firstMount = undefined;
    if (first === 'pending') return;
    if (first !== undefined && typeof first === 'object') return this.sendPod(first);
    this.mountVolumes();
  }

  /** RunPodSandbox: the sandbox and its network are up SANDBOX_CREATE_MS later. */
  private createSandbox(): void {
    this.ctx.startTimer('sandbox', SANDBOX_CREATE_MS, () => {
      this.sendPod({ type: 'SANDBOX_READY' });
      this.rethrow();
    });
  }

  /**
   * The sandbox is up: no status of its own. Upstream's SyncPod writes the pod's status once, as
   * it begins, then creates the sandbox and starts the containers in the same sync; the next sync
   * (on their PLEG events) reports PodReadyToStartContainers with the containers' new states. So
   * here the containers' next change posts it.
   */
  private onSandboxReady(): void {
    this.sandbox.podIP = this.opts.host.allocatePodIP();
    this.opts.host.sandboxes.set(this.sandbox.uid, this.sandbox);
    this.sandboxReady = true;
  }

  private startAppContainers(): void {
    const at = this.ctx.now();
    for (const slot of this.slots.values()) if (slot.kind === 'app') this.startContainer(slot, at);
  }

  /**
   * Sets up the pod's volumes: emptyDir, configMap and secret contents, and persistent volume
   * claims through the storage plug-in (attach, stage, publish). A failure is reported as an
   * event (FailedMount, …) and retried on the next sync.
   */
  private mountVolumes(): void {
    const volumes: any[] = this.pod.spec.volumes ?? [];
    const pending = volumes.filter((v) => !this.sandbox.volumes.has(v.name) && needsLookup(v));
    const round: MountRound = { volumes, left: pending.length, failed: false };
    if (round.left === 0) return this.volumesReady(volumes);
    for (const v of pending) {
      const sources = volumeSources(v);
      if (sources) {
        this.mountSources(round, v.name, sources);
        continue;
      }
      if (v.persistentVolumeClaim) {
        mountClaim(this.claimMount(v), (r) => {
          if (r.ok) this.volumeSetUp(round, v.name, r.store);
          else this.mountFailed(round, r.reason, r.message);
          this.rethrow();
        });
      }
    }
  }

  /** One volume of the round is set up; the last one makes the volumes ready. */
  private volumeSetUp(round: MountRound, name: string, store: VolumeStore): void {
    if (round.failed) return;
    this.sandbox.volumes.set(name, store);
    if (--round.left === 0) this.volumesReady(round.volumes);
  }

  private volumesReady(volumes: any[]): void {
    for (const v of volumes) if (!this.sandbox.volumes.has(v.name)) this.sandbox.volumes.set(v.name, { files: new Map() });
    this.mountRetryMs = 0;
    this.unmounted = NONE;
    if (this.mountWait !== undefined) this.ctx.cancelTimer(this.mountWait);
    this.mountWait = undefined;
    if (this.firstMount === 'mounting') this.firstMount = 'mounted';
    else this.sendPod({ type: 'VOLUMES_READY' });
  }

  /**
   * The round's first failure ends it. A claim's own wait timed out (mountClaim, no `volume`): the
   * sync failed, tried again after the pod worker's back-off period. A ConfigMap, Secret or
   * downward API volume: the mount's back-off.
   */
  private mountFailed(round: MountRound, reason: string, message: string, volume?: string): void {
    if (round.failed) return;
    round.failed = true;
    this.event('Warning', reason, message);
    let retryMs: number;
    if (volume === undefined) retryMs = this.syncBackOffMs();
    else {
      retryMs = this.mountRetryMs = this.mountRetryMs === 0 ? MOUNT_RETRY_INITIAL_MS : Math.min(this.mountRetryMs * 2, MOUNT_RETRY_MAX_MS);
      this.unmounted = [volume];
      this.waitForMounts(POD_ATTACH_AND_MOUNT_TIMEOUT_MS);
    }
    const failed: PodMachineEvent = { type: 'VOLUMES_FAILED', message, retryMs };
    if (this.firstMount === 'mounting') this.firstMount = failed;
    else this.sendPod(failed);
  }

  /**
   * A volume made of sources (see volumeSources; the kube-api-access volume of every pod among
   * them): a bound ServiceAccount token, ConfigMap and Secret keys, and downward API fields.
   */
  private mountSources(round: MountRound, volume: string, sources: any[]): void {
    const files = new ProjectedFiles();
    // The ConfigMaps and Secrets still being read, and this pass over the sources.
    const reads = { left: 1 };
    for (const s of sources) {
      if (s.serviceAccountToken) {
        files.setLazily(s.serviceAccountToken.path, this.tokenMaker(s.serviceAccountToken, this.ctx.now()));
      } else if (s.downwardAPI) {
        for (const item of s.downwardAPI.items ?? []) if (item.fieldRef) files.set(item.path, downwardAPIFile(item.fieldRef.fieldPath, this.pod));
      } else if (s.configMap || s.secret) {
        const kind: CachedKind = s.configMap ? 'ConfigMap' : 'Secret';
        const src = s.configMap ?? s.secret;
        reads.left++;
        this.readObject(kind, src.name, (obj) => {
          const what = kind.toLowerCase();
          if (!obj) {
            if (src.optional) this.sourceRead(round, volume, files, reads);
            else this.mountFailed(round, 'FailedMount', `MountVolume.SetUp failed for volume "${volume}" : ${what} "${src.name}" not found`, volume);
            return;
          }
          const all = volumeFiles(kind, obj);
          const missing = (src.items ?? []).find((it: any) => !all.has(it.key));
          if (missing && !src.optional) {
            this.mountFailed(round, 'FailedMount', `MountVolume.SetUp failed for volume "${volume}" : ${what} references non-existent config key: ${missing.key}`, volume);
            return;
          }
          const items: Array<{ key: string; path: string }> = src.items ?? [...all.keys()].map((key) => ({ key, path: key }));
          for (const it of items) if (all.has(it.key)) files.set(it.path, all.get(it.key)!);
          this.sourceRead(round, volume, files, reads);
        });
      }
    }
    this.sourceRead(round, volume, files, reads);
  }

  private sourceRead(round: MountRound, volume: string, files: ProjectedFiles, reads: { left: number }): void {
    if (--reads.left === 0) this.volumeSetUp(round, volume, { files });
  }

  /**
   * The sync's WaitForAttachAndMount (volume_manager.go) while a volume keeps failing to mount:
   * after 2 min 3 s it gives up with FailedMount "Unable to attach or mount volumes: …", and the
   * pod worker's next sync (10–15 s later) waits again. Claims time their own wait (mountClaim).
   */
  private waitForMounts(ms: number): void {
    if (this.mountWait !== undefined) return;
    this.mountWait = this.ctx.startTimer('volume-wait', ms, () => {
      this.mountWait = undefined;
      if (this.unmounted.length === 0 || this.terminating) return;
      this.event('Warning', 'FailedMount', attachAndMountTimeoutMessage(this.unmounted, [], []));
      this.waitForMounts(this.syncBackOffMs() + POD_ATTACH_AND_MOUNT_TIMEOUT_MS);
      this.rethrow();
    });
  }

  /** Makes the token later; a closure of its own, so it keeps nothing else of the mount alive. */
  private tokenMaker(src: any, issuedAt: number): () => string {
    return () => this.boundToken(src, issuedAt);
  }

  /**
   * The token the kubelet's token manager would get from TokenRequest for this pod: a JWT with
   * upstream's claims, signed by nobody (its signature bytes come from the seeded stream).
   */
  private boundToken(src: any, issuedAt: number): string {
    const iat = Math.floor((this.opts.epoch + issuedAt) / 1000);
    const ns = this.pod.metadata.namespace!;
    const sa = this.pod.spec.serviceAccountName ?? 'default';
    const rnd = this.ctx.random('tokens');
    const issuer = 'https://kubernetes.default.svc.cluster.local';
    const claims = {
      aud: [src.audience ?? issuer], exp: iat + (src.expirationSeconds ?? 3600), iat, iss: issuer, jti: hex(rnd, 32),
      'kubernetes.io': { namespace: ns, node: { name: this.opts.host.spec.name }, pod: { name: this.pod.metadata.name, uid: this.pod.metadata.uid }, serviceaccount: { name: sa } },
      nbf: iat, sub: `system:serviceaccount:${ns}:${sa}`,
    };
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${part({ alg: 'RS256', kid: 'kubesim' })}.${part(claims)}.${Buffer.from(rnd.bytes(256)).toString('base64url')}`;
  }

  /**
   * A ConfigMap or Secret a volume needs (undefined if it does not exist): from the kubelet's
   * watch-based cache once that has listed, else with a GET of its own (the first pod to ask).
   */
  private readObject(kind: CachedKind, name: string, cb: (obj: KubeObject | undefined) => void): void {
    const namespace = this.pod.metadata.namespace!;
    const cached = this.opts.port.cachedObject(kind, namespace, name);
    if (cached) return cb(cached.object);
    this.client.get({ apiVersion: 'v1', kind }, namespace, name, (r) => {
      cb(r.ok ? r.object : undefined);
      this.rethrow();
    });
  }

  private claimMount(v: any): ClaimMount {
    return {
      client: this.client, backend: this.opts.host.volumes, node: this.opts.host.spec.name, namespace: this.pod.metadata.namespace!,
      claimName: v.persistentVolumeClaim.claimName, readOnly: Boolean(v.persistentVolumeClaim.readOnly),
      volumeName: v.name, podUid: this.pod.metadata.uid, ctx: this.ctx,
    };
  }

  private killAll(): void {
    const at = this.ctx.now();
    for (const slot of this.slots.values()) slot.actor.send({ type: 'KILL', at, reason: 'pod' });
    this.checkAllStopped();
  }

  private onTerminated(): void {
    for (const v of this.pod.spec.volumes ?? []) if (v.persistentVolumeClaim) unmountClaim(this.claimMount(v));
    this.flushStatus();
    this.ctx.send(this.opts.kubelet, { type: msg.POD_TERMINATED, uid: this.sandbox.uid });
  }

  /** A process dies from outside (fault injection): the container exits with the given code. */
  private crashContainer(m: msg.ContainerCrash): void {
    const slot = this.slots.get(m.container);
    if (!slot?.record.process) return;
    this.handleUpdate(slot, { exited: { code: m.exitCode, reason: m.exitCode === 0 ? 'Completed' : 'Error' } });
  }

  private onDelete(m: msg.PodDelete): void {
    if (this.terminating) return;
    this.terminating = true;
    this.graceMs = m.graceMs;
    this.sendPod({ type: 'DELETE', graceMs: m.graceMs });
  }

  // ------------------------------------------------------------------ container machine commands

  private onContainerEmit(slot: ContainerSlot, ev: any): void {
    switch (ev.type) {
      case 'cri':
        if (ev.op === 'ensureImage') this.ensureImage(slot);
        else if (ev.op === 'run') this.runContainer(slot);
        else if (ev.op === 'probe') this.probe(slot, ev.probe as ProbeName);
        else if (ev.op === 'kill') this.kill(slot, ev.reason);
        break;
      case 'kubelet-event': this.containerEvent(slot, ev); break;
      case 'self': this.defer(() => slot.actor.send({ type: ev.event, at: this.ctx.now(), reason: ev.reason })); break;
      case 'status': this.flushStatusSoon(); break;
    }
  }

  private onContainerChange(slot: ContainerSlot): void {
    if (this.waking) return;
    const snap = slot.actor.getSnapshot();
    const c = snap.context;
    const top = topState(snap.value);
    slot.record.resume = {
      restartCount: c.restartCount, backoff: c.backoff,
      running: top === 'Running' ? { startedAt: c.startedAt } : undefined,
      terminated: top === 'Running' ? c.lastTermination : c.termination ?? c.lastTermination,
    };
    if (slot.kind === 'init' && top === 'Terminated' && c.termination) {
      if (c.termination.exitCode === 0) this.defer(() => this.sendPod({ type: 'INIT_CONTAINER_DONE', name: slot.name }));
      else if (this.pod.spec.restartPolicy === 'Never') this.defer(() => this.sendPod({ type: 'INIT_CONTAINER_FAILED', name: slot.name }));
    }
    if (slot.kind === 'sidecar' && top === 'Running' && c.started && c.restartCount === 0) {
      this.defer(() => this.sendPod({ type: 'INIT_CONTAINER_DONE', name: slot.name }));
    }
    if (this.terminating) this.checkAllStopped();
  }

  /** Pull policy, serialised pulls, Pulling/Pulled/Failed events (kuberuntime image manager). */
  private ensureImage(slot: ContainerSlot): void {
    const host = this.opts.host;
    const image: string = slot.spec.image;
    const policy = slot.spec.imagePullPolicy ?? 'IfNotPresent';
    const present = host.images.has(slot.imageRef);
    const now = this.ctx.now();
    if (policy === 'Never' && !present) {
      const message = imageNeverPullMessage(image);
      this.event('Warning', 'ErrImageNeverPull', message, slot);
      this.resyncInBackOff();
      return this.defer(() => slot.actor.send({ type: 'PULL_FAILED', at: this.ctx.now(), reason: 'ErrImageNeverPull', message }));
    }
    if (present && policy !== 'Always') {
      this.event('Normal', 'Pulled', intern(alreadyPresentMessage(image)), slot);
      return this.defer(() => slot.actor.send({ type: 'IMAGE_READY', at: this.ctx.now() }));
    }
    this.event('Normal', 'Pulling', intern(pullingImageMessage(image)), slot);
    const secrets = (this.pod.spec.imagePullSecrets ?? []).map((s: any) => s.name);
    const result = host.imageService.pull(image, secrets);
    const inFlight = result.ok ? host.pullsInFlight.get(slot.imageRef) : undefined;
    const begin = inFlight ?? Math.max(now, host.pullerFreeAt);
    const end = inFlight ?? begin + result.durationMs;
    if (inFlight === undefined) host.pullerFreeAt = end;
    if (result.ok && inFlight === undefined) host.pullsInFlight.set(slot.imageRef, end);
    this.ctx.startTimer(`pull ${slot.name}`, end - now, () => {
      const at = this.ctx.now();
      if (result.ok) {
        if (!host.images.has(slot.imageRef)) {
          host.images.set(slot.imageRef, result.image.sizeBytes);
          this.ctx.send(this.opts.kubelet, { type: msg.HOST_CHANGED });
        }
        if (host.pullsInFlight.get(slot.imageRef) === end) host.pullsInFlight.delete(slot.imageRef);
        this.event('Normal', 'Pulled', pulledImageMessage(image, result.durationMs, result.image.sizeBytes, end - now), slot);
        slot.actor.send({ type: 'IMAGE_READY', at });
      } else {
        this.event('Warning', 'Failed', failedToPullMessage(image, result), slot);
        this.event('Warning', 'Failed', `Error: ${result.reason}`, slot);
        slot.actor.send({ type: 'PULL_FAILED', at, reason: result.reason, message: criPullError(result) });
        // The sync fails: the pod worker tries again after its back-off period.
        this.resyncInBackOff();
      }
      this.rethrow();
    });
  }

  /** Resolves the environment, creates and starts the process (Created, Started events). */
  private runContainer(slot: ContainerSlot): void {
    const refs = environmentRefs(slot.spec);
    const fetched = new Map<string, KubeObject | undefined>();
    if (refs.length === 0) return this.createProcess(slot, fetched);
    let pending = refs.length;
    for (const ref of refs) {
      this.client.get({ apiVersion: 'v1', kind: ref.kind }, this.pod.metadata.namespace, ref.name, (r) => {
        fetched.set(`${ref.kind}/${ref.name}`, r.ok ? r.object : undefined);
        if (--pending === 0) this.createProcess(slot, fetched);
        this.rethrow();
      });
    }
  }

  /** With the ConfigMaps and Secrets the environment reads: the container is created, then started. */
  private createProcess(slot: ContainerSlot, fetched: Map<string, KubeObject | undefined>): void {
    let env: Record<string, string>;
    try {
      env = buildEnvironment(this.pod, slot.spec, fetched, this.sandbox.podIP, this.opts.host);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.event('Warning', 'Failed', `Error: ${error}`, slot);
      this.resyncInBackOff();
      return this.defer(() => slot.actor.send({ type: 'CONFIG_ERROR', at: this.ctx.now(), message: error }));
    }
    this.ctx.startTimer(`create ${slot.name}`, CONTAINER_CREATE_MS, () => {
      this.startProcess(slot, env);
      this.rethrow();
    });
  }

  private startProcess(slot: ContainerSlot, env: Record<string, string>): void {
    const host = this.opts.host;
    const rnd = this.ctx.random('containers');
    slot.record.id = joined('containerd://', hex(rnd, 64));
    rotateContainerLog(slot.record);
    const image = host.imageService.inspect(slot.spec.image);
    if (!image) {
      this.resyncInBackOff();
      return this.defer(() => slot.actor.send({ type: 'RUN_FAILED', at: this.ctx.now(), message: `failed to create containerd container: image "${slot.spec.image}" not found` }));
    }
    const process = createContainerProcess({
      container: slot.spec, image, env, mounts: this.mountsFor(slot.spec),
      behavior: this.opts.behaviorFor(this.pod, slot.spec), memoryLimit: memoryLimit(slot.spec),
      random: rnd, epoch: this.opts.epoch, hostname: this.pod.spec.hostname ?? this.pod.metadata.name!, podIP: this.sandbox.podIP,
    });
    slot.record.process = process;
    this.event('Normal', 'Created', intern(`Created container: ${slot.name}`), slot);
    this.event('Normal', 'Started', intern(`Started container ${slot.name}`), slot);
    const now = this.ctx.now();
    slot.actor.send({ type: 'STARTED', at: now });
    this.handleUpdate(slot, process.start(now));
  }

  private mountsFor(container: any): Array<{ path: string; store: VolumeStore; readOnly?: boolean }> {
    const out: Array<{ path: string; store: VolumeStore; readOnly?: boolean }> = [];
    for (const m of container.volumeMounts ?? []) {
      const store = this.sandbox.volumes.get(m.name);
      if (store) out.push({ path: m.mountPath, store, readOnly: m.readOnly });
    }
    return out;
  }

  private handleUpdate(slot: ContainerSlot, u: ProcessUpdate): void {
    // A command the simulation does not run for real says how it was treated.
    for (const notice of u.notices ?? []) this.event('Normal', 'SimulatedCommand', notice, slot);
    if (u.output?.length) appendContainerLog(slot.record, this.ctx.now(), u.output);
    if (u.exited) {
      this.clearWake(slot);
      if (slot.killTimer !== undefined) this.ctx.cancelTimer(slot.killTimer);
      slot.killTimer = undefined;
      slot.record.process = undefined;
      const { code, reason, message } = u.exited;
      const containerID = slot.record.id || undefined;
      this.defer(() => slot.actor.send({ type: 'EXITED', at: this.ctx.now(), exitCode: code, reason, message, containerID }));
      return;
    }
    if (u.wakeAt !== undefined) this.scheduleWake(slot, u.wakeAt);
  }

  private scheduleWake(slot: ContainerSlot, at: number): void {
    this.clearWake(slot);
    slot.record.wakeAt = at;
    slot.wakeTimer = this.ctx.startTimer(`wake ${slot.name}`, Math.max(0, at - this.ctx.now()), () => {
      slot.wakeTimer = undefined;
      slot.record.wakeAt = undefined;
      const p = slot.record.process;
      if (p) this.handleUpdate(slot, p.wake(this.ctx.now()));
      this.rethrow();
    });
  }

  private clearWake(slot: ContainerSlot): void {
    if (slot.wakeTimer !== undefined) this.ctx.cancelTimer(slot.wakeTimer);
    slot.wakeTimer = undefined;
    slot.record.wakeAt = undefined;
  }

  private probe(slot: ContainerSlot, probe: ProbeName): void {
    const spec: ProbeSpec = slot.spec[`${probe}Probe`];
    const p = slot.record.process;
    const r = p ? p.probe(spec, this.ctx.now()) : { result: 'Failure' as const, message: 'container is not running' };
    this.defer(() => slot.actor.send({ type: 'PROBE_RESULT', at: this.ctx.now(), probe, result: r.result, message: r.message }));
  }

  /** Killing: preStop hook (pod deletion), SIGTERM, then SIGKILL when the grace period ends. */
  private kill(slot: ContainerSlot, reason: 'pod' | 'liveness' | 'startup'): void {
    const p = slot.record.process;
    const probeGrace = reason !== 'pod' ? slot.spec[`${reason}Probe`]?.terminationGracePeriodSeconds : undefined;
    const graceMs = reason === 'pod' ? this.graceMs : (probeGrace ?? this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const message = reason === 'pod' ? `Stopping container ${slot.name}` : `Container ${slot.name} failed ${reason} probe, will be restarted`;
    this.event('Normal', 'Killing', message, slot);
    if (!p) return this.defer(() => slot.actor.send({ type: 'EXITED', at: this.ctx.now(), exitCode: 137, reason: 'Error', containerID: slot.record.id || undefined }));
    let termAt = this.ctx.now();
    const preStop = reason === 'pod' ? slot.spec.lifecycle?.preStop : undefined;
    if (preStop && graceMs > 0) {
      const hook = p.hook(preStop, termAt);
      if (hook.result === 'Failure') this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${hook.message ?? ''}`, slot);
      termAt += Math.min(hook.durationMs, graceMs);
    }
    const deadline = this.ctx.now() + graceMs;
    this.ctx.startTimer(`sigterm ${slot.name}`, termAt - this.ctx.now(), () => {
      const proc = slot.record.process;
      if (!proc) return;
      this.handleUpdate(slot, proc.signal('TERM', this.ctx.now()));
      if (slot.record.process) {
        slot.killTimer = this.ctx.startTimer(`sigkill ${slot.name}`, Math.max(0, deadline - this.ctx.now()), () => {
          slot.killTimer = undefined;
          const still = slot.record.process;
          if (still) this.handleUpdate(slot, still.signal('KILL', this.ctx.now()));
          this.rethrow();
        });
      }
      this.rethrow();
    });
  }

  private containerEvent(slot: ContainerSlot, ev: any): void {
    if (ev.what === 'pullBackOff' || ev.what === 'crashBackOff') {
      this.backOffEvents(slot, ev.what);
      this.resyncInBackOff();
    } else if (ev.what === 'probeFailed') {
      const label = ev.probe === 'startup' ? 'Startup' : ev.probe === 'liveness' ? 'Liveness' : 'Readiness';
      this.event('Warning', 'Unhealthy', `${label} probe failed: ${ev.message ?? ''}`, slot);
    }
  }

  /** What a sync of the pod records for a container backing off (kuberuntime_manager doBackOff, the image puller). */
  private backOffEvents(slot: ContainerSlot, what: 'pullBackOff' | 'crashBackOff'): void {
    if (what === 'pullBackOff') {
      this.event('Normal', 'BackOff', backOffPullingMessage(slot.spec.image), slot);
      this.event('Warning', 'Failed', 'Error: ImagePullBackOff', slot);
    } else {
      const p = this.pod.metadata;
      this.event('Warning', 'BackOff', `Back-off restarting failed container ${slot.name} in pod ${p.name}_${p.namespace}(${p.uid})`, slot);
    }
  }

  /**
   * A sync that fails (a pull that failed or is backing off, a container in CrashLoopBackOff) is
   * tried again after wait.Jitter(10 s, 0.5) (pod_workers.go backOffPeriod). Each try pulls again
   * once the image's back-off has ended, or records the back-off events again; the retries go on
   * until no container is waiting on them.
   */
  private resyncInBackOff(): void {
    if (this.backOffSync !== undefined) return;
    this.backOffSync = this.ctx.startTimer('sync-backoff', this.syncBackOffMs(), () => {
      this.backOffSync = undefined;
      if (!this.terminating) {
        for (const slot of this.slots.values()) {
          const what = backOffOf(slot.snapshot().value);
          if (what === 'sync') slot.actor.send({ type: 'SYNC', at: this.ctx.now() });
          else if (what === 'crashBackOff') this.backOffEvents(slot, what);
        }
        if ([...this.slots.values()].some((slot) => backOffOf(slot.snapshot().value))) this.resyncInBackOff();
      }
      this.rethrow();
    });
  }

  /** When a failed sync is tried again: wait.Jitter(backOffPeriod, 0.5), 10–15 s. */
  private syncBackOffMs(): number {
    return BACKOFF_SYNC_MS + this.ctx.random('pod-sync').int(BACKOFF_SYNC_MS / 2 + 1);
  }

  private checkAllStopped(): void {
    for (const slot of this.slots.values()) if (topState(slot.snapshot().value) !== 'Dead') return;
    this.defer(() => this.sendPod({ type: 'ALL_CONTAINERS_STOPPED' }));
  }

  // ------------------------------------------------------------------ status and events

  private flushStatusSoon(): void {
    if (this.statusTimer !== undefined) return;
    this.statusTimer = this.ctx.startTimer('status', 0, () => {
      this.statusTimer = undefined;
      this.flushStatus(true);
      this.rethrow();
      this.hibernate();
    });
  }

  /**
   * Generates the pod's status and hands it to the status manager; the pod machine follows the
   * phase. `ownStep`: called in a step of its own (the status timer), not from within a machine's
   * transition, so the machine hears the phase at once rather than in a deferred step.
   */
  private flushStatus(ownStep = false): void {
    const podSnap = this.podSnapshot()!;
    const rejected = podSnap.context.rejectReason ? { reason: podSnap.context.rejectReason, message: podSnap.context.rejectMessage ?? '' } : undefined;
    const status = computePodStatus({
      pod: this.pod, previous: this.lastStatus, init: this.containerViews(false), app: this.containerViews(true), sandboxReady: this.sandboxReady,
      initialized: this.initialized, terminating: this.terminating, rejected, podIP: this.sandbox.podIP || undefined,
      hostIP: this.opts.host.hostIP, startTime: this.startTime, now: this.ctx.now(), epoch: this.opts.epoch,
    });
    this.lastStatus = this.opts.port.setPodStatus({ uid: this.sandbox.uid, namespace: this.pod.metadata.namespace!, name: this.pod.metadata.name!, status });
    const machinePhase = topState(podSnap.value);
    if (machinePhase !== 'Terminating' && machinePhase !== 'Terminated' && status.phase !== machinePhase) {
      if (ownStep) this.followPhase(status.phase);
      else this.defer(() => this.followPhase(status.phase));
    }
  }

  /** The pod machine takes the phase of the status just generated (which it need not report again). */
  private followPhase(phase: string): void {
    this.followingPhase = true;
    try {
      this.sendPod({ type: 'PHASE', phase });
    } finally {
      this.followingPhase = false;
    }
  }

  /** The app containers' states, or the init and sidecar containers', for the pod status. */
  private containerViews(app: boolean): ContainerView[] {
    const out: ContainerView[] = [];
    for (const s of this.slots.values()) {
      if ((s.kind === 'app') !== app) continue;
      const snap = s.snapshot();
      out.push({ name: s.name, image: s.spec.image, imageID: this.imageID(s), containerID: s.record.id || undefined, value: snap.value, context: snap.context });
    }
    return out;
  }

  private imageID(slot: ContainerSlot): string {
    if (!this.opts.host.images.has(slot.imageRef)) return '';
    const info = this.opts.host.imageService.inspect(slot.spec.image);
    return info ? intern(`${info.repository}@${info.digest}`) : '';
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, slot?: ContainerSlot): void {
    const fieldPath = slot ? intern(`spec.${slot.kind === 'app' ? 'containers' : 'initContainers'}{${slot.name}}`) : undefined;
    this.opts.port.podEvent({ uid: this.sandbox.uid, namespace: this.pod.metadata.namespace!, name: this.pod.metadata.name!, eventType: type, reason, message, fieldPath });
  }

  /** Sends to the pod machine while it runs (it stops by itself in its final state, Terminated). */
  private sendPod(ev: any): void {
    if (this.podActor.getSnapshot().status === 'active') this.podActor.send(ev);
  }

  /** Delivers an event to a machine after the current transition, at the same virtual time. */
  private defer(fn: () => void): void {
    this.deferred++;
    this.ctx.startTimer('defer', 0, () => {
      this.deferred--;
      fn();
      this.rethrow();
      this.hibernate();
    });
  }

  private rethrow(): void {
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      throw f instanceof Error ? f : new Error(String(f));
    }
  }
}

/** One pass over a pod's volumes (the volume manager's mount of them for one sync). */
interface MountRound {
  volumes: any[];
  /** Volumes still being set up. */
  left: number;
  /** One failed: the others' results are dropped, the round is tried again later. */
  failed: boolean;
}

// -------------------------------------------------------------------- pure helpers

/**
 * A projected volume's files. The token is made when a process first reads it: most never do,
 * and a token is about a kilobyte for each of a large cluster's pods.
 */
class ProjectedFiles extends Map<string, string> {
  private lazyPath: string | undefined;
  private make: (() => string) | undefined;

  setLazily(path: string, make: () => string): void {
    super.set(path, '');
    this.lazyPath = path;
    this.make = make;
  }

  override get(path: string): string | undefined {
    if (path === this.lazyPath && this.make) {
      super.set(path, this.make());
      this.make = undefined;
    }
    return super.get(path);
  }
}

const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

/** A flag of a machine input in initialState's key: t, f or u (undefined, which JSON would leave out). */
function flag(b: boolean | undefined): string {
  return b === undefined ? 'u' : b ? 't' : 'f';
}

/**
 * initialState's key for a pod machine's input, without init containers: its four flags (JSON for
 * the rest). Not JSON's field names each time: the key is made for every pod that starts.
 */
function podInputKey(i: PodMachineInput): string | undefined {
  if (i.initContainers.length > 0) return undefined;
  return `p${flag(i.hasVolumes)}${flag(i.resumed)}${flag(i.admitted)}${flag(i.volumesMounted)}`;
}

/** initialState's key for a container machine's input, not resumed (JSON then): every field the machine reads. */
function containerInputKey(i: ContainerInput): string | undefined {
  if (i.resume) return undefined;
  const p = i.probes;
  return `c${i.kind}/${i.podRestartPolicy}/${flag(i.startNow)}/${p.startup || p.liveness || p.readiness ? JSON.stringify(p) : ''}/${i.name}`;
}

const PROBE_FIELDS = [['startup', 'startupProbe'], ['liveness', 'livenessProbe'], ['readiness', 'readinessProbe']] as const;

function probeTimings(c: any): Partial<Record<ProbeName, ProbeTiming>> {
  const out: Partial<Record<ProbeName, ProbeTiming>> = {};
  for (const [name, field] of PROBE_FIELDS) {
    const p = c[field];
    if (!p) continue;
    const d = { ...PROBE_DEFAULTS, ...p };
    out[name] = { initialDelayMs: d.initialDelaySeconds * 1000, periodMs: d.periodSeconds * 1000, successThreshold: d.successThreshold, failureThreshold: d.failureThreshold };
  }
  return out;
}

function memoryLimit(c: any): number {
  const l = c.resources?.limits?.memory;
  return l === undefined ? 0 : parseQuantity(l);
}

/** Volumes whose contents the kubelet sets up: from the API, the pod itself or the storage plug-in. */
function needsLookup(v: any): boolean {
  return volumeSources(v) !== undefined || Boolean(v.persistentVolumeClaim);
}

/**
 * The sources of a volume's files: a projected volume's, or a ConfigMap, Secret or downward API
 * volume as a projection of that one source (the same items, optional and file rules).
 */
function volumeSources(v: any): any[] | undefined {
  if (v.projected) return v.projected.sources ?? [];
  if (v.configMap) return [{ configMap: v.configMap }];
  if (v.secret) return [{ secret: { ...v.secret, name: v.secret.secretName } }];
  if (v.downwardAPI) return [{ downwardAPI: v.downwardAPI }];
  return undefined;
}

function volumeFiles(kind: string, obj: KubeObject): Map<string, string> {
  const files = new Map<string, string>();
  if (kind === 'ConfigMap') for (const [k, v] of Object.entries(obj.data ?? {})) files.set(k, String(v));
  if (kind === 'Secret') {
    for (const [k, v] of Object.entries(obj.data ?? {})) files.set(k, Buffer.from(String(v), 'base64').toString('utf8'));
    for (const [k, v] of Object.entries(obj.stringData ?? {})) files.set(k, String(v));
  }
  return files;
}

function hex(rnd: { int(n: number): number }, n: number): string {
  // One string from the digits' codes: appending digit by digit makes a rope node per digit.
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) codes[i] = HEX_DIGITS[rnd.int(16)];
  return String.fromCharCode.apply(null, codes);
}

/** State values seen in hibernating snapshots, one frozen copy each (most settled pods share a few). */
const stateValues = new Map<string, unknown>();

/**
 * A persisted snapshot that shares what thousands of hibernating pods repeat: its state value
 * (the runner already shares its empty history and children). XState reads it when it restores,
 * never changes it.
 */
function compactSnapshot(snap: AnyMachineSnapshot): AnyMachineSnapshot {
  const s = snap as any;
  if (typeof s.value === 'object' && s.value !== null) {
    const key = JSON.stringify(s.value);
    let shared = stateValues.get(key);
    if (shared === undefined && stateValues.size < 4096) stateValues.set(key, (shared = deepFreeze(s.value)));
    if (shared !== undefined) s.value = shared;
  }
  return snap;
}

/**
 * What a container machine waits on the pod worker's next sync for, if anything: the end of a
 * crash back-off (the worker records BackOff), or a sync to pull or create it again (`SYNC`).
 */
function backOffOf(value: any): 'sync' | 'crashBackOff' | undefined {
  const waiting = value?.Waiting;
  if (waiting === 'CrashLoopBackOff') return 'crashBackOff';
  if (waiting?.ImagePullBackOff === 'BackingOff' || waiting?.ErrImagePull === 'Failed') return 'sync';
  if (waiting === 'CreateContainerConfigError' || waiting === 'RunContainerError') return 'sync';
  return undefined;
}
