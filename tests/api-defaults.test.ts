// Scheme defaulting as a Kubernetes user sees it in `kubectl get -o yaml` right after a create.
import { describe, expect, it } from 'vitest';
import { applyDefaults, defaultTolerationSeconds } from '../api/defaults.ts';
import { lookupKind, type KindInfo } from '../api/registry.ts';
import type { KubeObject } from '../api/types.ts';

function kind(apiVersion: string, k: string): KindInfo {
  const info = lookupKind(apiVersion, k);
  if (!info) throw new Error(`unknown kind ${apiVersion} ${k}`);
  return info;
}

function defaulted(obj: KubeObject): KubeObject {
  applyDefaults(obj, kind(obj.apiVersion, obj.kind));
  return obj;
}

function pod(image: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image, ports: [{ containerPort: 80 }] }] } };
}

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
  };
}

describe('Pod defaults', () => {
  it('a bare Pod gets restartPolicy Always, ClusterFirst DNS, the default scheduler, 30 s grace and service links', () => {
    // k8s-facts §15; K:pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Pod
    const spec = defaulted(pod('nginx')).spec;
    expect(spec).toMatchObject({
      restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30, securityContext: {}, enableServiceLinks: true,
    });
  });

  it('every container gets the termination-log path, File message policy, empty resources and TCP ports', () => {
    // k8s-facts §15; K:pkg/apis/core/v1/defaults.go SetDefaults_Container, SetDefaults_ContainerPort
    const c = defaulted(pod('nginx:1.25')).spec.containers[0];
    expect(c).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} });
    expect(c.ports[0].protocol).toBe('TCP');
  });

  it('imagePullPolicy is Always for :latest or an untagged image, IfNotPresent for a tag or a digest', () => {
    // D:concepts/containers/images#imagepullpolicy-defaulting; K:pkg/apis/core/v1/defaults.go SetDefaults_Container
    const policy = (image: string): string => defaulted(pod(image)).spec.containers[0].imagePullPolicy;
    expect(policy('nginx')).toBe('Always');
    expect(policy('nginx:latest')).toBe('Always');
    expect(policy('registry.local:5000/team/nginx')).toBe('Always');
    expect(policy('nginx:1.25')).toBe('IfNotPresent');
    expect(policy('registry.local:5000/nginx:1.25')).toBe('IfNotPresent');
    expect(policy('nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')).toBe('IfNotPresent');
  });

  it('probes get timeout 1 s, period 10 s, thresholds 1/3 and an HTTP scheme', () => {
    // D:tasks/configure-pod-container/configure-liveness-readiness-startup-probes (Configure Probes); K:…/core/v1/defaults.go SetDefaults_Probe
    const p = pod('nginx');
    p.spec.containers[0].livenessProbe = { httpGet: { port: 80 } };
    const probe = defaulted(p).spec.containers[0].livenessProbe;
    expect(probe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it('a container with only limits gets requests equal to its limits', () => {
    // D:concepts/configuration/manage-resources-containers ("If you specify a limit ... but do not specify a request, Kubernetes copies the limit"); K:…/core/v1/defaults.go SetDefaults_Pod
    const p = pod('nginx');
    p.spec.containers[0].resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { memory: '64Mi' } };
    expect(defaulted(p).spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '64Mi' });
  });

  it('applying defaults twice gives the same object', () => {
    // K:pkg/apis/core/v1/defaults.go — every SetDefaults_* only fills unset fields
    const once = defaulted(pod('nginx'));
    const twice = defaulted(structuredClone(once));
    expect(twice).toEqual(once);
    const d = defaulted(deployment());
    expect(defaulted(structuredClone(d))).toEqual(d);
  });
});

