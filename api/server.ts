// The API server's request handling, as kube-apiserver's handler chain does it:
// authentication → authorization → mutating admission → validation → validating admission →
// storage, over a versioned in-memory store with a global resourceVersion, optimistic
// concurrency, generation, finalizers, graceful deletion and watches with a history window.
// Pure: time, ids and randomness are injected; the kube-apiserver actor wires it to the runtime.
import type { KubeObject, UserInfo, WatchEvent, WatchEventType } from './types.ts';
import {
  StatusError, admissionName, newAlreadyExists, newBadRequest, newConflict, newForbidden, newGone, newInvalid,
  newMethodNotSupported, newNotFound, newUnauthorized, OBJECT_MODIFIED, field, type FieldError,
} from './errors.ts';
import { ALL_KINDS, apiVersionOf, groupResource, lookupKind, noKindMatchError, type KindInfo } from './registry.ts';
import { applyDefaults, defaultTolerationSeconds } from './defaults.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './validation.ts';
import { everything, parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from './selectors.ts';
import { applyPatch, applyMergePatchShared } from './patch.ts';
import { clone, copyOf, deepEqual, deepFreeze, joined } from './equal.ts';
import { formatTime } from './time.ts';
import { WatchHistory, type HistoryEntry } from './watch-cache.ts';
import type { ApiRequest, DeleteOptions } from './request.ts';
import { EVENTS_V1, eventFromV1, eventToV1, fieldSelectorFromV1, patchFromV1 } from './event-conversion.ts';
import { lastHeartbeatAt, stampHeartbeat, type HeartbeatMessage, type HeartbeatStamp, type StandingHeartbeat } from './heartbeats.ts';


export interface ServerDeps {
  now(): number;
  epoch?: number;
  /** A fresh metadata.uid. */
  uid(): string;
  /** generateName's 5-character suffix. */
  nameSuffix(): string;
  /** An integer in [0, n) from a seeded stream (ClusterIP and NodePort allocation). */
  randomInt(n: number): number;
  /** Freeze stored objects so readers cannot mutate shared state (tests; costs a little). */
  freeze?: boolean;
}

/** An admission plugin; mutating ones may change `obj`, validating ones throw a StatusError. */
export interface AdmissionPlugin {
  name: string;
  admit(attrs: AdmissionAttributes): void;
}

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  info: KindInfo;
  subresource: string;
  obj: KubeObject | undefined;
  old: KubeObject | undefined;
  user: UserInfo;
  server: ApiServer;
}

/** An authorizer: returns a reason to deny, or undefined to pass (the next one decides). */
export interface Authorizer {
  name: string;
  authorize(user: UserInfo, verb: string, info: KindInfo, namespace: string | undefined, name: string | undefined, subresource: string): 'allow' | { deny: string } | undefined;
}

interface Watcher {
  /** The one object watched, when the field selector names it (metadata.name=x). */
  name?: string;
  watchId: string;
  actor: string;
  resource: string;
  namespace: string | undefined;
  labels: LabelSelector;
  fields: FieldSelector | undefined;
  /** The watcher takes standing heartbeats as one STANDING event (the system's informers). */
  coalesce: boolean;
  /** The node a pod watch is pinned to (spec.nodeName=x, a kubelet's watch): indexed, not scanned. */
  nodeName?: string;
  /** Resource keys an every-kind watch leaves out (the garbage collector's ignored resources). */
  exclude?: Set<string>;
  /** The version the watcher reads the stored objects in, when not the stored one (events.k8s.io/v1). */
  view?: (obj: KubeObject) => KubeObject;
}

/** A standing heartbeat the server applies when somebody looks (api/heartbeats.ts). */
interface Heartbeat {
  stream: number;
  info: KindInfo;
  namespace: string | undefined;
  name: string;
  stamp: HeartbeatStamp;
  start: number;
  period: number;
  /** The last period already written to the store. */
  applied: number;
}

/** A plug-in's POST subresource (pods/eviction): returns the object to answer with. */
export type SubresourceHandler = (args: {
  server: ApiServer; info: KindInfo; namespace: string | undefined; name: string; body: unknown; user: UserInfo; dryRun: boolean;
}) => KubeObject;

export type WatchEmitter = (actor: string, watchId: string, event: WatchEvent) => void;

const ALL = '*';
/** The pods' resource key (group '' and resource pods). */
const PODS = '/pods';
/** Resources the apiserver keeps no watch cache for (DefaultWatchCacheSizes): their watches read etcd. */
const UNCACHED = new Set(['/events', 'events.k8s.io/events']);

/** kube-apiserver `--event-ttl`: Events are stored under an etcd lease of 1 h, renewed by every write. */
export const EVENT_TTL_MS = 3_600_000;
/** The etcd3 store's lease manager reuses a lease granted in the last 60 s, granted that much longer. */
export const LEASE_REUSE_MS = 60_000;

/**
 * An etcd lease. The Events written under it are those whose resourceVersion lies from its first
 * write up to the next lease's: no per-object bookkeeping, a scan of the Events when it expires.
 */
interface EtcdLease {
  grantedAt: number;
  expiresAt: number;
  firstRv: number;
}

export class ApiServer {
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  /** Each resource's watch history (its watch cache; see api/watch-cache.ts). */
  private readonly history = new Map<string, WatchHistory>();
  private readonly watchers = new Map<string, Watcher[]>();
  /**
   * Pod watches pinned to one node, by node name: a pod write is offered to the watches of its
   * old and new node only, not to every kubelet's (the watch cache's spec.nodeName index).
   */
  private readonly podWatchersByNode = new Map<string, Watcher[]>();
  private readonly watchById = new Map<string, Watcher>();
  readonly mutating: AdmissionPlugin[] = [];
  readonly validating: AdmissionPlugin[] = [];
  readonly authorizers: Authorizer[] = [];
  emit: WatchEmitter = () => {};
  /**
   * Told the instant of the earliest lease expiry whenever that becomes a new one; whoever runs the
   * server (the kube-apiserver actor) calls expireLeases() then, as etcd expires leases itself.
   */
  onLeaseExpiry: (at: number) => void = () => {};
  /** The leases granted, oldest first (each expires after the one before); `leaseHead` is the first live one. */
  private readonly leases: EtcdLease[] = [];
  private leaseHead = 0;
  private readonly subresources = new Map<string, SubresourceHandler>();
  private readonly usedClusterIPs = new Set<string>();
  /** Standing heartbeats by `resource|namespace/name`, and the stream each came on. */
  private readonly heartbeats = new Map<string, Heartbeat>();
  private readonly heartbeatByStream = new Map<number, Heartbeat>();
  /** Kinds with standing heartbeats (a cheap test on every read). */
  private readonly heartbeatKinds = new Map<KindInfo, number>();
  /** Open watches that want every write, by resource key (a heartbeat cannot stand then). */
  private readonly strictWatches = new Map<string, number>();
  /** Ends a standing heartbeat's stream from the server's side (wired by the kube-apiserver actor). */
  endStream: (stream: number) => void = () => {};

