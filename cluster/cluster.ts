// The public API of a simulated cluster: boot it, apply manifests, read and change objects,
// advance virtual time, inject faults. Scenarios, the CLI and tests use only this.
// Every call goes through the runtime as a message from the `kubectl` client actor.
import { clientRateLimits, type ClientRateLimits, type RateLimit } from '../client/rate-limiter.ts';
import { Runtime, Supervisor, MemoryTraceSink, type ActorContext, type ActorLogic, type ChildSpec, type Envelope, type TraceSink, type FaultHook } from '../runtime/index.ts';
import { Controller } from '../actors/controllers/controller.ts';
import { SHARED_INFORMERS, SharedInformerFactory, SharedInformersActor } from '../client/shared-informers.ts';
import { ApiServer } from '../api/server.ts';
import { compareEvents, eventTimestamp } from '../api/eventutil.ts';
import { HEX_DIGITS } from '../api/equal.ts';
import { registerPriorityAdmission } from '../api/admission-priority.ts';
import { registerServiceAccountAdmission } from '../api/admission-serviceaccount.ts';
import { ServiceAccountsController } from '../actors/controllers/serviceaccount.ts';
import { RootCACertPublisher, caBundleFrom } from '../actors/controllers/root-ca-publisher.ts';
import { ApiServerActor, DROP_CONNECTIONS } from '../actors/apiserver.ts';
import { GarbageCollector } from '../actors/controllers/garbage-collector.ts';
import { NamespaceController } from '../actors/controllers/namespace.ts';
import { ReplicaSetController } from '../actors/controllers/replicaset.ts';
import { NodeLifecycleController } from '../actors/controllers/node-lifecycle.ts';
import { TaintEvictionController } from '../actors/controllers/taint-eviction.ts';
import { PodGCController } from '../actors/controllers/pod-gc.ts';
import { DeploymentController } from '../actors/controllers/deployment.ts';
import { HorizontalPodAutoscalerController } from '../actors/controllers/hpa.ts';
import { DisruptionController } from '../actors/controllers/disruption.ts';
import { MetricsServer } from '../actors/metrics-server.ts';
import { registerEviction } from '../api/eviction.ts';
import { rollout as runRollout, type RolloutAction } from './rollout.ts';
import { drain as runDrain, cordon as runCordon, type DrainOptions } from './drain.ts';
import { Scheduler } from '../actors/scheduler/scheduler.ts';
import { Kubelet, nodeActorId } from '../actors/node/kubelet.ts';
import { NodeHost, type ImageService, type NodeSpec } from '../actors/node/host.ts';
import { CONTAINER_CRASH, HOST_CHANGED } from '../actors/node/messages.ts';
import { VolumeBackend } from '../actors/storage/backend.ts';
import { StatefulSetController } from '../actors/controllers/statefulset.ts';
import { DaemonSetController } from '../actors/controllers/daemonset.ts';
import { JobController } from '../actors/controllers/job.ts';
import { CronJobController } from '../actors/controllers/cronjob.ts';
import { TTLAfterFinishedController } from '../actors/controllers/ttl-after-finished.ts';
import { storageControllers, storageActors, registerDefaultStorageClass } from '../actors/storage/index.ts';
import { ImageRegistry, normaliseImage, parseImageRef } from '../cri/images.ts';
import type { ProcessBehavior } from '../cri/types.ts';
import { ApiClient } from '../client/client.ts';
import { StatusError, isStatusError, type Status } from '../api/errors.ts';
import { SYSTEM_MASTERS, type KubeObject, type WatchEvent } from '../api/types.ts';
import { apiVersionOf, groupResource, lookupKind, lookupResource, noKindMatchError, type KindInfo } from '../api/registry.ts';
import type { ApiRequest, DeleteOptions } from '../api/request.ts';
import type { PatchType } from '../api/patch.ts';
import { formatTime, DEFAULT_EPOCH } from '../api/time.ts';
import { loadManifests, parseManifests, type ManifestDoc } from './manifests.ts';
import { parseLastApplied, threeWayPatch, withLastApplied } from './apply.ts';
import { parseDuration } from './duration.ts';
import {
  describeDeployment, describeNode, describePod, describeReplicaSet, deploymentReplicaSets, nodeEvents, nodeNonTerminatedPods, notDescribedError,
  objectEvents, podEvents, type NodeLease,
} from '../cli/describe.ts';
import { FileTraceSink } from './trace-file.ts';
import { formatLog, instanceLog, logContainerID, podContainer, podForLogs, type LogOptions } from './logs.ts';

/** The virtual time a `cluster.exec` command may take (its sleeps). */
const EXEC_BUDGET_MS = 3_600_000;

