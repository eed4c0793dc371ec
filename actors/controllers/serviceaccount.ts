// The service account controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active Namespace has a ServiceAccount "default", created when the Namespace appears and
// again if it is deleted. Pods name it unless they name another (the ServiceAccount admission
// plug-in).
import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/informer.ts';
import { DEFAULT_SERVICE_ACCOUNT } from '../../api/admission-serviceaccount.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import { isNamespaceActive, requeueUnlessDone } from './controller-utils.ts';

const SERVICE_ACCOUNT = { apiVersion: 'v1', kind: 'ServiceAccount' };

export class ServiceAccountsController extends Controller {
  protected readonly user = controllerUser('service-account-controller');
  private namespaces!: Informer;
  private accounts!: Informer;

  protected setup(): void {
    this.namespaces = this.informer({ kind: { apiVersion: 'v1', kind: 'Namespace' }, resyncPeriod: 5 * 60_000 });
    this.accounts = this.informer({ kind: SERVICE_ACCOUNT, resyncPeriod: 5 * 60_000 });
    const byName = (ns: KubeObject) => this.enqueue(ns.metadata.name!);
    this.namespaces.addHandlers({ add: byName, update: (_o, ns) => byName(ns) });
    this.accounts.addHandlers({ delete: (sa) => this.enqueue(sa.metadata.namespace!) });
  }

  /** syncNamespace: create the missing account in an active namespace (AlreadyExists is success). */
  protected reconcile(name: string): ReconcileResult | void {
    const ns = this.namespaces.get(undefined, name);
    if (!isNamespaceActive(ns)) return;
    if (this.accounts.get(name, DEFAULT_SERVICE_ACCOUNT)) return;
    const body = { ...SERVICE_ACCOUNT, metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name } };
    this.client.create(body, requeueUnlessDone(() => this.requeueRateLimited(name)));
  }
}