  constructor(readonly deps: ServerDeps) {
    for (const info of ALL_KINDS) this.objects.set(resourceKey(info), new Map());
    this.mutating.push(defaultingPlugin, defaultTolerationSecondsPlugin);
    this.validating.push(namespaceLifecyclePlugin);
  }

  /** The current global resourceVersion (etcd revision). */
  get resourceVersion(): number {
    return this.rv;
  }

  // ------------------------------------------------------------------ entry point

  /** Handles one request; throws a StatusError on failure; nothing is stored on failure. */
  handle(req: ApiRequest, user: UserInfo, actor = ''): KubeObject {
    authenticate(user);
    if (req.verb === 'unwatch') return this.unwatch(req.watchId ?? '');
    const info = this.resolveKind(req);
    const namespace = info.namespaced ? (req.namespace ?? objectNamespace(req.body)) : undefined;
    this.authorize(user, req, info, namespace);
    if (info === EVENT_V1_KIND) return this.handleEventV1(req, user, actor, namespace);
    switch (req.verb) {
      case 'create': return this.create(info, namespace, req, user);
      case 'get': return this.get(info, namespace, requireName(req));
      case 'list': return this.list(info, namespace, req.listOptions?.labelSelector, req.listOptions?.fieldSelector, req.listOptions?.excludeResources);
      case 'update': return this.update(info, namespace, req.body as KubeObject, req.subresource ?? '', user, req.dryRun);
      case 'patch': return this.patch(info, namespace, requireName(req), req, user);
      case 'delete': return this.delete(info, namespace, requireName(req), req.deleteOptions ?? {}, user, req.dryRun);
      case 'watch': return this.watch(info, namespace, req, actor);
    }
  }

  /** events.k8s.io/v1 Events: the core/v1 Events stored, converted on the way in and out. */
  private handleEventV1(req: ApiRequest, user: UserInfo, actor: string, namespace: string | undefined): KubeObject {
    const core = EVENT_KIND;
    const opts = req.listOptions;
    switch (req.verb) {
      case 'create': return eventOut(this.create(core, namespace, { ...req, apiVersion: 'v1', body: eventFromV1(req.body as KubeObject) }, user));
      case 'get': return eventOut(this.get(core, namespace, requireName(req)));
      case 'list': {
        const list = this.list(core, namespace, opts?.labelSelector, fieldSelectorFromV1(opts?.fieldSelector));
        return { apiVersion: EVENTS_V1, kind: 'EventList', metadata: list.metadata, items: (list.items as KubeObject[]).map(eventToV1) };
      }
      case 'update': return eventOut(this.update(core, namespace, eventFromV1(req.body as KubeObject), req.subresource ?? '', user, req.dryRun));
      case 'patch': return eventOut(this.patch(core, namespace, requireName(req), { ...req, apiVersion: 'v1', body: patchFromV1(req.body) }, user));
      case 'delete': return eventOut(this.delete(core, namespace, requireName(req), req.deleteOptions ?? {}, user, req.dryRun));
      case 'watch': return this.watch(core, namespace, { ...req, listOptions: { ...opts, fieldSelector: fieldSelectorFromV1(opts?.fieldSelector) } }, actor, eventToV1);
      case 'unwatch': return this.unwatch(req.watchId ?? '');
    }
  }

  private resolveKind(req: ApiRequest): KindInfo {
    if (req.kind === ALL && (req.verb === 'watch' || req.verb === 'list')) return ALL_KIND;
    const info = lookupKind(req.apiVersion, req.kind);
    if (!info) throw noKindMatchError(req.apiVersion, req.kind);
    return info;
  }

  private authorize(user: UserInfo, req: ApiRequest, info: KindInfo, namespace: string | undefined): void {
    for (const a of this.authorizers) {
      const d = a.authorize(user, req.verb, info, namespace, req.name ?? (req.body as KubeObject | undefined)?.metadata?.name, req.subresource ?? '');
      if (d === 'allow') return;
      if (d) throw newForbidden(groupResource(info), req.name ?? '', d.deny);
    }
  }

  // ------------------------------------------------------------------ reads

  /** A random 5-character name suffix from the generateName stream (admission plug-ins name volumes with it). */
  generateNameSuffix(): string {
    return this.deps.nameSuffix();
  }

  /** Reads an object from the store (shared, frozen when freeze is on: do not mutate). */
  peek(info: KindInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    if (this.heartbeatKinds.size > 0 && this.heartbeatKinds.has(info)) this.bringUpToDate(info, namespace, name);
    return this.objects.get(resourceKey(info))!.get(objectKey(namespace, name));
  }

  get(info: KindInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.peek(info, namespace, name);
    if (!obj) throw newNotFound(groupResource(info), name);
    return obj;
  }

