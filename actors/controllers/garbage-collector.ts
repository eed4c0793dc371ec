// The garbage collector (pkg/controller/garbagecollector): deletes dependents whose owners are
// gone (Background), deletes dependents before their owner (Foreground, the foregroundDeletion
// finalizer), and removes owner references from dependents (Orphan, the orphan finalizer).
// Its graph builder reads pods through the manager's shared pod informer and every other kind
// but events (its ignored resources) through one informer over all kinds, as upstream's monitors
// take each resource's informer from the shared factory. Owners are confirmed absent with a live
// GET, because the cache may lag (attemptToDeleteItem's isDangling).
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { deepEqual } from '../../api/equal.ts';
import { Controller, controllerUser } from './controller.ts';
import type { Informer, InformerHandlers } from '../../client/informer.ts';

const FOREGROUND = 'foregroundDeletion';
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const ORPHAN = 'orphan';

export class GarbageCollector extends Controller {
  protected readonly user = controllerUser('generic-garbage-collector');
  /** Pods (the shared pod informer) and every other kind but events. */
  private pods!: Informer;
  private rest!: Informer;
  /** uid → cache key, for finding owners. */
  private readonly byUid = new Map<string, KubeObject>();

  protected setup(): void {
    const handlers: InformerHandlers = {
      add: (o) => this.observe(o),
      update: (old, o) => {
        // The graph builder reacts to changes of the owner graph only (GraphBuilder.processGraphChanges).
        if (old === o || graphChanged(old, o)) this.observe(o);
        else this.byUid.set(o.metadata.uid!, o);
      },
      delete: (o) => this.forgetObject(o),
    };
    this.pods = this.informer({ kind: POD_KIND, name: 'gc-pods' });
    // Events are never owners or dependents the collector acts on (DefaultIgnoredResources).
    this.rest = this.informer({ kind: '*', name: 'gc-all', excludeResources: ['events', 'pods'] });
    this.rest.addHandlers(handlers);
    this.pods.addHandlers(handlers);
  }

  /** Dependents of `uid` of every kind (other kinds first, then pods, each sorted by key). */
  private ownedBy(uid: string): KubeObject[] {
    const pods = this.pods.ownedBy(uid);
    const rest = this.rest.ownedBy(uid);
    return pods.length === 0 ? rest : rest.length === 0 ? pods : [...rest, ...pods];
  }

  private observe(o: KubeObject): void {
    this.byUid.set(o.metadata.uid!, o);
    if ((o.metadata.ownerReferences ?? []).length) this.enqueue(keyOf(o));
    if (o.metadata.deletionTimestamp && hasFinalizer(o, FOREGROUND, ORPHAN)) this.enqueue(keyOf(o));
  }

  private forgetObject(o: KubeObject): void {
    this.byUid.delete(o.metadata.uid!);
    for (const d of this.ownedBy(o.metadata.uid!)) this.enqueue(keyOf(d));
    for (const ref of o.metadata.ownerReferences ?? []) {
      const owner = this.byUid.get(ref.uid);
      if (owner) this.enqueue(keyOf(owner));
    }
  }

  protected reconcile(key: string): void {
    const obj = this.lookup(key);
    if (!obj) return;
    if (obj.metadata.deletionTimestamp && hasFinalizer(obj, FOREGROUND)) this.processDeletingDependents(key, obj);
    else if (obj.metadata.deletionTimestamp && hasFinalizer(obj, ORPHAN)) this.orphanDependents(key, obj);
    if ((obj.metadata.ownerReferences ?? []).length) this.attemptToDeleteItem(key, obj);
  }

  /** Foreground: delete every dependent; drop the finalizer once no blocking dependent remains. */
  private processDeletingDependents(key: string, owner: KubeObject): void {
    const dependents = this.ownedBy(owner.metadata.uid!);
    let blocking = 0;
    for (const d of dependents) {
      const ref = refTo(d, owner.metadata.uid!)!;
      if (ref.blockOwnerDeletion) blocking++;
      if (d.metadata.deletionTimestamp) continue;
      this.client.delete(d, d.metadata.namespace, d.metadata.name!, { propagationPolicy: ref.blockOwnerDeletion ? 'Foreground' : 'Background' }, this.onWrite(key));
    }
    if (blocking === 0) this.removeFinalizer(key, owner, FOREGROUND);
  }

