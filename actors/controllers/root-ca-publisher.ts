// The root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher): every
// active Namespace has the ConfigMap kube-root-ca.crt with the cluster's CA bundle under ca.crt,
// which the projected kube-api-access volume of every pod mounts. A deleted or edited copy is
// put back.
import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/informer.ts';
import { ROOT_CA_CONFIGMAP } from '../../api/admission-serviceaccount.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import { isNamespaceActive, requeueUnlessDone } from './controller-utils.ts';

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };
export const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';

/** A PEM bundle standing for the cluster CA's certificate (its bytes from the cluster's seeded stream). */
export function caBundleFrom(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export class RootCACertPublisher extends Controller {
  protected readonly user = controllerUser('root-ca-cert-publisher');
  private namespaces!: Informer;
  private configMaps!: Informer;

  constructor(private readonly caBundle: string) {
    super();
  }

  protected setup(): void {
    this.namespaces = this.informer({ kind: { apiVersion: 'v1', kind: 'Namespace' }, resyncPeriod: 5 * 60_000 });
    this.configMaps = this.informer({ kind: CONFIG_MAP, resyncPeriod: 5 * 60_000 });
    const byName = (ns: KubeObject) => this.enqueue(ns.metadata.name!);
    this.namespaces.addHandlers({ add: byName, update: (_o, ns) => byName(ns) });
    const ofConfigMap = (cm: KubeObject) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.enqueue(cm.metadata.namespace!);
    };
    this.configMaps.addHandlers({ update: (_o, cm) => ofConfigMap(cm), delete: ofConfigMap });
  }

  /** syncNamespace: create the ConfigMap, or put its data and description back. */
  protected reconcile(name: string): ReconcileResult | void {
    const ns = this.namespaces.get(undefined, name);
    if (!isNamespaceActive(ns)) return;
    const cm = this.configMaps.get(name, ROOT_CA_CONFIGMAP);
    const retry = requeueUnlessDone(() => this.requeueRateLimited(name));
    if (!cm) {
      const body = { ...CONFIG_MAP, metadata: { name: ROOT_CA_CONFIGMAP, namespace: name, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': this.caBundle } };
      this.client.create(body, retry);
      return;
    }
    const data = cm.data ?? {};
    if (Object.keys(data).length === 1 && data['ca.crt'] === this.caBundle && cm.metadata.annotations?.[DESCRIPTION_ANNOTATION] === ROOT_CA_DESCRIPTION) return;
    const body = { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } }, data: { 'ca.crt': this.caBundle } };
    this.client.update(body, retry);
  }
}