  list(info: KindInfo, namespace: string | undefined, labelSelector?: string, fieldSelector?: string, excludeResources?: string[]): KubeObject {
    const labels = labelSelector ? parseLabelSelector(labelSelector) : everything;
    const fields = fieldSelector && info !== ALL_KIND ? parseFieldSelector(fieldSelector, info.kind) : undefined;
    const items: KubeObject[] = [];
    this.bringKindUpToDate(info);
    // A single named object (a kubelet's informer on its own Node: metadata.name=<node>) is looked
    // up, not found by matching every stored object against the selector.
    const name = fields?.required('metadata.name');
    if (name !== undefined && (namespace !== undefined || !info.namespaced)) {
      const obj = this.objects.get(resourceKey(info))!.get(objectKey(info.namespaced ? namespace : undefined, name));
      if (obj && labels.matches(obj.metadata.labels) && fields!.matches(obj)) items.push(obj);
      return { apiVersion: apiVersionOf(info), kind: `${info.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
    }
    for (const k of info === ALL_KIND ? ALL_KINDS : [info]) {
      if (excludeResources?.includes(k.resource)) continue;
      const start = items.length;
      for (const obj of this.objects.get(resourceKey(k))!.values()) {
        if (namespace !== undefined && obj.metadata.namespace !== namespace) continue;
        if (!labels.matches(obj.metadata.labels)) continue;
        if (fields && !fields.matches(obj)) continue;
        items.push(obj);
      }
      sortFrom(items, start);
    }
    if (info === ALL_KIND) return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items };
    return { apiVersion: apiVersionOf(info), kind: `${info.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  /** Every stored object of every kind, in a stable order (kind, namespace, name). */
  all(): KubeObject[] {
    this.bringKindUpToDate(ALL_KIND);
    const out: KubeObject[] = [];
    for (const info of ALL_KINDS) {
      const m = this.objects.get(resourceKey(info))!;
      if (m.size) out.push(...[...m.values()].sort(compareObjects));
    }
    return out;
  }

  /** Number of stored objects, per resource key (for benchmarks and progress). */
  count(): number {
    let n = 0;
    for (const m of this.objects.values()) n += m.size;
    return n;
  }

  // ------------------------------------------------------------------ create

  private create(info: KindInfo, namespace: string | undefined, req: ApiRequest, user: UserInfo): KubeObject {
    if (req.subresource) return this.createSubresource(info, namespace, req, user);
    const obj = prepareBody(req.body, info, req.transfer === true ? 'handed-over' : 'sender');
    if (info.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? 'default';
    } else {
      delete obj.metadata.namespace;
    }
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = joined(obj.metadata.generateName, this.deps.nameSuffix());
    // FillObjectMetaSystemFields comes before the strategy's PrepareForCreate (a Job's selector uses the uid).
    const uid = this.deps.uid();
    obj.metadata.uid = uid;
    this.admit(this.mutating, 'CREATE', info, '', obj, undefined, user);
    resetStatusOnCreate(obj, info);
    if (info.kind === 'Job') generateJobSelector(obj);
    const errs = validateCreate(obj, info);
    if (errs.length) throw newInvalid(info, obj.metadata.name ?? '', errs);
    this.admit(this.validating, 'CREATE', info, '', obj, undefined, user);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    if (this.objects.get(resourceKey(info))!.has(key)) throw newAlreadyExists(groupResource(info), obj.metadata.name!);
    this.allocate(obj, info);
    if (req.dryRun) return obj;
    if (info.kind === 'DaemonSet') setTemplateGeneration(obj, 1);
    obj.metadata.uid = uid;
    obj.metadata.creationTimestamp = this.time();
    if (info.generation) obj.metadata.generation = 1;
    return this.store(info, obj, undefined, 'ADDED', key);
  }

  /** pods/binding (the scheduler's bind) and pods/eviction are created as subresources. */
  private createSubresource(info: KindInfo, namespace: string | undefined, req: ApiRequest, user: UserInfo): KubeObject {
    if (info.kind === 'Pod' && req.subresource === 'binding') return this.bind(namespace, requireName(req), req.body as KubeObject, user);
    const handler = this.subresources.get(`${info.kind}/${req.subresource}`);
    if (handler) return handler({ server: this, info, namespace, name: requireName(req), body: req.body, user, dryRun: Boolean(req.dryRun) });
    throw newMethodNotSupported(groupResource(info), `create ${req.subresource}`);
  }

  /** Adds a POST subresource (e.g. Pod/eviction) served by a plug-in. */
  registerSubresource(kind: string, subresource: string, handler: SubresourceHandler): void {
    this.subresources.set(`${kind}/${subresource}`, handler);
  }

  /**
   * Deletes an object as a DELETE request would (graceful for pods), for plug-ins such as the
   * Eviction subresource. Throws a StatusError.
   */
  deleteObject(info: KindInfo, namespace: string | undefined, name: string, opts: DeleteOptions, user: UserInfo): KubeObject {
    return this.delete(info, namespace, name, opts, user);
  }

  /** Writes a status as the status subresource would (PUT with the object's resourceVersion). */
  updateObjectStatus(info: KindInfo, obj: KubeObject, user: UserInfo): KubeObject {
    return this.update(info, obj.metadata.namespace, obj, 'status', user);
  }

  /** Binding: sets spec.nodeName once, as the pods/binding REST storage does. */
  private bind(namespace: string | undefined, name: string, binding: KubeObject, user: UserInfo): KubeObject {
    const info = lookupKind('v1', 'Pod')!;
    const pod = this.get(info, namespace, name);
    const nodeName = binding?.target?.name;
    if (!nodeName) throw newInvalid({ group: '', kind: 'Binding' }, name, [field.required('target.name')]);
    if (pod.metadata.deletionTimestamp) throw newConflict(groupResource(info), name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw newConflict(groupResource(info), name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    const next = shallowCopy(pod);
    next.spec = copyOf(pod.spec, { nodeName });
    const conds: any[] = next.status?.conditions ?? [];
    next.status = copyOf(next.status ?? {}, { conditions: [...conds.filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: this.time() }] });
    void user;
    return this.store(info, next, pod, 'MODIFIED');
  }

  // ------------------------------------------------------------------ update

  private update(info: KindInfo, namespace: string | undefined, body: KubeObject, subresource: string, user: UserInfo, dryRun?: boolean, owner: BodyOwner = 'sender'): KubeObject {
    const obj = prepareBody(body, info, owner);
    const name = obj.metadata.name ?? '';
    if (info.namespaced) obj.metadata.namespace = namespace ?? obj.metadata.namespace ?? 'default';
    const old = this.peek(info, obj.metadata.namespace, name);
    if (!old) throw newNotFound(groupResource(info), name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw newConflict(groupResource(info), name, OBJECT_MODIFIED);
    }
    const next = subresource === 'status' ? this.mergeStatus(info, obj, old)
      : subresource === 'scale' ? this.mergeScale(info, obj, old)
        : subresource === 'finalize' ? this.mergeFinalize(obj, old)
          : this.mergeMain(info, obj, old, user);
    const errs: FieldError[] = subresource === 'status' ? validateStatusUpdate(next, old, info) : validateUpdate(next, old, info);
    if (errs.length) throw newInvalid(info, name, errs);
    this.admit(this.validating, 'UPDATE', info, subresource, next, old, user);
    if (dryRun) return next;
    if (deepEqual(next, old)) return old;
    return this.finishWrite(info, next, old);
  }

  /** PUT on the main resource: status is kept from storage; generation bumps on spec change. */
  private mergeMain(info: KindInfo, obj: KubeObject, old: KubeObject, user: UserInfo): KubeObject {
    const next = obj;
    keepSystemMetadata(next, old);
    if (info.hasStatus) {
      if (old.status === undefined) delete next.status;
      else next.status = old.status;
    }
    this.admit(this.mutating, 'UPDATE', info, '', next, old, user);
    if (info.generation && !deepEqual(next.spec, old.spec)) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (info.kind === 'DaemonSet') {
      const prev = Number(old.metadata.annotations?.[TEMPLATE_GENERATION] ?? 1);
      setTemplateGeneration(next, deepEqual(next.spec?.template, old.spec?.template) ? prev : prev + 1);
    }
    return next;
  }

  /** PUT on /status: only status changes. */
  private mergeStatus(info: KindInfo, obj: KubeObject, old: KubeObject): KubeObject {
    if (!info.hasStatus) throw newMethodNotSupported(groupResource(info), 'update status');
    const next = shallowCopy(old);
    next.status = obj.status;
    return next;
  }

  /** PUT on /scale: takes spec.replicas from an autoscaling/v1 Scale. */
  private mergeScale(info: KindInfo, scale: KubeObject, old: KubeObject): KubeObject {
    if (!info.scale) throw newMethodNotSupported(groupResource(info), 'update scale');
    const next = shallowCopy(old);
    next.spec = copyOf(next.spec ?? {}, { replicas: scale.spec?.replicas ?? 0 });
    if (!deepEqual(next.spec, old.spec)) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    return next;
  }

  /** PUT on namespaces/NAME/finalize: only spec.finalizers changes. */
  private mergeFinalize(obj: KubeObject, old: KubeObject): KubeObject {
    const next = shallowCopy(old);
    next.spec = copyOf(next.spec ?? {}, { finalizers: obj.spec?.finalizers ?? [] });
    return next;
  }

  private patch(info: KindInfo, namespace: string | undefined, name: string, req: ApiRequest, user: UserInfo): KubeObject {
    const old = this.get(info, namespace, name);
    const type = req.patchType ?? 'application/strategic-merge-patch+json';
    // A status merge patch (the kubelet's hot path) shares the untouched parts of the stored object.
    const patched = (req.subresource === 'status' && type === 'application/merge-patch+json'
      ? applyMergePatchShared(old, req.body, req.transfer === true) : applyPatch(old, req.body, type, info.kind)) as KubeObject;
    if (!patched || typeof patched !== 'object' || !patched.metadata) throw newBadRequest('the patch produced an object without metadata');
    if (patched.metadata.name !== name) throw newBadRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    // A patch applies to the version it read unless it names a resourceVersion itself.
    const body = copyOf(patched, { metadata: copyOf(patched.metadata) });
    if (!hasResourceVersion(req.body)) body.metadata.resourceVersion = old.metadata.resourceVersion;
    return this.update(info, namespace, body, req.subresource ?? '', user, req.dryRun, 'handed-over');
  }

  // ------------------------------------------------------------------ delete

  private delete(info: KindInfo, namespace: string | undefined, name: string, opts: DeleteOptions, user: UserInfo, dryRun?: boolean): KubeObject {
    const old = this.get(info, namespace, name);
    checkPreconditions(info, old, opts);
    this.admit(this.validating, 'DELETE', info, '', undefined, old, user);
    if (dryRun) return old;
    const grace = gracePeriodFor(info, old, opts);
    const finalizers = finalizersFor(old, opts);
    if (old.metadata.deletionTimestamp) return this.redelete(info, old, grace, finalizers);
    if (grace === 0 && finalizers.length === 0 && !(info.kind === 'Namespace' && (old.spec?.finalizers ?? []).length)) {
      return this.remove(info, old);
    }
    const next = shallowCopy(old);
    next.metadata.deletionTimestamp = this.time(grace * 1000);
    next.metadata.deletionGracePeriodSeconds = grace;
    if (finalizers.length) next.metadata.finalizers = finalizers;
    if (info.kind === 'Namespace') next.status = copyOf(next.status ?? {}, { phase: 'Terminating' });
    return this.finishWrite(info, next, old);
  }

  /** A second DELETE may shorten the grace period (pods) but never extends it. */
  private redelete(info: KindInfo, old: KubeObject, grace: number, finalizers: string[]): KubeObject {
    const current = old.metadata.deletionGracePeriodSeconds ?? 0;
    if (info.kind === 'Pod' && grace < current) {
      if (grace === 0 && finalizers.length === 0) return this.remove(info, old);
      const next = shallowCopy(old);
      next.metadata.deletionTimestamp = this.time(grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      return this.finishWrite(info, next, old);
    }
    return old;
  }

  /** Stores an update, or completes a pending deletion when nothing holds the object any more. */
  private finishWrite(info: KindInfo, next: KubeObject, old: KubeObject): KubeObject {
    if (shouldDeleteDuringUpdate(info, next)) return this.remove(info, next);
    return this.store(info, next, old, 'MODIFIED');
  }

  /** Removes an object; watchers get DELETED with its last state. */
  private remove(info: KindInfo, last: KubeObject): KubeObject {
    const key = objectKey(last.metadata.namespace, last.metadata.name!);
    const old = this.objects.get(resourceKey(info))!.get(key);
    const beat = this.heartbeatKinds.has(info) ? this.heartbeats.get(`${resourceKey(info)}|${key}`) : undefined;
    if (beat) this.dropHeartbeat(beat);
    this.objects.get(resourceKey(info))!.delete(key);
    this.release(last, info);
    const gone = shallowCopy(last);
    gone.metadata.resourceVersion = String(++this.rv);
    if (this.deps.freeze) deepFreeze(gone);
    this.publish(info, 'DELETED', gone, old);
    return gone;
  }

  // ------------------------------------------------------------------ storage and watch

  /** `key`: the object's key in the store, when the caller has it already (a create checked it is free). */
  private store(info: KindInfo, obj: KubeObject, old: KubeObject | undefined, type: WatchEventType, key = objectKey(obj.metadata.namespace, obj.metadata.name!)): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    if (this.deps.freeze) deepFreeze(obj);
    // The key of a new entry stays as long as the object: objectKey builds it flat (an existing
    // entry keeps its own).
    this.objects.get(resourceKey(info))!.set(key, obj);
    if (UNCACHED.has(resourceKey(info))) this.attachLease();
    this.publish(info, type, obj, old);
    return obj;
  }

  // ------------------------------------------------------------------ etcd leases (--event-ttl)

  /** Every write of an Event puts it under the current lease (GetLease: reused within 60 s of its grant). */
  private attachLease(): void {
    const now = this.deps.now();
    const last = this.leases.length > this.leaseHead ? this.leases[this.leases.length - 1] : undefined;
    if (last && now < last.grantedAt + LEASE_REUSE_MS) return;
    this.leases.push({ grantedAt: now, expiresAt: now + EVENT_TTL_MS + LEASE_REUSE_MS, firstRv: this.rv });
    if (this.leases.length - this.leaseHead === 1) this.onLeaseExpiry(now + EVENT_TTL_MS + LEASE_REUSE_MS);
  }

  /** When the earliest lease expires, if any. */
  nextLeaseExpiry(): number | undefined {
    return this.leases.length > this.leaseHead ? this.leases[this.leaseHead].expiresAt : undefined;
  }

  /** etcd expires the leases due: their keys are deleted, and watchers see DELETED. */
  expireLeases(): void {
    const now = this.deps.now();
    while (this.leaseHead < this.leases.length && this.leases[this.leaseHead].expiresAt <= now) {
      const from = this.leases[this.leaseHead++].firstRv;
      const to = this.leaseHead < this.leases.length ? this.leases[this.leaseHead].firstRv : Infinity;
      for (const info of ALL_KINDS) {
        if (!UNCACHED.has(resourceKey(info))) continue;
        const due: KubeObject[] = [];
        for (const obj of this.objects.get(resourceKey(info))!.values()) {
          const rv = Number(obj.metadata.resourceVersion);
          if (rv >= from && rv < to) due.push(obj);
        }
        for (const obj of due) this.remove(info, obj);
      }
    }
    if (this.leaseHead > 1024 && this.leaseHead * 2 > this.leases.length) {
      this.leases.splice(0, this.leaseHead);
      this.leaseHead = 0;
    }
    const next = this.nextLeaseExpiry();
    if (next !== undefined) this.onLeaseExpiry(next);
  }

  /**
   * Observers of every stored change (the inspector's timeline); they must not write back.
   * Called synchronously inside the write, after it is stored.
   */
  readonly changeListeners: Array<(change: { type: WatchEventType; object: KubeObject; time: number; resourceVersion: number }) => void> = [];

  /** Adds a change listener (it sees every write, so no heartbeat stands while it listens); returns its remover. */
  addChangeListener(listener: ApiServer['changeListeners'][number]): () => void {
    this.changeListeners.push(listener);
    this.endHeartbeatsOf(ALL_KIND);
    return () => {
      const i = this.changeListeners.indexOf(listener);
      if (i >= 0) this.changeListeners.splice(i, 1);
    };
  }

  // ------------------------------------------------------------------ standing heartbeats

  /**
   * A holder's standing heartbeat opens (see api/heartbeats.ts). Returns false when it cannot
   * stand: the object is missing, the holder may not patch it, or somebody watches the kind
   * for every write; the holder then writes each period itself.
   */
  openHeartbeat(stream: number, m: HeartbeatMessage, user: UserInfo, start: number, period: number): boolean {
    const info = lookupKind(m.apiVersion, m.kind);
    if (!info || this.changeListeners.length > 0 || this.strictWatches.get(ALL) || this.strictWatches.get(resourceKey(info))) return false;
    const namespace = info.namespaced ? m.namespace : undefined;
    try {
      authenticate(user);
      this.authorize(user, { verb: 'patch', apiVersion: m.apiVersion, kind: m.kind, namespace, name: m.name, subresource: m.stamp === 'renewTime' ? undefined : 'status' }, info, namespace);
    } catch {
      return false;
    }
    const key = `${resourceKey(info)}|${objectKey(namespace, m.name)}`;
    const obj = this.objects.get(resourceKey(info))!.get(objectKey(namespace, m.name));
    if (!obj || this.heartbeats.has(key)) return false;
    const beat: Heartbeat = { stream, info, namespace, name: m.name, stamp: m.stamp, start, period, applied: start };
    this.heartbeats.set(key, beat);
    this.heartbeatByStream.set(stream, beat);
    this.heartbeatKinds.set(info, (this.heartbeatKinds.get(info) ?? 0) + 1);
    this.announce(beat, obj, { start, period, stamp: m.stamp });
    return true;
  }

  /** The holder's stream ended (it closed it, stopped, or a fault): write up to `lastTick`, then stop standing. */
  endHeartbeat(stream: number, lastTick: number): void {
    const beat = this.heartbeatByStream.get(stream);
    if (!beat) return;
    this.applyHeartbeat(beat, lastTick);
    this.forget(beat);
    const obj = this.objects.get(resourceKey(beat.info))!.get(objectKey(beat.namespace, beat.name));
    if (obj) this.announce(beat, obj, null);
  }

  /** Every heartbeat written up to now and ended (the kube-apiserver stops; the runtime tells the holders). */
  endAllHeartbeats(): void {
    for (const beat of [...this.heartbeatByStream.values()]) this.endHeartbeat(beat.stream, this.deps.now());
  }

  /** Standing heartbeats (for tests and benchmarks). */
  get standingHeartbeats(): number {
    return this.heartbeats.size;
  }

  /** Writes the periods of a standing heartbeat up to `upTo` that the store does not have yet. */
  private applyHeartbeat(beat: Heartbeat, upTo: number): void {
    const tick = lastHeartbeatAt(beat.start, beat.period, upTo);
    if (tick <= beat.applied) return;
    beat.applied = tick;
    const old = this.objects.get(resourceKey(beat.info))!.get(objectKey(beat.namespace, beat.name));
    if (old) this.store(beat.info, stampHeartbeat(old, beat.stamp, tick, this.deps.epoch), old, 'MODIFIED');
  }

  private bringUpToDate(info: KindInfo, namespace: string | undefined, name: string): void {
    const beat = this.heartbeats.get(`${resourceKey(info)}|${objectKey(namespace, name)}`);
    if (beat) this.applyHeartbeat(beat, this.deps.now());
  }

  private bringKindUpToDate(info: KindInfo): void {
    // A kind no heartbeat renews has nothing to bring up to date (admission lists PriorityClasses
    // for every pod: a walk over every node's Lease heartbeat each time, 9 µs a pod at 1,000 nodes).
    if (this.heartbeats.size === 0 || (info !== ALL_KIND && !this.heartbeatKinds.has(info))) return;
    const now = this.deps.now();
    for (const beat of this.heartbeatByStream.values()) if (info === ALL_KIND || beat.info === info) this.applyHeartbeat(beat, now);
  }

  /** The server ends a heartbeat (its object is gone, or a watcher wants every write): the holder is told. */
  private dropHeartbeat(beat: Heartbeat): void {
    this.applyHeartbeat(beat, this.deps.now());
    this.forget(beat);
    const obj = this.objects.get(resourceKey(beat.info))!.get(objectKey(beat.namespace, beat.name));
    if (obj) this.announce(beat, obj, null);
    this.endStream(beat.stream);
  }

  private endHeartbeatsOf(info: KindInfo): void {
    if (this.heartbeats.size === 0) return;
    for (const beat of [...this.heartbeatByStream.values()]) if (info === ALL_KIND || beat.info === info) this.dropHeartbeat(beat);
  }

  private forget(beat: Heartbeat): void {
    this.heartbeats.delete(`${resourceKey(beat.info)}|${objectKey(beat.namespace, beat.name)}`);
    this.heartbeatByStream.delete(beat.stream);
    const n = this.heartbeatKinds.get(beat.info)! - 1;
    if (n === 0) this.heartbeatKinds.delete(beat.info);
    else this.heartbeatKinds.set(beat.info, n);
  }

  /** Tells the coalescing watchers of the object that a heartbeat stands (or no longer does). */
  private announce(beat: Heartbeat, obj: KubeObject, standing: StandingHeartbeat | null): void {
    for (const list of [this.watchers.get(resourceKey(beat.info)), this.watchers.get(ALL)]) {
      if (!list) continue;
      for (const w of list) if (w.coalesce && matches(w, obj)) this.emit(w.actor, w.watchId, { type: 'STANDING', object: obj, standing });
    }
  }

  /** A new coalescing watch learns the heartbeats standing on what it watches. */
  private tellStanding(w: Watcher): void {
    if (this.heartbeats.size === 0) return;
    const beats = [...this.heartbeatByStream.values()].sort((a, b) => a.stream - b.stream);
    for (const beat of beats) {
      if (w.resource !== ALL && w.resource !== resourceKey(beat.info)) continue;
      const obj = this.objects.get(resourceKey(beat.info))!.get(objectKey(beat.namespace, beat.name));
      if (obj && matches(w, obj)) this.emit(w.actor, w.watchId, { type: 'STANDING', object: obj, standing: { start: beat.start, period: beat.period, stamp: beat.stamp } });
    }
  }

  private publish(info: KindInfo, type: WatchEventType, obj: KubeObject, old: KubeObject | undefined): void {
    const resource = resourceKey(info);
    for (const l of this.changeListeners) l({ type, object: obj, time: this.deps.now(), resourceVersion: this.rv });
    let history = this.history.get(resource);
    if (!history) this.history.set(resource, (history = new WatchHistory(!UNCACHED.has(resource))));
    history.add({ rv: this.rv, time: this.deps.now(), resource, type, object: obj, old });
    this.fanOut(this.watchers.get(resource), type, obj, old);
    if (resource === PODS && this.podWatchersByNode.size > 0) {
      const node: string | undefined = obj.spec?.nodeName;
      const before: string | undefined = old?.spec?.nodeName;
      if (node) this.fanOut(this.podWatchersByNode.get(node), type, obj, old);
      if (before && before !== node) this.fanOut(this.podWatchersByNode.get(before), type, obj, old);
    }
    this.fanOut(this.watchers.get(ALL), type, obj, old, resource);
  }

  private fanOut(list: Watcher[] | undefined, type: WatchEventType, obj: KubeObject, old: KubeObject | undefined, resource?: string): void {
    if (!list) return;
    // One event object of each type for every watcher that gets it (receivers never change one).
    let added: WatchEvent | undefined;
    let modified: WatchEvent | undefined;
    let deleted: WatchEvent | undefined;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      if (resource !== undefined && w.exclude?.has(resource)) continue;
      const t = eventTypeFor(w, type, obj, old);
      if (t === undefined) continue;
      const ev = t === 'MODIFIED' ? (modified ??= { type: t, object: obj }) : t === 'ADDED' ? (added ??= { type: t, object: obj }) : (deleted ??= { type: t, object: obj });
      // send(), inlined on the hot path.
      this.emit(w.actor, w.watchId, w.view ? { ...ev, object: w.view(ev.object) } : ev);
    }
  }

  /** Emits a watch event to its watcher, in the version it reads. */
  private send(w: Watcher, ev: WatchEvent): void {
    this.emit(w.actor, w.watchId, w.view ? { ...ev, object: w.view(ev.object) } : ev);
  }

  /**
   * Every change after `rv`, oldest first, of the resources asked (all when none): what a watch
   * resuming from `rv` replays. 410 Expired when a resource's history no longer reaches back to
   * it, unless `whatIsLeft` (then what the history still holds).
   */
  changesSince(rv: number, resources?: readonly string[], whatIsLeft = false): HistoryEntry[] {
    const now = this.deps.now();
    const out: HistoryEntry[] = [];
    let parts = 0;
    for (const [resource, h] of this.history) {
      if (resources && !resources.includes(resource)) continue;
      // A reader of what is left (the model checker) changes nothing; a watch sees etcd's compaction.
      if (!whatIsLeft) h.compact(now);
      const oldest = h.oldestResumable;
      if (rv < oldest && !whatIsLeft) throw newGone(`too old resource version: ${rv} (${oldest})`);
      const since = h.since(rv);
      if (since.length > 0) parts++;
      for (const e of since) out.push(e);
    }
    return parts > 1 ? out.sort((a, b) => a.rv - b.rv) : out;
  }

  private watch(info: KindInfo, namespace: string | undefined, req: ApiRequest, actor: string, view?: Watcher['view']): KubeObject {
    const opts = req.listOptions ?? {};
    const w: Watcher = {
      watchId: req.watchId ?? '', actor, resource: resourceKey(info), namespace, view,
      labels: opts.labelSelector ? parseLabelSelector(opts.labelSelector) : everything,
      fields: opts.fieldSelector && info !== ALL_KIND ? parseFieldSelector(opts.fieldSelector, info.kind) : undefined,
      name: opts.fieldSelector ? exactName(opts.fieldSelector) : undefined,
      coalesce: opts.coalesceHeartbeats === true,
    };
    if (w.resource === PODS && opts.fieldSelector) w.nodeName = exactNodeName(opts.fieldSelector);
    if (info === ALL_KIND && opts.excludeResources?.length) w.exclude = new Set(ALL_KINDS.filter((k) => opts.excludeResources!.includes(k.resource)).map(resourceKey));
    if (!w.coalesce) this.endHeartbeatsOf(info);
    const rv = opts.resourceVersion;
    const initial = !rv || rv === '0' ? this.initialEvents(info, w) : this.eventsSince(Number(rv), w);
    this.addWatcher(w);
    for (const ev of initial) this.send(w, ev);
    if (w.coalesce) this.tellStanding(w);
    return { apiVersion: 'v1', kind: 'Status', metadata: { resourceVersion: String(this.rv) }, status: 'Success' } as KubeObject;
  }

  private initialEvents(info: KindInfo, w: Watcher): WatchEvent[] {
    this.bringKindUpToDate(info);
    // A watch of one object by name (metadata.name=x) looks it up instead of scanning the kind.
    if (w.name !== undefined && info !== ALL_KIND) {
      const obj = this.objects.get(resourceKey(info))!.get(objectKey(w.namespace, w.name));
      return obj && matches(w, obj) ? [{ type: 'ADDED', object: obj }] : [];
    }
    const kinds = info === ALL_KIND ? ALL_KINDS : [info];
    const out: WatchEvent[] = [];
    for (const k of kinds) {
      if (w.exclude?.has(resourceKey(k))) continue;
      const matched: KubeObject[] = [];
      for (const obj of this.objects.get(resourceKey(k))!.values()) if (matches(w, obj)) matched.push(obj);
      for (const obj of matched.sort(compareObjects)) out.push({ type: 'ADDED', object: obj });
    }
    return out;
  }

  private eventsSince(rv: number, w: Watcher): WatchEvent[] {
    if (!Number.isInteger(rv) || rv < 0) throw newBadRequest(`invalid resource version: ${rv}`);
    const resources = w.resource === ALL ? [...this.history.keys()].filter((r) => !w.exclude?.has(r)) : [w.resource];
    const out: WatchEvent[] = [];
    for (const e of this.changesSince(rv, resources)) {
      const ev = filterEvent(w, e.type, e.object, e.old);
      if (ev) out.push(ev);
    }
    return out;
  }

  private addWatcher(w: Watcher): void {
    const byNode = w.nodeName !== undefined;
    const index = byNode ? this.podWatchersByNode : this.watchers;
    const slot = byNode ? w.nodeName! : w.resource;
    let list = index.get(slot);
    if (!list) index.set(slot, (list = []));
    list.push(w);
    this.watchById.set(`${w.actor}/${w.watchId}`, w);
    if (!w.coalesce) this.strictWatches.set(w.resource, (this.strictWatches.get(w.resource) ?? 0) + 1);
  }

  private unwatch(watchId: string): KubeObject {
    return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', watchId } as KubeObject;
  }

  /** Removes a watch (client cancel, or its actor stopped). */
  removeWatch(actor: string, watchId: string): void {
    const w = this.watchById.get(`${actor}/${watchId}`);
    if (!w) return;
    this.watchById.delete(`${actor}/${watchId}`);
    const list = w.nodeName !== undefined ? this.podWatchersByNode.get(w.nodeName)! : this.watchers.get(w.resource)!;
    list.splice(list.indexOf(w), 1);
    if (!w.coalesce) this.strictWatches.set(w.resource, this.strictWatches.get(w.resource)! - 1);
  }

  /** Removes every watch of an actor (its connection dropped). */
  removeWatchesOf(actor: string): void {
    for (const [key, w] of [...this.watchById]) if (w.actor === actor) this.removeWatch(actor, key.slice(actor.length + 1));
  }

  /** Number of open watches (for benchmarks). */
  get watchCount(): number {
    return this.watchById.size;
  }

  /** Canonical state for snapshot(): the store and the resourceVersion. */
  snapshot(): unknown {
    return { resourceVersion: this.rv, objects: this.all() };
  }

  // ------------------------------------------------------------------ helpers

  private admit(chain: AdmissionPlugin[], operation: AdmissionAttributes['operation'], info: KindInfo, subresource: string, obj: KubeObject | undefined, old: KubeObject | undefined, user: UserInfo): void {
    if (chain.length === 0) return;
    // One attributes record for the whole chain (plug-ins read it; mutating ones change obj).
    const attrs: AdmissionAttributes = { operation, info, subresource, obj, old, user, server: this };
    for (const p of chain) p.admit(attrs);
  }

  time(offsetMs = 0): string {
    return formatTime(this.deps.now() + offsetMs, this.deps.epoch);
  }

  /** ClusterIP and NodePort allocation for Services. */
  private allocate(obj: KubeObject, info: KindInfo): void {
    if (info.kind !== 'Service') return;
    const spec = obj.spec ?? (obj.spec = {});
    if (spec.type !== 'ExternalName' && !spec.clusterIP) spec.clusterIP = this.allocateClusterIP();
    else if (spec.clusterIP && spec.clusterIP !== 'None') {
      if (this.usedClusterIPs.has(spec.clusterIP)) {
        throw newInvalid(info, obj.metadata.name!, [field.invalid('spec.clusterIPs', [spec.clusterIP], 'failed to allocate IP ' + spec.clusterIP + ': provided IP is already allocated')]);
      }
      this.usedClusterIPs.add(spec.clusterIP);
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      for (const p of spec.ports ?? []) if (!p.nodePort) p.nodePort = 30000 + this.deps.randomInt(2768);
    }
  }

  private allocateClusterIP(): string {
    // Service CIDR 10.96.0.0/12; .0.1 is the kubernetes Service.
    for (let attempt = 0; attempt < 1_000_000; attempt++) {
      const n = attempt === 0 && !this.usedClusterIPs.has('10.96.0.1') ? 1 : 2 + this.deps.randomInt((1 << 20) - 3);
      const ip = `10.${96 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}`;
      if (!this.usedClusterIPs.has(ip)) {
        this.usedClusterIPs.add(ip);
        return ip;
      }
    }
    throw newInternalErrorText('the service CIDR 10.96.0.0/12 is exhausted');
  }

  private release(obj: KubeObject, info: KindInfo): void {
    if (info.kind === 'Service' && obj.spec?.clusterIP) this.usedClusterIPs.delete(obj.spec.clusterIP);
  }
}

// -------------------------------------------------------------------- built-in admission plugins

/** Scheme defaulting runs as the first mutating step, as the API server decodes with defaults. */
const defaultingPlugin: AdmissionPlugin = {
  name: 'Defaulting',
  admit: ({ obj, info, operation }) => {
    if (obj && operation !== 'DELETE') applyDefaults(obj, info);
  },
};

/** The DefaultTolerationSeconds admission plugin (pods get 300 s not-ready/unreachable tolerations). */
const defaultTolerationSecondsPlugin: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit: ({ obj, info, operation }) => {
    if (obj && info.kind === 'Pod' && operation === 'CREATE') defaultTolerationSeconds(obj);
  },
};

/** NamespaceLifecycle: no new objects in a missing or terminating namespace. */
const namespaceLifecyclePlugin: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  admit: ({ obj, info, operation, server }) => {
    if (operation !== 'CREATE' || !info.namespaced || !obj) return;
    const nsInfo = lookupKind('v1', 'Namespace')!;
    const ns = server.peek(nsInfo, undefined, obj.metadata.namespace!);
    if (!ns) throw newNotFound({ group: '', resource: 'namespaces' }, obj.metadata.namespace!);
    if (ns.metadata.deletionTimestamp && !(info.kind === 'Event')) {
      throw newForbidden(groupResource(info), admissionName(obj), `unable to create new content in namespace ${ns.metadata.name} because it is being terminated`);
    }
  },
};

// -------------------------------------------------------------------- pure helpers

/**
 * The Job strategy's generateSelector: unless spec.manualSelector, the selector is the Job's uid
 * and the template gets the controller-uid and job-name labels (new and legacy keys).
 */
function generateJobSelector(job: KubeObject): void {
  const spec = job.spec ?? (job.spec = {});
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid!;
  const name = job.metadata.name!;
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
  const template = spec.template ?? (spec.template = {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), ...labels } };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...template.metadata.labels };
}