export interface ClusterOptions {
  /** The run's seed: same seed, same run. Default 1. */
  seed?: number;
  /** Where the trace goes: a file path, a sink, or true for an in-memory trace (cluster.traceLines()). */
  trace?: string | TraceSink | boolean;
  /** Wall-clock instant of virtual time 0 (ms since the Unix epoch). Default 2025-01-01T00:00:00Z. */
  epoch?: number;
  /** Freeze stored objects so that no reader can mutate shared state. Default true. */
  freeze?: boolean;
  /** Recorded in the trace header so `kubesim replay` can re-run it. */
  origin?: Record<string, unknown>;
  /** Nodes to boot (each a node actor running a kubelet). Default 3; 0 for an API-only cluster. */
  nodes?: number;
  /** Per-node capacity: cpu (default '4'), memory (default '16Gi'), pods (default 110). */
  nodeCpu?: string;
  nodeMemory?: string;
  nodePods?: number;
  /** Spread nodes across these zones (label topology.kubernetes.io/zone), round-robin. */
  zones?: string[];
  /** Replace built-in controllers by actor id (the model checker's planted bugs). */
  controllers?: Record<string, () => ActorLogic>;
  /**
   * Let idle periodic writes stand (Lease renewals, unchanged NodeStatus reports): one standing
   * stream per node instead of a write per period, applied when anybody looks (api/heartbeats.ts).
   * Default true; the model checker turns it off so that every renewal is a delivery it can
   * reorder or drop.
   */
  standingHeartbeats?: boolean;
  /**
   * kube-controller-manager's controllers share one informer per resource (one list and watch,
   * as upstream's shared informer factory). Default true; the model checker turns it off so that
   * each controller hears each event in a delivery of its own, an interleaving it can choose.
   */
  sharedInformers?: boolean;
  /**
   * The components' client-side rate limits (client-go's token buckets), upstream's defaults
   * unless given here: each kube-controller-manager controller 20 requests/s with bursts of 30,
   * kube-scheduler 50/100 (and its events as much again), each kubelet 50/100 (and its events
   * 50/100; its heartbeats none), the CSI sidecars 5/10 each. `false` turns them all off, as
   * does `false` for one of them.
   */
  clientRateLimits?: Partial<ClientRateLimits> | false;
}

/** Defaults the CLI sets for scenarios it runs (`kubesim run --seed 7 --trace t.jsonl`). */
const DEFAULTS_KEY = Symbol.for('kubesim.clusterDefaults');
export function setClusterDefaults(opts: ClusterOptions | undefined): void {
  (globalThis as any)[DEFAULTS_KEY] = opts;
}
function clusterDefaults(): ClusterOptions {
  return (globalThis as any)[DEFAULTS_KEY] ?? {};
}
/** Clusters created in this process (the CLI closes their traces at exit). */
const CREATED_KEY = Symbol.for('kubesim.clusters');
export function createdClusters(): Cluster[] {
  return ((globalThis as any)[CREATED_KEY] ??= []);
}

export interface ApplyOutcome {
  /** `deployment.apps/nginx` */
  ref: string;
  action: 'created' | 'configured' | 'unchanged' | 'failed';
  object?: KubeObject;
  error?: Status;
  doc: ManifestDoc;
}

/** Thrown by apply() when some documents were rejected (the others were applied). */
export class ApplyError extends Error {
  constructor(readonly outcomes: ApplyOutcome[]) {
    super(outcomes.filter((o) => o.error).map((o) => formatApplyError(o)).join('\n'));
    this.name = 'ApplyError';
  }
}

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface TimelineEntry {
  time: number;
  type: string;
  reason: string;
  object: string;
  message: string;
}

export const KUBECTL = 'kubectl';

/** The user's client (kubectl) as an actor: its replies and watch events arrive as messages. */
class KubectlActor implements ActorLogic {
  client!: ApiClient;
  ctx!: ActorContext;
  start(ctx: ActorContext): void {
    this.ctx = ctx;
    this.client = new ApiClient(ctx, SYSTEM_MASTERS);
  }
  receive(env: Envelope): void {
    this.client.handle(env);
  }
}

export class Cluster {
  readonly runtime: Runtime;
  private readonly server: ApiServer;
  private readonly kubectl: KubectlActor;
  private readonly memoryTrace: MemoryTraceSink | undefined;
  private readonly sink: TraceSink | undefined;
  readonly epoch: number;
  /** The registries the nodes pull from: add images, make some missing or private, set behaviours. */
  readonly images = new ImageRegistry();
  /** The disks behind persistent volumes (the simulated CSI driver's storage): contents survive pods and nodes. */
  readonly storage = new VolumeBackend();
  private readonly hosts = new Map<string, NodeHost>();
  private readonly partitions = new Map<string, () => void>();
  private readonly nodeDefaults: { cpu: string; memory: string; pods: number; zones: string[] };
  private nodeCount = 0;
  private controllerOverrides: Record<string, () => ActorLogic> = {};
  private sharedInformersOn = true;
  private rateLimits: ClientRateLimits = clientRateLimits(undefined);

