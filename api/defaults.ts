// Scheme defaulting: what the API server fills in before validation and storage.
// Mirrors kubernetes/kubernetes pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go,
// pkg/apis/batch/v1/defaults.go, pkg/apis/autoscaling/v2/defaults.go,
// pkg/apis/storage/v1/defaults.go, pkg/apis/networking/v1/defaults.go,
// pkg/apis/discovery/v1/defaults.go, pkg/apis/rbac/v1/defaults.go,
// pkg/apis/scheduling/v1/defaults.go, plus three registry-strategy defaults that users see
// the same way (Namespace spec.finalizers, Service ipFamilyPolicy/ipFamilies) and the
// DefaultTolerationSeconds admission plugin (plugin/pkg/admission/defaulttolerationseconds).
// Every function only fills what is unset, so applying defaults twice changes nothing.
import type { KubeObject } from './types.ts';
import type { KindInfo } from './registry.ts';

/** A JSON object inside a Kubernetes object (spec, container, probe...). */
type Json = Record<string, any>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setIfUnset(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

function objectAt(obj: Json, key: string): Json {
  if (!isObject(obj[key])) obj[key] = {};
  return obj[key] as Json;
}

function eachObject(list: unknown, fn: (item: Json) => void): void {
  if (!Array.isArray(list)) return;
  for (const item of list) if (isObject(item)) fn(item);
}

// ---------------------------------------------------------------------------------------------
// Containers and pod specs (core/v1)
// ---------------------------------------------------------------------------------------------

/**
 * The image tag as parsers.ParseImageName reports it: the tag if present, '' if only a digest
 * is given, 'latest' if neither.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > lastSlash) return withoutDigest.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** SetDefaults_Container: Always for `:latest` (or no tag and no digest), else IfNotPresent. */
function defaultImagePullPolicy(c: Json): void {
  if (c.imagePullPolicy) return;
  c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_HTTPGetAction. */
function defaultHTTPGet(action: Json): void {
  setIfUnset(action, 'path', '/');
  setIfUnset(action, 'scheme', 'HTTP');
}

/** SetDefaults_Probe. */
function defaultProbe(p: Json): void {
  setIfUnset(p, 'timeoutSeconds', 1);
  setIfUnset(p, 'periodSeconds', 10);
  setIfUnset(p, 'successThreshold', 1);
  setIfUnset(p, 'failureThreshold', 3);
  if (isObject(p.httpGet)) defaultHTTPGet(p.httpGet);
}

function defaultLifecycle(lc: Json): void {
  for (const hook of ['postStart', 'preStop']) {
    if (isObject(lc[hook]) && isObject(lc[hook].httpGet)) defaultHTTPGet(lc[hook].httpGet);
  }
}

/** SetDefaults_ObjectFieldSelector: fieldRef.apiVersion v1. */
function defaultEnv(c: Json): void {
  eachObject(c.env, (e) => {
    if (isObject(e.valueFrom) && isObject(e.valueFrom.fieldRef)) setIfUnset(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  });
}

/** SetDefaults_Container (+ ContainerPort, Probe, Lifecycle, env field refs). */
function defaultContainer(c: Json): void {
  defaultImagePullPolicy(c);
  setIfUnset(c, 'terminationMessagePath', '/dev/termination-log');
  setIfUnset(c, 'terminationMessagePolicy', 'File');
  if (!isObject(c.resources)) c.resources = {};
  eachObject(c.ports, (p) => setIfUnset(p, 'protocol', 'TCP'));
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (isObject(c[probe])) defaultProbe(c[probe]);
  }
  if (isObject(c.lifecycle)) defaultLifecycle(c.lifecycle);
  defaultEnv(c);
}

/** Octal 0644, the default file mode of secret/configMap/downwardAPI/projected volumes. */
const DEFAULT_VOLUME_MODE = 0o644;

/** SetDefaults_Volume and the per-source defaults. */
function defaultVolume(v: Json): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObject(v[source])) setIfUnset(v[source], 'defaultMode', DEFAULT_VOLUME_MODE);
  }
  if (isObject(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** With hostNetwork, a container port's hostPort defaults to its containerPort. */
function defaultHostNetworkPorts(containers: unknown): void {
  eachObject(containers, (c) => eachObject(c.ports, (p) => {
    if (p.hostPort === undefined || p.hostPort === 0) p.hostPort = p.containerPort;
  }));
}

/** SetDefaults_PodSpec plus the defaults of everything a PodSpec contains. */
export function defaultPodSpec(spec: Json): void {
  setIfUnset(spec, 'dnsPolicy', 'ClusterFirst');
  setIfUnset(spec, 'restartPolicy', 'Always');
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  setIfUnset(spec, 'terminationGracePeriodSeconds', 30);
  setIfUnset(spec, 'schedulerName', 'default-scheduler');
  if (spec.hostNetwork === true) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  eachObject(spec.containers, defaultContainer);
  eachObject(spec.initContainers, defaultContainer);
  eachObject(spec.ephemeralContainers, defaultContainer);
  eachObject(spec.volumes, defaultVolume);
}

function defaultPodTemplateSpec(template: unknown): void {
  if (isObject(template) && isObject(template.spec)) defaultPodSpec(template.spec);
}

/** SetDefaults_Pod: requests default to limits, key by key (pods only, not templates). */
function defaultRequestsFromLimits(containers: unknown): void {
  eachObject(containers, (c) => {
    const resources = isObject(c.resources) ? c.resources : undefined;
    if (!resources || !isObject(resources.limits)) return;
    const requests = objectAt(resources, 'requests');
    for (const [name, q] of Object.entries(resources.limits)) {
      if (requests[name] === undefined) requests[name] = q;
    }
  });
}

function defaultPod(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  defaultRequestsFromLimits(spec.containers);
  defaultRequestsFromLimits(spec.initContainers);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  defaultPodSpec(spec);
}

// ---------------------------------------------------------------------------------------------
// Other core/v1 kinds
// ---------------------------------------------------------------------------------------------

function isExternallyAccessible(type: string): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

/** targetPort is "unset" when absent, 0 or ''. */
function targetPortUnset(tp: unknown): boolean {
  return tp === undefined || tp === null || tp === 0 || tp === '';
}

/** SetDefaults_Service, plus ipFamilyPolicy/ipFamilies as the service REST storage fills them (single-stack IPv4 cluster). */
function defaultService(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && !(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds >= 0)) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setIfUnset(spec, 'type', 'ClusterIP');
  eachObject(spec.ports, (p) => {
    setIfUnset(p, 'protocol', 'TCP');
    if (targetPortUnset(p.targetPort)) p.targetPort = p.port;
  });
  if (isExternallyAccessible(spec.type)) setIfUnset(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type !== 'ExternalName') setIfUnset(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type !== 'ExternalName') {
    // Headless services without a selector default to RequireDualStack (docs: services-networking/dual-stack).
    const headlessWithoutSelector = spec.clusterIP === 'None' && !isObject(spec.selector);
    setIfUnset(spec, 'ipFamilyPolicy', headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

function defaultEndpoints(obj: KubeObject): void {
  eachObject(obj.subsets, (s) => eachObject(s.ports, (p) => setIfUnset(p, 'protocol', 'TCP')));
}

/** SetDefaults_Namespace (name label), NamespaceStatus (Active) and the strategy's `kubernetes` finalizer. */
function defaultNamespace(obj: KubeObject): void {
  if (obj.metadata?.name) {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  }
  const spec = objectAt(obj, 'spec');
  if (!Array.isArray(spec.finalizers) || spec.finalizers.length === 0) spec.finalizers = ['kubernetes'];
  setIfUnset(objectAt(obj, 'status'), 'phase', 'Active');
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
function defaultNode(obj: KubeObject): void {
  const status = obj.status;
  if (isObject(status) && isObject(status.capacity) && !isObject(status.allocatable)) status.allocatable = { ...status.capacity };
}

function defaultSecret(obj: KubeObject): void {
  setIfUnset(obj, 'type', 'Opaque');
}

/** SetDefaults_PersistentVolumeClaimSpec + SetDefaults_PersistentVolumeClaim. */
function defaultPVC(obj: Json): void {
  setIfUnset(objectAt(obj, 'spec'), 'volumeMode', 'Filesystem');
  setIfUnset(objectAt(obj, 'status'), 'phase', 'Pending');
}

/** SetDefaults_PersistentVolume. */
function defaultPV(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setIfUnset(spec, 'volumeMode', 'Filesystem');
  setIfUnset(objectAt(obj, 'status'), 'phase', 'Pending');
}

/** SetDefaults_ReplicationController: selector and labels from the template, replicas 1. */
function defaultReplicationController(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  const templateLabels = spec.template?.metadata?.labels;
  if (isObject(templateLabels) && Object.keys(templateLabels).length > 0) {
    if (!isObject(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) obj.metadata.labels = { ...templateLabels };
  }
  setIfUnset(spec, 'replicas', 1);
  defaultPodTemplateSpec(spec.template);
}

/** SetDefaults_LimitRangeItem for Container items: default ← max, defaultRequest ← default ← min. */
function defaultLimitRangeItem(item: Json): void {
  if (item.type !== 'Container') return;
  const fill = (target: string, from: unknown): void => {
    if (!isObject(from)) return;
    for (const [name, q] of Object.entries(from)) {
      const t = objectAt(item, target);
      if (t[name] === undefined) t[name] = q;
    }
  };
  fill('default', item.max);
  fill('defaultRequest', item.default);
  fill('defaultRequest', item.min);
}

function defaultLimitRange(obj: KubeObject): void {
  eachObject(obj.spec?.limits, defaultLimitRangeItem);
}

// ---------------------------------------------------------------------------------------------
// apps/v1
// ---------------------------------------------------------------------------------------------

function defaultDeployment(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'replicas', 1);
  const strategy = objectAt(spec, 'strategy');
  setIfUnset(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = objectAt(strategy, 'rollingUpdate');
    setIfUnset(ru, 'maxUnavailable', '25%');
    setIfUnset(ru, 'maxSurge', '25%');
  }
  setIfUnset(spec, 'revisionHistoryLimit', 10);
  setIfUnset(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(spec.template);
}

function defaultReplicaSet(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'replicas', 1);
  defaultPodTemplateSpec(spec.template);
}

function defaultStatefulSet(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = objectAt(spec, 'updateStrategy');
  setIfUnset(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setIfUnset(objectAt(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = objectAt(spec, 'persistentVolumeClaimRetentionPolicy');
  setIfUnset(retention, 'whenDeleted', 'Retain');
  setIfUnset(retention, 'whenScaled', 'Retain');
  setIfUnset(spec, 'replicas', 1);
  setIfUnset(spec, 'revisionHistoryLimit', 10);
  eachObject(spec.volumeClaimTemplates, defaultPVC);
  defaultPodTemplateSpec(spec.template);
}

function defaultDaemonSet(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  const strategy = objectAt(spec, 'updateStrategy');
  setIfUnset(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = objectAt(strategy, 'rollingUpdate');
    setIfUnset(ru, 'maxUnavailable', 1);
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  setIfUnset(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(spec.template);
}

// ---------------------------------------------------------------------------------------------
// batch/v1
// ---------------------------------------------------------------------------------------------

const MAX_INT32 = 2147483647;

function isUnset(v: unknown): boolean {
  return v === undefined || v === null;
}

/** SetDefaults_Job (v1.34: podReplacementPolicy GA; backoffLimitPerIndex GA in v1.33). */
function defaultJob(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  if (isUnset(spec.completions) && isUnset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (isUnset(spec.parallelism)) spec.parallelism = 1;
  if (isUnset(spec.backoffLimit)) spec.backoffLimit = isUnset(spec.backoffLimitPerIndex) ? 6 : MAX_INT32;
  const templateLabels = spec.template?.metadata?.labels;
  if (isObject(templateLabels) && (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0)) {
    obj.metadata.labels = { ...templateLabels };
  }
  setIfUnset(spec, 'completionMode', 'NonIndexed');
  if (isUnset(spec.suspend)) spec.suspend = false;
  if (isUnset(spec.manualSelector)) spec.manualSelector = false;
  if (isObject(spec.podFailurePolicy)) {
    eachObject(spec.podFailurePolicy.rules, (r) => eachObject(r.onPodConditions, (c) => setIfUnset(c, 'status', 'True')));
  }
  setIfUnset(spec, 'podReplacementPolicy', isObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplateSpec(spec.template);
}

function defaultCronJob(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'concurrencyPolicy', 'Allow');
  if (isUnset(spec.suspend)) spec.suspend = false;
  setIfUnset(spec, 'successfulJobsHistoryLimit', 3);
  setIfUnset(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplateSpec(spec.jobTemplate?.spec?.template);
}

// ---------------------------------------------------------------------------------------------
// autoscaling, storage, networking, discovery, rbac, scheduling
// ---------------------------------------------------------------------------------------------

const DEFAULT_SCALE_UP_POLICIES = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
const DEFAULT_SCALE_DOWN_POLICIES = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

/** SetDefaults_HorizontalPodAutoscalerBehavior: only fills a behavior the user gave. */
function defaultHPABehavior(behavior: Json): void {
  const up = objectAt(behavior, 'scaleUp');
  setIfUnset(up, 'stabilizationWindowSeconds', 0);
  setIfUnset(up, 'selectPolicy', 'Max');
  if (!Array.isArray(up.policies) || up.policies.length === 0) up.policies = DEFAULT_SCALE_UP_POLICIES.map((p) => ({ ...p }));
  const down = objectAt(behavior, 'scaleDown');
  setIfUnset(down, 'stabilizationWindowSeconds', 300);
  setIfUnset(down, 'selectPolicy', 'Max');
  if (!Array.isArray(down.policies) || down.policies.length === 0) down.policies = DEFAULT_SCALE_DOWN_POLICIES.map((p) => ({ ...p }));
}

/** autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: minReplicas 1, 80% CPU when no metrics. */
function defaultHPA(obj: KubeObject, info: KindInfo): void {
  const spec = objectAt(obj, 'spec');
  setIfUnset(spec, 'minReplicas', 1);
  if (info.version !== 'v2') return; // autoscaling/v1 keeps targetCPUUtilizationPercentage unset
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObject(spec.behavior)) defaultHPABehavior(spec.behavior);
}

function defaultStorageClass(obj: KubeObject): void {
  setIfUnset(obj, 'reclaimPolicy', 'Delete');
  setIfUnset(obj, 'volumeBindingMode', 'Immediate');
}

/** SetDefaults_CSIDriver. */
function defaultCSIDriver(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  if (isUnset(spec.attachRequired)) spec.attachRequired = true;
  if (isUnset(spec.podInfoOnMount)) spec.podInfoOnMount = false;
  if (isUnset(spec.storageCapacity)) spec.storageCapacity = false;
  setIfUnset(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (!Array.isArray(spec.volumeLifecycleModes) || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
  if (isUnset(spec.requiresRepublish)) spec.requiresRepublish = false;
  if (isUnset(spec.seLinuxMount)) spec.seLinuxMount = false;
}

/** SetDefaults_NetworkPolicy(+Port): TCP ports; policyTypes Ingress (+Egress when egress rules exist). */
function defaultNetworkPolicy(obj: KubeObject): void {
  const spec = objectAt(obj, 'spec');
  for (const dir of ['ingress', 'egress']) eachObject(spec[dir], (rule) => eachObject(rule.ports, (p) => setIfUnset(p, 'protocol', 'TCP')));
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultEndpointSlice(obj: KubeObject): void {
  eachObject(obj.ports, (p) => {
    if (isUnset(p.name)) p.name = '';
    setIfUnset(p, 'protocol', 'TCP');
  });
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** SetDefaults_Subject / RoleRef api groups. */
function defaultBinding(obj: KubeObject): void {
  if (isObject(obj.roleRef)) setIfUnset(obj.roleRef, 'apiGroup', RBAC_GROUP);
  eachObject(obj.subjects, (s) => {
    if (s.apiGroup !== undefined && s.apiGroup !== '') return;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  });
}

function defaultPriorityClass(obj: KubeObject): void {
  setIfUnset(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------

type Defaulter = (obj: KubeObject, info: KindInfo) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Namespace': defaultNamespace,
  '/Node': defaultNode,
  '/Secret': defaultSecret,
  '/PersistentVolume': defaultPV,
  '/PersistentVolumeClaim': defaultPVC,
  '/ReplicationController': defaultReplicationController,
  '/LimitRange': defaultLimitRange,
  '/PodTemplate': (obj) => defaultPodTemplateSpec(obj.template),
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': defaultHPA,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'storage.k8s.io/CSIDriver': defaultCSIDriver,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'rbac.authorization.k8s.io/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultBinding,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
};

/** Applies the scheme defaults of `info`'s kind to `obj`, in place. Idempotent; never throws. */
export function applyDefaults(obj: KubeObject, info: KindInfo): void {
  if (!isObject(obj)) return;
  if (!isObject(obj.metadata)) obj.metadata = {};
  const defaulter = DEFAULTERS[`${info.group}/${info.kind}`];
  if (defaulter) defaulter(obj, info);
}

// ---------------------------------------------------------------------------------------------
// DefaultTolerationSeconds admission
// ---------------------------------------------------------------------------------------------

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const DEFAULT_TOLERATION_SECONDS = 300;

/** A toleration covers a NoExecute taint with `key` if its key is that key or empty, and its effect NoExecute or empty. */
function toleratesNoExecute(t: Json, key: string): boolean {
  const keyMatches = t.key === key || t.key === undefined || t.key === '';
  const effectMatches = t.effect === 'NoExecute' || t.effect === undefined || t.effect === '';
  return keyMatches && effectMatches;
}

/** The tolerations DefaultTolerationSeconds adds: every pod's are these two frozen objects. */
const NOT_READY_TOLERATION = Object.freeze({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
const UNREACHABLE_TOLERATION = Object.freeze({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });

/**
 * The DefaultTolerationSeconds admission plugin (pod create): adds 300 s NoExecute tolerations
 * for not-ready and unreachable nodes unless the pod already tolerates them.
 */
export function defaultTolerationSeconds(pod: KubeObject): void {
  const spec = objectAt(pod, 'spec');
  const tolerations: Json[] = Array.isArray(spec.tolerations) ? spec.tolerations.filter(isObject) : [];
  const toleratesNotReady = tolerations.some((t) => toleratesNoExecute(t, NOT_READY));
  const toleratesUnreachable = tolerations.some((t) => toleratesNoExecute(t, UNREACHABLE));
  if (toleratesNotReady && toleratesUnreachable) return;
  const list: Json[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  if (!toleratesNotReady) list.push(NOT_READY_TOLERATION);
  if (!toleratesUnreachable) list.push(UNREACHABLE_TOLERATION);
  spec.tolerations = list;
}