/** The DaemonSet strategy keeps the template's generation in an annotation (pod-template-generation). */
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function setTemplateGeneration(obj: KubeObject, generation: number): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(generation) };
}

/** Authentication: a request must carry a user (a client certificate or token in Kubernetes). */
function authenticate(user: UserInfo | undefined): void {
  if (!user || typeof user.username !== 'string' || user.username === '') throw newUnauthorized();
}

/** The Event resource as stored (core/v1), and its events.k8s.io/v1 version (served converted). */
const EVENT_KIND = lookupKind('v1', 'Event')!;
const EVENT_V1_KIND = lookupKind(EVENTS_V1, 'Event')!;

const ALL_KIND: KindInfo = {
  group: '*', version: '*', kind: '*', resource: '*', singular: '*', namespaced: true, shortNames: [],
  hasStatus: false, scale: null, generation: false,
};

function resourceKey(info: KindInfo): string {
  if (info === ALL_KIND) return ALL;
  let key = resourceKeys.get(info);
  if (key === undefined) resourceKeys.set(info, (key = `${info.group}/${info.resource}`));
  return key;
}

/** One key string per kind (history entries and watchers keep it). */
const resourceKeys = new Map<KindInfo, string>();

function objectKey(namespace: string | undefined, name: string): string {
  // Flat from the start (join): a lookup hashes the key, and a rope would be flattened first
  // (≈250 ns less a lookup in a 160,000-entry map).
  return namespace ? joined(namespace, '/', name) : name;
}