  constructor(opts: ClusterOptions = {}) {
    // The CLI's --seed and --trace win over what a scenario asks for.
    const defaults = Object.fromEntries(Object.entries(clusterDefaults()).filter(([, v]) => v !== undefined));
    const o: ClusterOptions = { ...opts, ...defaults };
    this.epoch = o.epoch ?? DEFAULT_EPOCH;
    this.memoryTrace = o.trace === true ? new MemoryTraceSink() : undefined;
    this.sink = typeof o.trace === 'string' ? new FileTraceSink(o.trace) : typeof o.trace === 'object' ? o.trace : this.memoryTrace;
    this.runtime = new Runtime({ seed: o.seed ?? 1, trace: this.sink, standing: o.standingHeartbeats ?? true });
    this.runtime.input('cluster', { seed: this.runtime.seed, origin: o.origin ?? null });
    const uid = this.runtime.stream('apiserver/uid');
    const names = this.runtime.stream('apiserver/names').ids('bcdfghjklmnpqrstvwxz2456789', 5);
    const alloc = this.runtime.stream('apiserver/alloc');
    this.server = new ApiServer({
      now: () => this.runtime.now(), epoch: this.epoch, uid: () => uuidFrom(uid.bytes(16)), nameSuffix: names,
      randomInt: (n) => alloc.int(n), freeze: o.freeze ?? true,
    });
    registerPriorityAdmission(this.server);
    registerServiceAccountAdmission(this.server);
    registerEviction(this.server);
    registerDefaultStorageClass(this.server);
    bootstrap(this.server);
    this.kubectl = new KubectlActor();
    this.nodeDefaults = { cpu: o.nodeCpu ?? '4', memory: o.nodeMemory ?? '16Gi', pods: o.nodePods ?? 110, zones: o.zones ?? [] };
    this.controllerOverrides = o.controllers ?? {};
    this.sharedInformersOn = o.sharedInformers ?? true;
    this.rateLimits = clientRateLimits(o.clientRateLimits);
    this.startActors();
    for (let i = 0; i < (o.nodes ?? 3); i++) this.addNode();
    this.runtime.runFor(0);
    createdClusters().push(this);
  }

  private startActors(): void {
    const server = this.server;
    const caBundle = caBundleFrom(this.runtime.stream('cluster/ca').bytes(768));
    const limits = this.rateLimits;
    const controllerManager = () => {
      const shared = this.sharedInformersOn ? new SharedInformerFactory(limits.controllerManager) : undefined;
      const share = (spec: ChildSpec): ChildSpec => configured(spec, limits.controllerManager, shared);
      const informers: ChildSpec[] = shared ? [{ id: SHARED_INFORMERS, type: 'informers', start: () => new SharedInformersActor(shared) }] : [];
      return new Supervisor([...informers, ...[
      { id: 'garbage-collector', type: 'controller', start: () => new GarbageCollector() },
      { id: 'namespace-controller', type: 'controller', start: () => new NamespaceController() },
      { id: 'replicaset-controller', type: 'controller', start: () => new ReplicaSetController() },
      { id: 'node-lifecycle-controller', type: 'controller', start: () => new NodeLifecycleController() },
      { id: 'taint-eviction-controller', type: 'controller', start: () => new TaintEvictionController() },
      { id: 'pod-garbage-collector', type: 'controller', start: () => new PodGCController() },
      { id: 'deployment-controller', type: 'controller', start: () => new DeploymentController() },
      { id: 'horizontal-pod-autoscaler', type: 'controller', start: () => new HorizontalPodAutoscalerController() },
      { id: 'disruption-controller', type: 'controller', start: () => new DisruptionController() },
      { id: 'statefulset-controller', type: 'controller', start: () => new StatefulSetController() },
      { id: 'daemonset-controller', type: 'controller', start: () => new DaemonSetController() },
      { id: 'job-controller', type: 'controller', start: () => new JobController() },
      { id: 'cronjob-controller', type: 'controller', start: () => new CronJobController() },
      { id: 'ttl-after-finished-controller', type: 'controller', start: () => new TTLAfterFinishedController() },
      { id: 'serviceaccount-controller', type: 'controller', start: () => new ServiceAccountsController() },
      { id: 'root-ca-cert-publisher', type: 'controller', start: () => new RootCACertPublisher(caBundle) },
      ...storageControllers(this.storage),
    ].map((spec) => share(this.controllerOverrides[spec.id] ? { ...spec, start: this.controllerOverrides[spec.id] } : spec))],
      { strategy: 'oneForOne', intensity: 10, period: 60_000 });
    };
    this.runtime.spawn({
      id: 'root', type: 'supervisor',
      start: () => new Supervisor([
        { id: 'kube-apiserver', type: 'apiserver', start: () => new ApiServerActor(server) },
        { id: 'kube-controller-manager', type: 'supervisor', start: controllerManager },
        { id: 'kube-scheduler', type: 'scheduler', start: () => new Scheduler(limits.scheduler) },
        { id: 'metrics-server', type: 'metrics-server', start: () => new MetricsServer() },
        ...storageActors(this.storage).map((spec) => configured(spec, limits.csiSidecars)),
      ], { strategy: 'oneForOne', intensity: 10, period: 60_000 }),
    }, '');
    const kubectl = this.kubectl;
    this.runtime.spawn({ id: KUBECTL, type: 'client', restart: 'temporary', start: () => kubectl }, '');
    this.runtime.runFor(0);
  }

  // ------------------------------------------------------------------ time

  /** Virtual milliseconds since the cluster started. */
  now(): number {
    return this.runtime.now();
  }

  /** The virtual wall-clock time, as Kubernetes timestamps show it. */
  time(): string {
    return formatTime(this.runtime.now(), this.epoch);
  }

  async runFor(duration: string | number): Promise<void> {
    this.runtime.runFor(parseDuration(duration));
  }

  /**
   * Runs until `predicate` holds, then finishes that virtual instant (everything else due at the
   * same time, such as the events recorded with a change), so reads see the instant complete.
   */
  async runUntil(predicate: (c: Cluster) => boolean, opts: { timeout?: string | number; what?: string } = {}): Promise<void> {
    this.runtime.runUntil(() => predicate(this), { timeout: parseDuration(opts.timeout ?? '1h'), what: opts.what });
    this.runtime.runFor(0);
  }

  async runUntilSettled(opts: { timeout?: string | number } = {}): Promise<void> {
    this.runtime.runUntilSettled({ timeout: parseDuration(opts.timeout ?? '1h') });
  }

