// The kinds registry: which kinds the simulated API server serves, their resource names,
// scope, short names and subresources. Mirrors what the real server publishes through
// discovery (`kubectl api-resources`), as assembled from each group's storage in
// kubernetes/kubernetes pkg/registry/*/rest/storage_*.go and pkg/controlplane, and the
// RESTMapper error of apimachinery pkg/api/meta/errors.go (NoKindMatchError).
import { StatusError } from './errors.ts';

export interface KindInfo {
  group: string;          // '' for core
  version: string;        // 'v1', 'v2' (autoscaling/v2) ...
  kind: string;           // 'Deployment'
  resource: string;       // plural lowercase: 'deployments'
  singular: string;       // 'deployment'
  namespaced: boolean;
  shortNames: string[];   // as kubectl api-resources shows
  hasStatus: boolean;     // has a status subresource
  scale: null | { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  generation: boolean;    // metadata.generation is bumped on spec changes
}

interface KindSpec {
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  status?: boolean;
  scale?: boolean;
  generation?: boolean;
}

/** The scale subresource of the built-in workloads: replicas live at the same paths. */
const WORKLOAD_SCALE = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

function kindsOf(group: string, version: string, specs: KindSpec[]): KindInfo[] {
  return specs.map((s) => ({
    group,
    version,
    kind: s.kind,
    resource: s.resource,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    hasStatus: s.status ?? false,
    scale: s.scale ? { ...WORKLOAD_SCALE } : null,
    generation: s.generation ?? false,
  }));
}

// Scope, short names and subresources as `kubectl api-resources` (v1.3x) lists them.
// `generation` follows the registry strategies that set/bump metadata.generation
// (workload controllers, HPA, PDB, Ingress, NetworkPolicy; Pods since v1.33).
const CORE = kindsOf('', 'v1', [
  { kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], status: true, generation: true },
  { kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], status: true },
  { kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'] },
  { kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], status: true },
  { kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
  { kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { kind: 'Secret', resource: 'secrets', namespaced: true },
  { kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, shortNames: ['pv'], status: true },
  { kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true },
  { kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] },
  { kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], status: true, scale: true, generation: true },
  { kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, shortNames: ['quota'], status: true },
  { kind: 'LimitRange', resource: 'limitranges', namespaced: true, shortNames: ['limits'] },
  { kind: 'PodTemplate', resource: 'podtemplates', namespaced: true },
  { kind: 'Binding', resource: 'bindings', namespaced: true },
]);

const APPS = kindsOf('apps', 'v1', [
  { kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], status: true, scale: true, generation: true },
  { kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'], status: true, scale: true, generation: true },
  { kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'], status: true, scale: true, generation: true },
  { kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], status: true, generation: true },
  { kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true },
]);

const BATCH = kindsOf('batch', 'v1', [
  { kind: 'Job', resource: 'jobs', namespaced: true, status: true, generation: true },
  { kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], status: true, generation: true },
]);

const HPA: KindSpec = { kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], status: true, generation: true };
const AUTOSCALING = [...kindsOf('autoscaling', 'v2', [HPA]), ...kindsOf('autoscaling', 'v1', [HPA])];

const POLICY = kindsOf('policy', 'v1', [
  { kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true, generation: true },
  // Served only as the pods/eviction subresource; kept here so its apiVersion/kind resolve.
  { kind: 'Eviction', resource: 'evictions', namespaced: true },
]);