function objectNamespace(body: unknown): string | undefined {
  return (body as KubeObject | undefined)?.metadata?.namespace || undefined;
}

function requireName(req: ApiRequest): string {
  if (!req.name) throw newBadRequest('resource name may not be empty');
  return req.name;
}

function hasResourceVersion(patch: unknown): boolean {
  return Array.isArray(patch)
    ? patch.some((op: any) => typeof op?.path === 'string' && op.path.startsWith('/metadata/resourceVersion'))
    : Boolean((patch as KubeObject | undefined)?.metadata?.resourceVersion);
}

/**
 * A copy whose top level and metadata may be changed. Stored objects are never mutated in
 * place (they are shared with watchers and frozen), so sharing the rest is safe.
 */
function shallowCopy(obj: KubeObject): KubeObject {
  return copyOf(obj, { metadata: copyOf(obj.metadata) });
}

/** The node a pod field selector pins with `spec.nodeName=x` (or `==`, not empty), if it does. */
function exactNodeName(fieldSelector: string): string | undefined {
  const m = /(?:^|,)\s*spec\.nodeName\s*==?\s*([^,!=\s]+)\s*(?:,|$)/.exec(fieldSelector);
  return m ? m[1] : undefined;
}

/** The name a field selector pins with `metadata.name=x` (or `==`), if it does. */
function exactName(fieldSelector: string): string | undefined {
  const m = /(?:^|,)\s*metadata\.name\s*==?\s*([^,!=\s]+)\s*(?:,|$)/.exec(fieldSelector);
  return m ? m[1] : undefined;
}

