// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go): on Pod
// CREATE it defaults spec.serviceAccountName to "default", rejects a pod whose ServiceAccount does
// not exist, copies the account's imagePullSecrets to a pod that names none, and, unless
// automountServiceAccountToken says no, adds the projected `kube-api-access-<5 chars>` volume
// (bound token, kube-root-ca.crt, namespace) mounted read-only in every container. k8s-facts §12.2.
import type { KubeObject } from './types.ts';
import type { AdmissionAttributes, AdmissionPlugin, ApiServer } from './server.ts';
import { newAdmissionForbidden } from './errors.ts';
import { groupResource, lookupKind } from './registry.ts';
import { deepFreeze } from './equal.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** DefaultAPITokenMountPath. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** ServiceAccountVolumeName: the projected volume's name is this, a dash and 5 random characters. */
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
/** The bound token's lifetime the plugin asks for (an hour and 7 s, so the kubelet can tell it apart). */
export const SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS = 3607;
/** The ConfigMap the root-ca-cert-publisher keeps in every namespace. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

const serviceAccountInfo = () => lookupKind('v1', 'ServiceAccount')!;

/**
 * What the plugin's volume projects (createVolume's sources and mode): the same for every pod, so
 * every pod's volume shares this one frozen object (30,000 pods: 8 objects each fewer).
 */
const TOKEN_PROJECTION = deepFreeze({
  sources: [
    { serviceAccountToken: { expirationSeconds: SERVICE_ACCOUNT_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
    { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
  ],
  defaultMode: 0o644,
});

/** The projected volume the plugin adds (createVolume). */
export function serviceAccountVolume(name: string): any {
  return { name, projected: TOKEN_PROJECTION };
}

/** shouldAutomount: the pod's setting, else the ServiceAccount's, else yes. */
function shouldAutomount(sa: KubeObject | undefined, pod: KubeObject): boolean {
  if (typeof pod.spec.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof sa?.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** mountServiceAccountToken: one volume, mounted in every container without a mount at the path. */
function mountToken(pod: KubeObject, server: ApiServer): void {
  const spec = pod.spec;
  const existing = (spec.volumes ?? []).find((v: any) => typeof v?.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  const volumeName: string = existing?.name ?? SERVICE_ACCOUNT_VOLUME_PREFIX + server.generateNameSuffix();
  let needed = false;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of list ?? []) {
      if ((c.volumeMounts ?? []).some((m: any) => m?.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !existing) spec.volumes = [...(spec.volumes ?? []), serviceAccountVolume(volumeName)];
}

function admitPod({ obj, server, info }: AdmissionAttributes): void {
  const pod = obj!;
  const spec = (pod.spec ??= {});
  // Mirror pods (static pods) are the kubelet's: their spec is left alone.
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) {
    if (spec.serviceAccountName) throw newAdmissionForbidden(groupResource(info), pod, 'a mirror pod may not reference service accounts');
    return;
  }
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
  // The deprecated field mirrors the name in v1 (conversion sets DeprecatedServiceAccount).
  spec.serviceAccount = spec.serviceAccountName;
  const namespace = pod.metadata.namespace!;
  const sa = server.peek(serviceAccountInfo(), namespace, spec.serviceAccountName);
  // Upstream retries the lookup of "default" for a while, as the serviceaccount controller creates
  // it as soon as the namespace exists; here that controller has simply not run yet.
  if (!sa && spec.serviceAccountName !== DEFAULT_SERVICE_ACCOUNT) {
    throw newAdmissionForbidden(groupResource(info), pod, `error looking up service account ${namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
  }
  if (shouldAutomount(sa, pod)) mountToken(pod, server);
  if (!(spec.imagePullSecrets ?? []).length && sa?.imagePullSecrets?.length) {
    spec.imagePullSecrets = sa.imagePullSecrets.map((s: any) => ({ name: s.name }));
  }
}

/** The ServiceAccount admission plugin (mutating). */
export const serviceAccountAdmission: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit(attrs: AdmissionAttributes): void {
    if (attrs.subresource || attrs.info.kind !== 'Pod' || attrs.info.group !== '' || attrs.operation !== 'CREATE' || !attrs.obj) return;
    admitPod(attrs);
  },
};

/** Registers the plugin in the server's mutating chain, after defaulting (idempotent). */
export function registerServiceAccountAdmission(server: ApiServer): void {
  if (server.mutating.some((p) => p.name === serviceAccountAdmission.name)) return;
  const defaulting = server.mutating.findIndex((p) => p.name === 'Defaulting');
  server.mutating.splice(defaulting + 1, 0, serviceAccountAdmission);
}