  /** Orphan: remove the owner reference from each dependent, then the finalizer. */
  private orphanDependents(key: string, owner: KubeObject): void {
    const uid = owner.metadata.uid!;
    const dependents = this.ownedBy(uid);
    if (dependents.length === 0) {
      this.removeFinalizer(key, owner, ORPHAN);
      return;
    }
    let pending = dependents.length;
    let failed = false;
    for (const d of dependents) {
      const refs = (d.metadata.ownerReferences ?? []).filter((r: OwnerReference) => r.uid !== uid);
      this.client.patch(d, d.metadata.namespace, d.metadata.name!, { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: d.metadata.resourceVersion } }, 'application/merge-patch+json', this.onWrite(key, (r) => {
        if (!r.ok && r.status.code !== 404) failed = true;
        if (--pending === 0 && !failed) this.removeFinalizer(key, owner, ORPHAN);
      }));
    }
  }

  /** A dependent whose owners are all gone is deleted; dangling references alone are removed. */
  private attemptToDeleteItem(key: string, obj: KubeObject): void {
    const refs: OwnerReference[] = obj.metadata.ownerReferences ?? [];
    const missing = refs.filter((r) => !this.byUid.has(r.uid));
    if (missing.length === 0) return;
    let answered = 0;
    const dangling: OwnerReference[] = [];
    for (const ref of missing) {
      this.client.get(ref, ownerNamespace(obj, ref), ref.name, (r) => {
        if (!r.ok ? r.status.code === 404 : r.object.metadata.uid !== ref.uid) dangling.push(ref);
        if (++answered === missing.length) this.deleteOrUnlink(key, obj, dangling);
      });
    }
  }

  private deleteOrUnlink(key: string, obj: KubeObject, dangling: OwnerReference[]): void {
    if (dangling.length === 0) return;
    const refs: OwnerReference[] = obj.metadata.ownerReferences ?? [];
    const remaining = refs.filter((r) => !dangling.some((d) => d.uid === r.uid));
    if (remaining.length === 0) {
      if (!obj.metadata.deletionTimestamp) {
        this.client.delete(obj, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } }, this.onWrite(key));
      }
      return;
    }
    const waiting = remaining.some((r) => {
      const owner = this.byUid.get(r.uid);
      return owner?.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND);
    });
    if (!waiting) {
      this.client.patch(obj, obj.metadata.namespace, obj.metadata.name!, { metadata: { ownerReferences: remaining, resourceVersion: obj.metadata.resourceVersion } }, 'application/merge-patch+json', this.onWrite(key));
    }
  }

  private removeFinalizer(key: string, obj: KubeObject, finalizer: string): void {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    this.client.patch(obj, obj.metadata.namespace, obj.metadata.name!, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: obj.metadata.resourceVersion } }, 'application/merge-patch+json', this.onWrite(key));
  }

  private lookup(key: string): KubeObject | undefined {
    const [kind, ns, name] = splitKey(key);
    return kind === 'Pod' ? this.pods.get(ns || undefined, name) : this.rest.get(ns || undefined, name, kind);
  }
}

/** Whether an update touched what the garbage collector tracks: owners, finalizers, deletion. */
function graphChanged(a: KubeObject, b: KubeObject): boolean {
  const ma = a.metadata;
  const mb = b.metadata;
  // A status write shares the metadata's arrays with the previous version: compare those first.
  return ma.deletionTimestamp !== mb.deletionTimestamp
    || (ma.ownerReferences !== mb.ownerReferences && !deepEqual(ma.ownerReferences ?? null, mb.ownerReferences ?? null))
    || (ma.finalizers !== mb.finalizers && !deepEqual(ma.finalizers ?? null, mb.finalizers ?? null));
}

function keyOf(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function splitKey(key: string): [string, string, string] {
  const i = key.indexOf('/');
  const j = key.indexOf('/', i + 1);
  return [key.slice(0, i), key.slice(i + 1, j), key.slice(j + 1)];
}

function hasFinalizer(o: KubeObject, ...names: string[]): boolean {
  return (o.metadata.finalizers ?? []).some((f: string) => names.includes(f));
}

function refTo(o: KubeObject, uid: string): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r: OwnerReference) => r.uid === uid);
}

/** Owners of namespaced dependents live in the same namespace (or are cluster-scoped). */
function ownerNamespace(dependent: KubeObject, ref: OwnerReference): string | undefined {
  return CLUSTER_SCOPED_OWNER_KINDS.has(ref.kind) ? undefined : dependent.metadata.namespace;
}

const CLUSTER_SCOPED_OWNER_KINDS = new Set(['Node', 'Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'IngressClass']);