  // ------------------------------------------------------------------ manifests

  /** Applies manifests (file or directory paths, YAML text, or objects), as `kubectl apply -f`. */
  async apply(source: string | string[] | KubeObject | KubeObject[]): Promise<ApplyOutcome[]> {
    const outcomes = this.applyDocuments(toDocs(source));
    if (outcomes.some((o) => o.error)) throw new ApplyError(outcomes);
    return outcomes;
  }

  /** Applies documents one by one; rejected ones are reported, the others still apply. */
  applyDocuments(docs: ManifestDoc[]): ApplyOutcome[] {
    return docs.map((doc) => this.applyOne(doc));
  }

  private applyOne(doc: ManifestDoc): ApplyOutcome {
    const config = doc.object;
    const info = lookupKind(config.apiVersion, config.kind);
    const ref = `${info ? qualifiedResource(info, true) : config.kind.toLowerCase()}/${config.metadata?.name ?? ''}`;
    this.runtime.input('apply', { ref, source: doc.source, document: doc.index });
    try {
      const namespace = info?.namespaced ? config.metadata?.namespace ?? 'default' : undefined;
      const live = info && config.metadata?.name ? this.tryGet(info, namespace, config.metadata.name) : undefined;
      if (!live) {
        const object = this.call({ verb: 'create', apiVersion: config.apiVersion, kind: config.kind, namespace, body: withLastApplied(config) });
        return { ref, action: 'created', object, doc };
      }
      const patch = threeWayPatch(parseLastApplied(live), config);
      const object = this.call({ verb: 'patch', apiVersion: config.apiVersion, kind: config.kind, namespace, name: config.metadata.name, body: patch, patchType: 'application/strategic-merge-patch+json' });
      return { ref, action: object.metadata.resourceVersion === live.metadata.resourceVersion ? 'unchanged' : 'configured', object, doc };
    } catch (e) {
      if (isStatusError(e)) return { ref, action: 'failed', error: e.status, doc };
      throw e;
    }
  }

  // ------------------------------------------------------------------ objects

  create(obj: KubeObject): KubeObject {
    const info = this.kindOf(obj);
    return this.call({ verb: 'create', apiVersion: obj.apiVersion, kind: obj.kind, namespace: info.namespaced ? obj.metadata?.namespace ?? 'default' : undefined, body: obj });
  }

  update(obj: KubeObject, subresource?: string): KubeObject {
    const info = this.kindOf(obj);
    return this.call({ verb: 'update', apiVersion: obj.apiVersion, kind: obj.kind, namespace: info.namespaced ? obj.metadata?.namespace ?? 'default' : undefined, name: obj.metadata?.name, body: obj, subresource });
  }

  patch(resource: string, name: string, patch: unknown, opts: { namespace?: string; type?: 'merge' | 'json' | 'strategic'; subresource?: string } = {}): KubeObject {
    const info = this.resource(resource);
    const types: Record<string, PatchType> = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' };
    return this.call({ verb: 'patch', apiVersion: apiVersionOf(info), kind: info.kind, namespace: this.ns(info, opts.namespace), name, body: patch, patchType: types[opts.type ?? 'strategic'], subresource: opts.subresource });
  }

  delete(resource: string, name: string, opts: DeleteOptions & { namespace?: string } = {}): KubeObject {
    const info = this.resource(resource);
    const { namespace, ...deleteOptions } = opts;
    return this.call({ verb: 'delete', apiVersion: apiVersionOf(info), kind: info.kind, namespace: this.ns(info, namespace), name, deleteOptions });
  }