function sortFrom(items: KubeObject[], start: number): void {
  const tail = items.splice(start).sort(compareObjects);
  for (const o of tail) items.push(o);
}

export function compareObjects(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const am = a.metadata.name ?? '';
  const bm = b.metadata.name ?? '';
  return am < bm ? -1 : am > bm ? 1 : 0;
}

/**
 * Whose a request body is: the sender's (copied whole), or handed over, so kept as it comes: by a
 * sender that never touches it again (ApiRequest.transfer) or by the server itself (a patch
 * result, whose top and metadata it copied and whose rest it shares with the stored version).
 */
type BodyOwner = 'sender' | 'handed-over';

/** Copies the request body unless it is handed over, and checks its envelope. */
function prepareBody(body: unknown, info: KindInfo, owner: BodyOwner): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw newBadRequest('the body of the request was in an unknown format');
  // A handed-over body the server has kept already (a duplicated delivery of the same request)
  // is frozen now: copied, like a sender's, so the request is served as the first time.
  // (An events.k8s.io/v1 body converted anew shares the kept one's metadata.)
  const meta = (body as KubeObject).metadata;
  const kept = Object.isFrozen(body) || (meta !== undefined && Object.isFrozen(meta));
  const obj = (owner === 'handed-over' && !kept ? body : clone(body)) as KubeObject;
  obj.apiVersion = apiVersionOf(info);
  obj.kind = info.kind;
  obj.metadata = obj.metadata ?? {};
  return obj;
}

