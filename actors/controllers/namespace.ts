// The namespace controller (pkg/controller/namespace): when a Namespace is being deleted it
// deletes everything in it, waits until nothing is left, then removes the `kubernetes`
// finalizer through the finalize subresource, after which the API server removes the Namespace.
import type { KubeObject } from '../../api/types.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import type { Informer } from '../../client/informer.ts';

/** How often to look again while content is still terminating (e.g. pods in their grace period). */
export const NAMESPACE_RECHECK_MS = 1_000;

export class NamespaceController extends Controller {
  protected readonly user = controllerUser('namespace-controller');
  private namespaces!: Informer;

  protected setup(): void {
    this.namespaces = this.informer({ kind: { apiVersion: 'v1', kind: 'Namespace' }, resyncPeriod: 5 * 60_000 });
    this.namespaces.addHandlers({
      add: (ns) => this.enqueueIfDeleting(ns),
      update: (_o, ns) => this.enqueueIfDeleting(ns),
    });
  }

  private enqueueIfDeleting(ns: KubeObject): void {
    if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name!);
  }

  /** syncNamespace: delete all content, then finalize. */
  protected reconcile(name: string): ReconcileResult | void {
    const ns = this.namespaces.get(undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    this.client.list({ apiVersion: 'v1', kind: '*' }, name, {}, (r) => {
      if (!r.ok) {
        this.requeueRateLimited(name);
        return;
      }
      const items = (r.object.items as KubeObject[]).filter((o) => o.kind !== 'Event');
      if (items.length === 0) {
        this.finalize(ns);
        return;
      }
      this.deleteAllContent(items);
      this.enqueueAfter(name, NAMESPACE_RECHECK_MS);
    });
  }

  private deleteAllContent(items: KubeObject[]): void {
    for (const o of items) {
      if (o.metadata.deletionTimestamp) continue;
      this.client.delete(o, o.metadata.namespace, o.metadata.name!, { propagationPolicy: 'Background' });
    }
  }

  private finalize(ns: KubeObject): void {
    this.client.list({ apiVersion: 'v1', kind: 'Event' }, ns.metadata.name, {}, (r) => {
      if (r.ok) for (const e of r.object.items as KubeObject[]) this.client.delete(e, e.metadata.namespace, e.metadata.name!);
      const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
      const body = { ...ns, spec: { ...ns.spec, finalizers } };
      this.client.request({ verb: 'update', apiVersion: 'v1', kind: 'Namespace', name: ns.metadata.name, body, subresource: 'finalize' }, this.onWrite(ns.metadata.name!));
    });
  }
}
