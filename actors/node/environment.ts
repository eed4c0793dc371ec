// The container environment the kubelet builds (kubelet_pods.go makeEnvironmentVariables):
// the kubernetes Service variables, envFrom, env (value with $(VAR) expansion, fieldRef,
// resourceFieldRef, configMapKeyRef, secretKeyRef), then HOSTNAME. A missing ConfigMap, Secret
// or key that is not optional throws, which the kubelet reports as CreateContainerConfigError.
import type { KubeObject } from '../../api/types.ts';
import { NONE } from '../../api/equal.ts';
import { parseQuantity } from '../../api/validation.ts';
import type { NodeHost } from './host.ts';

export interface EnvRef {
  kind: 'ConfigMap' | 'Secret';
  name: string;
}

/** The ConfigMaps and Secrets the container's environment reads. */
export function environmentRefs(c: any): readonly EnvRef[] {
  if (!c.envFrom && !c.env) return NONE;
  const out = new Map<string, EnvRef>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) addRef(out, 'ConfigMap', f.configMapRef.name);
    if (f.secretRef) addRef(out, 'Secret', f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) addRef(out, 'ConfigMap', e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef) addRef(out, 'Secret', e.valueFrom.secretKeyRef.name);
  }
  return [...out.values()];
}

function addRef(out: Map<string, EnvRef>, kind: 'ConfigMap' | 'Secret', name: string): void {
  out.set(`${kind}/${name}`, { kind, name });
}

/** A ConfigMap or Secret the environment reads; one that is missing and not optional fails the container. */
function lookup(fetched: Map<string, KubeObject | undefined>, kind: string, name: string, optional: boolean): KubeObject | undefined {
  const obj = fetched.get(`${kind}/${name}`);
  if (!obj && !optional) throw new Error(`${kind.toLowerCase()} "${name}" not found`);
  return obj;
}

function dataOf(obj: KubeObject): Record<string, string> {
  if (obj.kind !== 'Secret') return { ...(obj.data ?? {}) };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
  return { ...out, ...(obj.stringData ?? {}) };
}

export function buildEnvironment(pod: KubeObject, c: any, fetched: Map<string, KubeObject | undefined>, podIP: string, host: NodeHost): Record<string, string> {
  const ns = pod.metadata.namespace!;
  const env: Record<string, string> = {
    KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  };
  for (const f of c.envFrom ?? []) {
    const ref = f.configMapRef ?? f.secretRef;
    const obj = lookup(fetched, f.configMapRef ? 'ConfigMap' : 'Secret', ref.name, Boolean(ref.optional));
    if (obj) for (const [k, v] of Object.entries(dataOf(obj))) env[(f.prefix ?? '') + k] = v;
  }
  for (const e of c.env ?? []) env[e.name] = envValue(e, pod, env, fetched, podIP, host, ns);
  env.HOSTNAME = pod.spec.hostname ?? pod.metadata.name!;
  return env;
}

function envValue(e: any, pod: KubeObject, env: Record<string, string>, fetched: Map<string, KubeObject | undefined>, podIP: string, host: NodeHost, ns: string): string {
  if (e.value !== undefined) return String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => env[v] ?? m);
  const vf = e.valueFrom ?? {};
  if (vf.fieldRef) return fieldRefValue(vf.fieldRef.fieldPath, pod, podIP, host);
  if (vf.configMapKeyRef || vf.secretKeyRef) {
    const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
    const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
    const obj = lookup(fetched, kind, ref.name, Boolean(ref.optional));
    if (!obj) return '';
    const data = dataOf(obj);
    if (!(ref.key in data)) {
      if (ref.optional) return '';
      throw new Error(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
    }
    return data[ref.key];
  }
  if (vf.resourceFieldRef) return resourceFieldValue(vf.resourceFieldRef, pod);
  return '';
}

/** A metadata field (name, namespace, uid, one label or annotation); undefined for other paths. */
function metadataFieldValue(path: string, pod: KubeObject): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata as any)[m[1]]?.[m[2]] ?? '';
  if (path === 'metadata.name') return pod.metadata.name!;
  if (path === 'metadata.namespace') return pod.metadata.namespace!;
  if (path === 'metadata.uid') return pod.metadata.uid!;
  return undefined;
}

function fieldRefValue(path: string, pod: KubeObject, podIP: string, host: NodeHost): string {
  const meta = metadataFieldValue(path, pod);
  if (meta !== undefined) return meta;
  switch (path) {
    case 'spec.nodeName': return host.spec.name;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.podIPs': return podIP;
    case 'status.hostIP': case 'status.hostIPs': return host.hostIP;
    default: return '';
  }
}

/**
 * A downward API volume file: one field, or `key="value"` lines (sorted) for all labels or
 * annotations (pkg/volume/downwardapi).
 */
export function downwardAPIFile(path: string, pod: KubeObject): string {
  if (path === 'metadata.labels' || path === 'metadata.annotations') {
    const map: Record<string, string> = (pod.metadata as any)[path.slice('metadata.'.length)] ?? {};
    return Object.keys(map).sort().map((k) => `${k}=${JSON.stringify(map[k])}`).join('\n');
  }
  return metadataFieldValue(path, pod) ?? '';
}

function resourceFieldValue(ref: any, pod: KubeObject): string {
  const container = (pod.spec.containers ?? []).find((c: any) => c.name === ref.containerName) ?? pod.spec.containers[0];
  const [kind, res] = String(ref.resource).split('.');
  const q = container?.resources?.[kind]?.[res];
  if (q === undefined) return '0';
  const divisor = ref.divisor ? parseQuantity(ref.divisor) : 1;
  return String(Math.ceil(parseQuantity(q) / divisor));
}