describe('workload defaults', () => {
  it('a Deployment gets 1 replica, RollingUpdate 25%/25%, 10 kept revisions and a 600 s progress deadline', () => {
    // k8s-facts §1.1; D:concepts/workloads/controllers/deployment; K:pkg/apis/apps/v1/defaults.go SetDefaults_Deployment
    const spec = defaulted(deployment()).spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(spec.template.spec.enableServiceLinks).toBeUndefined();
  });

  it('a Job with neither completions nor parallelism runs one pod to completion with backoffLimit 6', () => {
    // D:concepts/workloads/controllers/job (Parallel execution, Pod backoff failure policy); K:pkg/apis/batch/v1/defaults.go SetDefaults_Job
    const job = defaulted({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } } } });
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' });
  });

  it('a Job that sets only parallelism keeps completions unset', () => {
    // D:concepts/workloads/controllers/job ("Parallel Jobs with a work queue: do not specify .spec.completions")
    const job = defaulted({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'q', namespace: 'default' }, spec: { parallelism: 3, template: { spec: { restartPolicy: 'Never', containers: [] } } } });
    expect(job.spec.completions).toBeUndefined();
    expect(job.spec.parallelism).toBe(3);
  });

  it('a StatefulSet gets OrderedReady pods, RollingUpdate partition 0 and a Retain/Retain PVC policy', () => {
    // D:concepts/workloads/controllers/statefulset; K:pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet
    const sts = defaulted({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [] } } } });
    expect(sts.spec).toMatchObject({ replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  });
});

describe('Service and other kinds', () => {
  it('a Service gets type ClusterIP, no session affinity, TCP ports whose targetPort is the port, and single-stack IPv4', () => {
    // D:concepts/services-networking/service (targetPort "by default ... set to the same value as the port"); K:pkg/apis/core/v1/defaults.go SetDefaults_Service
    const svc = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
    expect(svc.spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(svc.spec.externalTrafficPolicy).toBeUndefined();
  });

  it('a NodePort Service also gets externalTrafficPolicy Cluster', () => {
    // D:reference/networking/virtual-ips (traffic policies); K:…/core/v1/defaults.go SetDefaults_Service
    const svc = defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } });
    expect(svc.spec.externalTrafficPolicy).toBe('Cluster');
    expect(svc.spec.ports[0].targetPort).toBe('http');
  });

  it('a Namespace is Active with the kubernetes finalizer and its name label', () => {
    // k8s-facts §13.1; D:concepts/overview/working-with-objects/namespaces (kubernetes.io/metadata.name label)
    const ns = defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    expect(ns.status.phase).toBe('Active');
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
  });

  it('an autoscaling/v2 HPA without metrics targets 80% CPU with minReplicas 1', () => {
    // D:concepts/workloads/autoscaling/horizontal-pod-autoscale; K:pkg/apis/autoscaling/v2/defaults.go
    const hpa = defaulted({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { maxReplicas: 5, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });

  it('a Secret is Opaque and a StorageClass deletes volumes and binds immediately', () => {
    // D:concepts/configuration/secret (Opaque is the default type); D:concepts/storage/storage-classes (reclaimPolicy Delete, volumeBindingMode Immediate)
    expect(defaulted({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } }).type).toBe('Opaque');
    const sc = defaulted({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x' });
    expect(sc).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });
});

describe('DefaultTolerationSeconds admission', () => {
  it('a new pod tolerates not-ready and unreachable nodes for 300 s', () => {
    // k8s-facts §6.2, §15; D:concepts/scheduling-eviction/taint-and-toleration#taint-based-evictions
    const p = pod('nginx');
    defaultTolerationSeconds(p);
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('a pod that already tolerates a taint (or all NoExecute taints) keeps its own toleration', () => {
    // K:plugin/pkg/admission/defaulttolerationseconds/admission.go (empty key or empty effect counts as tolerating)
    const p = pod('nginx');
    p.spec.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 }];
    defaultTolerationSeconds(p);
    expect(p.spec.tolerations.map((t: { key: string }) => t.key)).toEqual(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);
    const all = pod('nginx');
    all.spec.tolerations = [{ operator: 'Exists' }];
    defaultTolerationSeconds(all);
    expect(all.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});