  /** `POST pods/NAME/eviction` (the Eviction API): deletes the pod unless a PodDisruptionBudget forbids it (429). */
  evict(pod: string, opts: { namespace?: string; deleteOptions?: DeleteOptions } = {}): KubeObject {
    const namespace = opts.namespace ?? 'default';
    const body: Record<string, unknown> = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } };
    if (opts.deleteOptions) body.deleteOptions = opts.deleteOptions;
    return this.call({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace, name: pod, subresource: 'eviction', body });
  }

  /** Reads an object (a copy the caller may change); throws 404 when absent. */
  get(resource: string, name: string, namespace?: string): KubeObject {
    const info = this.resource(resource);
    return structuredClone(this.read({ verb: 'get', apiVersion: apiVersionOf(info), kind: info.kind, namespace: this.ns(info, namespace), name }));
  }

  /** Reads an object, or undefined when absent. */
  find(resource: string, name: string, namespace?: string): KubeObject | undefined {
    try {
      return this.get(resource, name, namespace);
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return undefined;
      throw e;
    }
  }

  /** Lists objects (copies), sorted by namespace and name. Without a namespace: all namespaces. */
  list(resource: string, query: ListQuery = {}): KubeObject[] {
    const info = this.resource(resource);
    const list = this.read({ verb: 'list', apiVersion: apiVersionOf(info), kind: info.kind, namespace: info.namespaced ? query.namespace : undefined, listOptions: { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector } });
    return structuredClone(list.items as KubeObject[]);
  }

  /** Every object in the store (Events included), in a stable order. */
  all(): KubeObject[] {
    const list = this.read({ verb: 'list', apiVersion: 'v1', kind: '*' });
    return structuredClone(list.items as KubeObject[]);
  }

  /** Watches a resource; the handler is called, during the run, for each event. Returns a stop function. */
  watch(resource: string, handler: (ev: WatchEvent, cluster: Cluster) => void, query: ListQuery & { resourceVersion?: string } = {}): () => void {
    const info = this.resource(resource);
    let error: Status | undefined;
    const id = this.kubectl.client.watch({ apiVersion: apiVersionOf(info), kind: info.kind }, info.namespaced ? query.namespace : undefined,
      { labelSelector: query.labelSelector, fieldSelector: query.fieldSelector, resourceVersion: query.resourceVersion },
      { event: (ev) => handler(ev, this), closed: () => {} }, (err) => { error = err; });
    this.runtime.runFor(0);
    if (error) throw new StatusError(error);
    return () => this.kubectl.client.unwatch(id);
  }

  /** core/v1 Events, oldest first. */
  events(query: ListQuery = {}): KubeObject[] {
    return this.list('events', query).sort((a, b) => compareEvents(a, b));
  }

  /**
   * `kubectl describe pod|node|replicaset|deployment NAME`: the object, what its describer reads
   * besides (a node's pods and Lease, a ReplicaSet's pods, a Deployment's ReplicaSets) and its
   * Events, as kubectl 1.32 prints them (at virtual now; times in UTC). A missing object throws
   * kubectl's 404; other kinds are refused.
   */
  /**
   * `kubectl logs`: a container's stdout and stderr as the kubelet serves them (GET pods/NAME/log).
   * `target` is a pod's name, or TYPE/NAME (pod/web, job/pi, deploy/web, rs, sts, ds: the pod
   * kubectl would pick). Throws kubectl's errors: an unknown container, one waiting to start, no
   * previous instance, a node the API server cannot reach.
   */
  logs(target: string, opts: LogOptions & { namespace?: string } = {}): string {
    return this.podLogs(target, opts).text;
  }

  /** logs(), with the notes kubectl writes to stderr ("Found 3 pods, using pod/…", "Defaulted container …"). */
  podLogs(target: string, opts: LogOptions & { namespace?: string } = {}): { text: string; notes: string[] } {
    const namespace = opts.namespace ?? 'default';
    const notes: string[] = [];
    let pod: KubeObject;
    const [type, name] = target.includes('/') ? target.split('/') : ['pod', target];
    const info = this.resource(type);
    if (info.kind === 'Pod') pod = this.get('pods', name, namespace);
    else if (['Job', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(info.kind)) {
      const picked = podForLogs(this.get(type, name, namespace), this.list('pods', { namespace }));
      if (!picked.pod) throw new Error('error: timed out waiting for the condition');
      if (picked.found > 1) notes.push(`Found ${picked.found} pods, using pod/${picked.pod.metadata.name}`);
      pod = picked.pod;
    } else throw new Error(`error: cannot get the logs from ${qualifiedResource(info)}`);
    const container = podContainer(pod, opts.container, notes);
    // A pod not yet scheduled has no kubelet to ask: the API server answers with an empty log.
    const node = pod.spec?.nodeName;
    if (!node) return { text: '', notes };
    // The API server proxies to the kubelet, which checks the container's state.
    const dialError = this.kubeletDialError(pod);
    if (dialError) throw new Error(`Error from server: Get "https://${pod.status?.hostIP ?? ''}:10250/containerLogs/${namespace}/${pod.metadata.name}/${container}": ${dialError}`);
    const id = logContainerID(pod, container, opts.previous === true);
    const record = this.hosts.get(node)?.sandboxes.get(pod.metadata.uid!)?.containers.get(container);
    return { text: formatLog(instanceLog(record, id), opts, this.now(), this.epoch), notes };
  }

  /** Why the API server cannot reach the kubelet of a pod's node (logs and exec are proxied to it), if it cannot. */
  private kubeletDialError(pod: KubeObject): string | undefined {
    const node = pod.spec?.nodeName ?? '';
    const address = `${pod.status?.hostIP ?? ''}:10250`;
    if (!this.hosts.get(node)?.powered || this.partitions.has(node)) return `dial tcp ${address}: connect: no route to host`;
    if (this.runtime.status(nodeActorId(node)) !== 'running') return `dial tcp ${address}: connect: connection refused`;
    return undefined;
  }

  /**
   * `kubectl exec POD [-c CONTAINER] -- COMMAND...`: runs the command in the running container, at
   * once in virtual time (its sleeps included, an hour at most), against the container's own files
   * and environment. Returns what it wrote and its exit code, with kubectl's notes (the default
   * container); throws kubectl's errors (a completed pod, a container not running, a node the API
   * server cannot reach).
   */
  exec(podName: string, command: string[], opts: { container?: string; namespace?: string } = {}): { output: string; code: number; notes: string[] } {
    const namespace = opts.namespace ?? 'default';
    const pod = this.get('pods', podName, namespace);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw new Error(`error: cannot exec into a container in a completed pod; current phase is ${phase}`);
    const notes: string[] = [];
    const container = podContainer(pod, opts.container, notes);
    const node = pod.spec?.nodeName;
    const dialError = node ? this.kubeletDialError(pod) : undefined;
    if (dialError) throw new Error(`error: unable to upgrade connection: ${dialError}`);
    const process = node ? this.hosts.get(node)?.sandboxes.get(pod.metadata.uid!)?.containers.get(container)?.process : undefined;
    this.runtime.input('exec', { pod: `${namespace}/${podName}`, container, command });
    const r = process?.exec(command, this.now(), EXEC_BUDGET_MS);
    if (!r) throw new Error(`error: unable to upgrade connection: container not found ("${container}")`);
    if (r.timedOut) throw new Error(`error: command ${JSON.stringify(command.join(' '))} did not finish within ${EXEC_BUDGET_MS / 1000}s of virtual time`);
    return { output: r.output, code: r.code, notes };
  }

  describe(resource: string, name: string, namespace?: string): string {
    const info = this.resource(resource);
    const clock = { nowMs: this.now(), epochMs: this.epoch };
    switch (info.kind) {
      case 'Pod': {
        const pod = this.get('pods', name, namespace);
        return describePod(pod, podEvents(pod, this.list('events', { namespace: pod.metadata.namespace })), clock);
      }
      case 'Node': {
        const node = this.get('nodes', name);
        let lease: NodeLease;
        try {
          lease = { lease: this.get('leases', name, 'kube-node-lease') };
        } catch (e) {
          if (!isStatusError(e)) throw e;
          lease = { error: e.message };
        }
        return describeNode(node, nodeNonTerminatedPods(node, this.list('pods')), lease, nodeEvents(node, this.list('events')), clock);
      }
      case 'ReplicaSet': {
        const rs = this.get('replicasets', name, namespace);
        const ns = rs.metadata.namespace;
        return describeReplicaSet(rs, this.list('pods', { namespace: ns }), objectEvents(rs, this.list('events', { namespace: ns })), clock);
      }
      case 'Deployment': {
        const d = this.get('deployments', name, namespace);
        const ns = d.metadata.namespace;
        const replicaSets = deploymentReplicaSets(d, this.list('replicasets', { namespace: ns }));
        return describeDeployment(d, replicaSets, objectEvents(d, this.list('events', { namespace: ns })), clock);
      }
      default: throw notDescribedError(qualifiedResource(info));
    }
  }

  /** The event timeline: virtual time, type, reason, object, message. */
  timeline(query: ListQuery = {}): TimelineEntry[] {
    return this.events(query).map((e) => ({
      time: Date.parse(eventTimestamp(e)) - this.epoch,
      type: e.type, reason: e.reason,
      object: `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`, message: e.message,
    }));
  }

  // ------------------------------------------------------------------ kubectl rollout, cordon, drain

  /** `kubectl rollout status|history|undo|pause|resume|restart deployment/NAME`: kubectl's output. */
  rollout(action: RolloutAction, ref: string, opts: { namespace?: string; toRevision?: number; revision?: number; timeout?: string | number } = {}): Promise<string> {
    return runRollout(this, action, ref, opts);
  }

  /** `kubectl drain NODE`: cordon, then evict every pod (honouring PodDisruptionBudgets, retrying on 429). */
  drain(node: string, opts: DrainOptions = {}): Promise<string> {
    return runDrain(this, node, opts);
  }

  /** `kubectl cordon NODE` / `kubectl uncordon NODE`. */
  cordon(node: string): string {
    return runCordon(this, node, true);
  }

  uncordon(node: string): string {
    return runCordon(this, node, false);
  }

  // ------------------------------------------------------------------ nodes

  /** Adds a node (a machine running a kubelet); it registers itself. Returns its name. */
  addNode(opts: Partial<Pick<NodeSpec, 'name' | 'cpu' | 'memory' | 'pods' | 'zone' | 'labels' | 'taints' | 'instanceType'>> = {}): string {
    const index = ++this.nodeCount;
    const zones = this.nodeDefaults.zones;
    const spec: NodeSpec = {
      name: opts.name ?? `node-${index}`, index, cpu: opts.cpu ?? this.nodeDefaults.cpu, memory: opts.memory ?? this.nodeDefaults.memory,
      pods: opts.pods ?? this.nodeDefaults.pods, ephemeralStorage: '100Gi', zone: opts.zone ?? (zones.length ? zones[(index - 1) % zones.length] : undefined),
      instanceType: opts.instanceType ?? `kubesim-${opts.cpu ?? this.nodeDefaults.cpu}cpu`, labels: opts.labels, taints: opts.taints,
    };
    if (this.hosts.has(spec.name)) throw new Error(`node "${spec.name}" already exists`);
    const host = new NodeHost(spec, this.imageService(), this.storage);
    this.hosts.set(spec.name, host);
    this.runtime.input('add-node', { node: spec.name });
    this.bootHost(host);
    return spec.name;
  }

  /** Node names, in the order they were added. */
  nodeNames(): string[] {
    return [...this.hosts.keys()];
  }

  /** Powers a node off: its kubelet and every container stop at once, without telling anyone. */
  powerOff(node: string): void {
    const host = this.host(node);
    this.runtime.input('power-off', { node });
    this.runtime.stop(`host/${node}`, 'power-off');
    host.powerOff();
  }

  /** Powers a node back on: the kubelet starts, re-registers and syncs its pods. */
  powerOn(node: string): void {
    const host = this.host(node);
    if (host.powered) return;
    this.runtime.input('power-on', { node });
    host.powerOn();
    this.bootHost(host);
  }

  /**
   * Breaks the node's container runtime (containerd stops answering): the kubelet reports
   * Ready=False (KubeletNotReady, "container runtime is down") on its next status update.
   */
  breakContainerRuntime(node: string): void {
    this.runtime.input('break-runtime', { node });
    this.host(node).runtimeUp = false;
    this.runtime.send('chaos', nodeActorId(node), { type: HOST_CHANGED });
  }

  /** Repairs the node's container runtime: the kubelet reports Ready again. */
  repairContainerRuntime(node: string): void {
    this.runtime.input('repair-runtime', { node });
    this.host(node).runtimeUp = true;
    this.runtime.send('chaos', nodeActorId(node), { type: HOST_CHANGED });
  }

  /** Crashes the node's kubelet; its supervisor (systemd) restarts it; containers keep running. */
  crashKubelet(node: string): void {
    this.crash(nodeActorId(node), 'kubelet crashed');
  }

  /** Makes a container's process die with `exitCode` (default 1), as a crash would. */
  crashContainer(podName: string, opts: { container?: string; exitCode?: number; namespace?: string } = {}): void {
    const pod = this.get('pod', podName, opts.namespace);
    const node = pod.spec.nodeName;
    if (!node) throw new Error(`pod "${podName}" is not running on a node`);
    const container = opts.container ?? pod.spec.containers[0].name;
    this.runtime.input('crash-container', { pod: podName, container });
    this.runtime.send('chaos', `${nodeActorId(node)}/pod/${pod.metadata.namespace}/${podName}`, { type: CONTAINER_CRASH, container, exitCode: opts.exitCode ?? 1 });
    this.runtime.runFor(0);
  }

  /** Cuts the node off the API server: every message between them is dropped, both ways. */
  partition(node: string): void {
    if (this.partitions.has(node)) return;
    const prefix = nodeActorId(node);
    const inNode = (id: string) => id === prefix || id.startsWith(prefix + '/');
    this.partitions.set(node, this.fault((env) =>
      (inNode(env.from) && env.to === 'kube-apiserver') || (env.from === 'kube-apiserver' && inNode(env.to))
        ? { action: 'drop', reason: `network partition of ${node}` } : undefined));
  }

  /**
   * Ends a partition. The node's connections did not survive it: its watches are closed, and
   * its informers resume from the last version they saw (or re-list on 410).
   */
  heal(node: string): void {
    const remove = this.partitions.get(node);
    if (!remove) return;
    remove();
    this.partitions.delete(node);
    this.runtime.send('chaos', 'kube-apiserver', { type: DROP_CONNECTIONS, prefix: nodeActorId(node) });
  }

  /** Removes a node: powers it off and deletes its Node object. */
  removeNode(node: string): void {
    this.powerOff(node);
    this.hosts.delete(node);
    this.delete('node', node);
  }

  private host(node: string): NodeHost {
    const host = this.hosts.get(node);
    if (!host) throw new Error(`node "${node}" does not exist (nodes: ${this.nodeNames().join(', ')})`);
    return host;
  }

  /** The node's machine boots: systemd (a supervisor) starts the kubelet and restarts it when it dies. */
  private bootHost(host: NodeHost): void {
    const name = host.spec.name;
    const rateLimits = { api: this.rateLimits.kubelet, events: this.rateLimits.kubeletEvents };
    const kubelet = { id: nodeActorId(name), type: 'kubelet', start: () => new Kubelet({ host, epoch: this.epoch, behaviorFor, rateLimits }) };
    this.runtime.spawn({ id: `host/${name}`, type: 'node', start: () => new Supervisor([kubelet], { strategy: 'oneForOne', intensity: 1000, period: 60_000 }) }, '');
  }

  private imageService(): ImageService {
    const registry = this.images;
    return {
      pull: (image, secrets) => registry.pull(image, { pullSecrets: secrets }),
      normalize: (image) => (parseImageRef(image).ok ? normaliseImage(image) : undefined),
      inspect: (image) => registry.resolve(image),
    };
  }

  // ------------------------------------------------------------------ faults and inspection

  /** Crashes an actor (it loses its in-memory state; its supervisor restarts it). */
  crash(actorId: string, reason = 'injected crash'): void {
    this.runtime.input('crash', { actor: actorId });
    this.runtime.crash(actorId, reason);
  }

  /** Adds a message fault hook (drop, delay, duplicate); returns its remover. */
  fault(hook: FaultHook): () => void {
    this.runtime.input('fault', {});
    return this.runtime.addFaultHook(hook);
  }

  /**
   * Subscribes to every change the API server stores (type, object, virtual time); returns an
   * unsubscribe function. For observers such as the inspector: never write from the callback.
   */
  onStoreChange(listener: (change: { type: string; object: KubeObject; time: number; resourceVersion: number }) => void): () => void {
    return this.server.addChangeListener(listener);
  }

  /** The API server (the store), for side-effect-free reads by checks and the inspector. */
  get apiServer(): ApiServer {
    return this.server;
  }

  /** The canonical state of the whole system. */
  snapshot(): unknown {
    return this.runtime.snapshot();
  }

  /** The in-memory trace (with `trace: true`). */
  traceLines(): string[] {
    return this.memoryTrace ? [...this.memoryTrace.lines] : [];
  }

  /** Flushes and closes a file trace. */
  close(): void {
    this.sink?.close?.();
  }

  /** Resolves `deploy`, `deployments`, `deployment.apps`, `Pod` to a kind. */
  resource(name: string): KindInfo {
    const info = lookupResource(name);
    if (!info) throw new Error(`error: the server doesn't have a resource type "${name}"`);
    return info;
  }

  // ------------------------------------------------------------------ internals

  /**
   * A read from outside the simulation: the store as it is now. Reads change nothing, so they
   * do not step the runtime (a `runUntil` predicate may read as often as it likes).
   */
  private read(req: ApiRequest): KubeObject {
    return this.server.handle(req, SYSTEM_MASTERS, KUBECTL);
  }

  /** Sends one request as the kubectl actor and runs the cluster until the reply arrives. */
  private call(req: ApiRequest): KubeObject {
    let result: { ok: true; object: KubeObject } | { ok: false; status: Status } | undefined;
    this.kubectl.client.request(req, (r) => { result = r; });
    this.runtime.runUntil(() => result !== undefined, { timeout: 60_000, what: `reply to ${req.verb} ${req.kind}` });
    if (!result!.ok) throw new StatusError(result!.status);
    return result!.object;
  }

  private tryGet(info: KindInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    try {
      return this.call({ verb: 'get', apiVersion: apiVersionOf(info), kind: info.kind, namespace, name });
    } catch (e) {
      if (isStatusError(e) && e.code === 404) return undefined;
      throw e;
    }
  }

  private kindOf(obj: KubeObject): KindInfo {
    const info = lookupKind(obj.apiVersion, obj.kind);
    if (!info) throw noKindMatchError(obj.apiVersion, obj.kind);
    return info;
  }

  private ns(info: KindInfo, namespace: string | undefined): string | undefined {
    return info.namespaced ? namespace ?? 'default' : undefined;
  }
}