/** Fields of metadata only the server sets: they keep their stored values on update. */
function keepSystemMetadata(next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  m.deletionTimestamp = o.deletionTimestamp;
  m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  if (m.generation === undefined) delete m.generation;
  if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
  if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
  if (m.generateName === undefined && o.generateName) m.generateName = o.generateName;
}

/** PrepareForCreate: most kinds' status is cleared on create; pods start Pending. */
function resetStatusOnCreate(obj: KubeObject, info: KindInfo): void {
  if (info.kind === 'Pod') {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
  } else if (info.kind === 'Namespace') {
    obj.status = { phase: 'Active' };
  } else if (info.hasStatus && info.kind !== 'Node' && info.kind !== 'PersistentVolume' && info.kind !== 'PersistentVolumeClaim' && info.kind !== 'Event') {
    if (info.kind === 'Service') obj.status = { loadBalancer: {} };
    else obj.status = {};
  }
  if (info.kind === 'PersistentVolume') obj.status = { phase: 'Pending' };
  if (info.kind === 'PersistentVolumeClaim') obj.status = { phase: 'Pending' };
}

/** The pod's QoS class (K:pkg/apis/core/helper/qos): Guaranteed, Burstable or BestEffort. */
export function qosClass(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function checkPreconditions(info: KindInfo, old: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (!p) return;
  if (p.uid && p.uid !== old.metadata.uid) {
    throw newConflict(groupResource(info), old.metadata.name!, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (p.resourceVersion && p.resourceVersion !== old.metadata.resourceVersion) {
    throw newConflict(groupResource(info), old.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  }
}

/**
 * Graceful deletion applies to pods: the grace period is the request's or the pod's
 * terminationGracePeriodSeconds; a pod never scheduled, or already terminal, goes at once.
 */
function gracePeriodFor(info: KindInfo, old: KubeObject, opts: DeleteOptions): number {
  if (info.kind !== 'Pod') return 0;
  if (!old.spec?.nodeName) return 0;
  const phase = old.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g);
}

/** The finalizers a delete adds for its propagation policy (Foreground/Orphan). */
function finalizersFor(old: KubeObject, opts: DeleteOptions): string[] {
  const existing = (old.metadata.finalizers ?? []).filter((f: string) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (opts.propagationPolicy === 'Foreground') return [...existing, 'foregroundDeletion'];
  if (opts.propagationPolicy === 'Orphan') return [...existing, 'orphan'];
  return old.metadata.finalizers ?? [];
}

/**
 * An object marked for deletion goes once no finalizer holds it: at once for most kinds; a
 * pod only when its grace period is over (the kubelet's final delete) or it was never bound.
 */
function shouldDeleteDuringUpdate(info: KindInfo, obj: KubeObject): boolean {
  const m = obj.metadata;
  if (!m.deletionTimestamp || (m.finalizers ?? []).length > 0) return false;
  if (info.kind === 'Namespace') return (obj.spec?.finalizers ?? []).length === 0;
  if (info.kind === 'Pod') return !obj.spec?.nodeName || (m.deletionGracePeriodSeconds ?? 0) === 0;
  return true;
}

function matches(w: Watcher, obj: KubeObject): boolean {
  if (w.namespace !== undefined && obj.metadata.namespace !== w.namespace) return false;
  if (!w.labels.matches(obj.metadata.labels)) return false;
  return !w.fields || w.fields.matches(obj);
}

/** Watch-cache filtering: an object moving into or out of a selector is ADDED or DELETED. */
function filterEvent(w: Watcher, type: WatchEventType, obj: KubeObject, old: KubeObject | undefined): WatchEvent | undefined {
  const t = eventTypeFor(w, type, obj, old);
  return t === undefined ? undefined : { type: t, object: obj };
}

/**
 * What a change is to a filtered watch: a modification that makes an object match is ADDED to
 * it, one that makes it stop matching DELETED; undefined when the watch does not see it.
 */
function eventTypeFor(w: Watcher, type: WatchEventType, obj: KubeObject, old: KubeObject | undefined): WatchEventType | undefined {
  const now = matches(w, obj);
  if (type !== 'MODIFIED') return now ? type : undefined;
  const before = old !== undefined && matches(w, old);
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}

function newInternalErrorText(msg: string): StatusError {
  return newBadRequest(msg);
}

export type { FieldError };

/** What an events.k8s.io/v1 request returns: a stored Event converted, a Status as it is. */
function eventOut(o: KubeObject): KubeObject {
  return o.kind === 'Event' ? eventToV1(o) : o;
}