const STORAGE = kindsOf('storage.k8s.io', 'v1', [
  { kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  { kind: 'VolumeAttachment', resource: 'volumeattachments', namespaced: false, status: true },
  { kind: 'CSIDriver', resource: 'csidrivers', namespaced: false },
  { kind: 'CSINode', resource: 'csinodes', namespaced: false },
  { kind: 'CSIStorageCapacity', resource: 'csistoragecapacities', namespaced: true },
]);

const NETWORKING = kindsOf('networking.k8s.io', 'v1', [
  { kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, shortNames: ['netpol'], generation: true },
  { kind: 'Ingress', resource: 'ingresses', namespaced: true, shortNames: ['ing'], status: true, generation: true },
  { kind: 'IngressClass', resource: 'ingressclasses', namespaced: false },
]);

const DISCOVERY = kindsOf('discovery.k8s.io', 'v1', [
  { kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true },
]);

const COORDINATION = kindsOf('coordination.k8s.io', 'v1', [
  { kind: 'Lease', resource: 'leases', namespaced: true },
]);

const RBAC = kindsOf('rbac.authorization.k8s.io', 'v1', [
  { kind: 'Role', resource: 'roles', namespaced: true },
  { kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
]);

const EVENTS = kindsOf('events.k8s.io', 'v1', [
  { kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] },
]);

const SCHEDULING = kindsOf('scheduling.k8s.io', 'v1', [
  { kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, shortNames: ['pc'] },
]);

/** Every served kind; for a resource served in several versions/groups the preferred one comes first. */
export const ALL_KINDS: readonly KindInfo[] = Object.freeze([
  ...CORE, ...APPS, ...BATCH, ...AUTOSCALING, ...POLICY, ...STORAGE, ...NETWORKING,
  ...DISCOVERY, ...COORDINATION, ...RBAC, ...EVENTS, ...SCHEDULING,
]);

/** Kinds that are not top-level resources (reachable only as a subresource). */
const SUBRESOURCE_ONLY = new Set(['policy/Eviction']);

/** 'apps/v1' for apps, 'v1' for core. */
export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The kind served at exactly this apiVersion (case-sensitive Kind, as the API server matches it). */
export function lookupKind(apiVersion: string, kind: string): KindInfo | undefined {
  // Every request and watch event asks: answered from a map by apiVersion, then kind.
  let byKind = kindsByApiVersion.get(apiVersion);
  if (!byKind) {
    const { group, version } = splitApiVersion(apiVersion);
    byKind = new Map(ALL_KINDS.filter((k) => k.group === group && k.version === version).map((k) => [k.kind, k]));
    kindsByApiVersion.set(apiVersion, byKind);
  }
  return byKind.get(kind);
}

const kindsByApiVersion = new Map<string, Map<string, KindInfo>>();

function matchesName(info: KindInfo, name: string): boolean {
  return info.resource === name || info.singular === name || info.kind.toLowerCase() === name || info.shortNames.includes(name);
}

/** kubectl accepts `deploy.apps`, `deployments.v1.apps` and partial groups such as `ingresses.networking`. */
function matchesGroup(info: KindInfo, qualifier: string): boolean {
  if (info.group === qualifier || info.group.startsWith(`${qualifier}.`)) return true;
  const dot = qualifier.indexOf('.');
  if (dot < 0) return qualifier === info.version && info.group === '';
  return qualifier.slice(0, dot) === info.version && qualifier.slice(dot + 1) === info.group;
}

/**
 * Resolves what a user types after `kubectl get`: plural, singular, short name or Kind
 * (case-insensitive), optionally qualified by group: `deployments.apps`, `deploy.apps`.
 */
export function lookupResource(name: string): KindInfo | undefined {
  const lower = name.trim().toLowerCase();
  const candidates = ALL_KINDS.filter((k) => !SUBRESOURCE_ONLY.has(`${k.group}/${k.kind}`));
  const direct = candidates.find((k) => matchesName(k, lower));
  if (direct) return direct;
  const dot = lower.indexOf('.');
  if (dot < 0) return undefined;
  const base = lower.slice(0, dot);
  const qualifier = lower.slice(dot + 1);
  return candidates.find((k) => matchesName(k, base) && matchesGroup(k, qualifier));
}

/** The RESTMapper's NoKindMatchError, as the server-side apply/create path reports it (404). */
export function noKindMatchError(apiVersion: string, kind: string): StatusError {
  const { group } = splitApiVersion(apiVersion);
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `no matches for kind "${kind}" in version "${apiVersion}"`,
    reason: 'NotFound',
    details: { group: group || undefined, kind },
    code: 404,
  });
}

export function groupResource(info: KindInfo): { group: string; resource: string } {
  return { group: info.group, resource: info.resource };
}