/** Per-container behaviour from the pod annotation kubesim.io/behavior (JSON: by container name, or for all). */
export const BEHAVIOR_ANNOTATION = 'kubesim.io/behavior';

/** The spec with its controller given its client's rate limit and, in kube-controller-manager, the shared informers. */
function configured(spec: ChildSpec, rateLimit: RateLimit, shared?: SharedInformerFactory): ChildSpec {
  return {
    ...spec,
    start: () => {
      const logic = spec.start();
      if (logic instanceof Controller) {
        logic.sharedInformers = shared;
        logic.rateLimit = rateLimit;
      }
      return logic;
    },
  };
}

function behaviorFor(pod: KubeObject, container: any): ProcessBehavior | undefined {
  const text = pod.metadata.annotations?.[BEHAVIOR_ANNOTATION];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && container.name in parsed && typeof parsed[container.name] === 'object') return parsed[container.name];
    return parsed;
  } catch {
    return undefined;
  }
}

/** Boots a cluster: API server, controller manager, scheduler and nodes. */
export async function createCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  return new Cluster(opts);
}

/** The namespaces and Services a new cluster has (kube-apiserver's bootstrap controllers). */
function bootstrap(server: ApiServer): void {
  const system = { username: 'system:apiserver', groups: ['system:masters'] };
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    server.handle({ verb: 'create', apiVersion: 'v1', kind: 'Namespace', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } } }, system);
  }
  server.handle({
    verb: 'create', apiVersion: 'v1', kind: 'Service', namespace: 'default', body: {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
    },
  }, system);
}

function toDocs(source: string | string[] | KubeObject | KubeObject[]): ManifestDoc[] {
  if (Array.isArray(source)) {
    if (source.length === 0) return [];
    if (typeof source[0] === 'string') return loadManifests(source as string[]);
    return (source as KubeObject[]).map((object, index) => ({ object, source: '<object>', index, line: 1 }));
  }
  if (typeof source === 'string') return looksLikeYaml(source) ? parseManifests(source, '<string>') : loadManifests([source]);
  return [{ object: source, source: '<object>', index: 0, line: 1 }];
}

function looksLikeYaml(s: string): boolean {
  return s.includes('\n') || /^\s*(apiVersion|kind|\{)/.test(s);
}

/** `deployment.apps` (kubectl's apply output) or `deployments.apps` (errors). */
export function qualifiedResource(info: KindInfo, singular = false): string {
  const r = singular ? info.kind.toLowerCase() : info.resource;
  return info.group ? `${r}.${info.group}` : r;
}

/** kubectl's line for a rejected document. */
export function formatApplyError(o: ApplyOutcome): string {
  const verb = o.action === 'failed' && o.error?.code === 404 && /no matches for kind/.test(o.error.message) ? null : 'creating';
  if (!o.error) return '';
  if (verb === null) return `error: resource mapping not found for name: "${o.doc.object.metadata?.name ?? ''}" namespace: "${o.doc.object.metadata?.namespace ?? ''}" from "${o.doc.source}": ${o.error.message}\nensure CRDs are installed first`;
  return `Error from server (${o.error.reason}): error when ${o.object ? 'patching' : 'creating'} "${o.doc.source}": ${o.error.message}`;
}

/** A version-4 UUID from 16 random bytes (metadata.uid). */
export function uuidFrom(b: Uint8Array): string {
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  // The characters' codes in one reused list, read as one flat string: a uid per object and per
  // event. Not a Buffer's latin1 decoding: in a 30,000-pod bring-up that native call took 0.25 s.
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_CODES[at++] = 0x2d;
    UUID_CODES[at++] = HEX_DIGITS[b[i] >> 4];
    UUID_CODES[at++] = HEX_DIGITS[b[i] & 15];
  }
  return String.fromCharCode.apply(null, UUID_CODES);
}

const UUID_CODES = new Array<number>(36).fill(0);

export { groupResource };
