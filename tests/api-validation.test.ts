// API validation as a Kubernetes user meets it: `kubectl apply` answering 422 Invalid, the
// kinds registry behind `kubectl get <resource>`, and quantity syntax.
import { describe, expect, it } from 'vitest';
import { newInvalid, fieldErrorMessage } from '../api/errors.ts';
import { lookupKind, lookupResource, noKindMatchError, apiVersionOf, type KindInfo } from '../api/registry.ts';
import { applyDefaults } from '../api/defaults.ts';
import { validateCreate, validateUpdate, validateStatusUpdate, parseQuantity, quantityError, isDNS1123Label, isDNS1035Label, isDNS1123Subdomain, validateLabels, cronScheduleError } from '../api/validation.ts';
import type { KubeObject } from '../api/types.ts';

function kind(apiVersion: string, k: string): KindInfo {
  const info = lookupKind(apiVersion, k);
  if (!info) throw new Error(`unknown kind ${apiVersion} ${k}`);
  return info;
}

function messages(obj: KubeObject, old?: KubeObject): string[] {
  const info = kind(obj.apiVersion, obj.kind);
  applyDefaults(obj, info);
  return (old ? validateUpdate(obj, old, info) : validateCreate(obj, info)).map(fieldErrorMessage);
}

function deployment(overrides: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...overrides,
    },
  };
}

function pod(spec: Record<string, unknown>, name = 'p'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec };
}

describe('object metadata', () => {
  it('an object without name or generateName is Invalid with metadata.name Required', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go ValidateObjectMetaAccessor
    const msgs = messages({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } });
    expect(msgs).toEqual(['metadata.name: Required value: name or generateName is required']);
  });

  it('an uppercase name is not a DNS-1123 subdomain', () => {
    // D:concepts/overview/working-with-objects/names#dns-subdomain-names; K:…/util/validation/validation.go IsDNS1123Subdomain
    expect(messages(pod({ containers: [{ name: 'c', image: 'nginx' }] }, 'My_Pod'))).toEqual([
      "metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('Service names must be DNS-1035 labels and Namespace names DNS-1123 labels', () => {
    // D:concepts/overview/working-with-objects/names (RFC 1035 Label Names: "some resource types require their names to follow the DNS label standard as defined in RFC 1035")
    expect(isDNS1035Label('1web')[0]).toMatch(/^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
    const svc = messages({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    expect(svc[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label/);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Subdomain('a.b')).toEqual([]);
  });

  it('a namespaced kind needs a namespace and a cluster-scoped kind may not have one', () => {
    // K:…/api/validation/objectmeta.go validateObjectMetaAccessorWithOptsCommon
    expect(messages({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual(['metadata.namespace: Required value']);
    expect(messages({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', namespace: 'default' } })).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('a label key starting with a dash is Invalid with the upstream label-key text', () => {
    // D:concepts/overview/working-with-objects/labels#syntax-and-character-set; K:staging/src/k8s.io/apimachinery/pkg/api/validate/content/kube.go IsLabelKey
    expect(validateLabels({ '-bad': 'x' }, 'metadata.labels').map(fieldErrorMessage)).toEqual([
      "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(validateLabels({ app: 'bad value' }, 'metadata.labels').map(fieldErrorMessage)[0]).toMatch(/^metadata\.labels: Invalid value: "bad value": a valid label must be an empty string or consist of/);
  });

  it('length limits count UTF-8 bytes, as len() of a Go string does', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go IsValidLabelValue (len(value) > LabelValueMaxLength)
    expect(validateLabels({ app: 'a'.repeat(63) }, 'metadata.labels')).toEqual([]);
    expect(validateLabels({ app: 'a'.repeat(64) }, 'metadata.labels').map(fieldErrorMessage)[0]).toMatch(/must be no more than 63 characters/);
    // 32 characters, 64 bytes: too long, though shorter than 63 characters.
    const accented = validateLabels({ app: 'é'.repeat(32) }, 'metadata.labels').map(fieldErrorMessage);
    expect(accented.some((m) => m.includes('must be no more than 63 characters'))).toBe(true);
    expect(isDNS1123Subdomain('a'.repeat(253))).toEqual([]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('name, namespace and uid cannot change on update', () => {
    // K:…/api/validation/objectmeta.go ValidateObjectMetaAccessorUpdate
    const old: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', uid: 'u1' } };
    const updated: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default', uid: 'u2' } };
    expect(messages(updated, old)).toEqual(['metadata.name: Invalid value: "b": field is immutable', 'metadata.uid: Invalid value: "u2": field is immutable']);
  });
});

describe('Deployment validation', () => {
  it('a Deployment with replicas -1 is Invalid: Deployment.apps "web" is invalid: spec.replicas …', () => {
    // k8s-facts §13.3; K:pkg/apis/apps/validation/validation.go ValidateDeploymentSpec (ValidateNonnegativeField)
    const obj = deployment({ replicas: -1 });
    const info = kind('apps/v1', 'Deployment');
    applyDefaults(obj, info);
    const err = newInvalid({ group: 'apps', kind: 'Deployment' }, 'web', validateCreate(obj, info));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(err.status.details?.causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }]);
  });

  it('a Deployment whose selector does not match the template labels is Invalid with field spec.template.metadata.labels', () => {
    // k8s-facts §1.1; D:concepts/workloads/controllers/deployment#selector; K:…/apps/validation/validation.go ValidatePodTemplateSpecForReplicaSet
    const obj = deployment();
    obj.spec.template.metadata.labels = { app: 'x' };
    expect(messages(obj)).toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`']);
  });

  it('a Deployment without a selector reports both the missing selector and the mismatch', () => {
    // K:…/apps/validation/validation.go ValidateDeploymentSpec (a nil selector matches nothing)
    const obj = deployment();
    delete obj.spec.selector;
    expect(messages(obj)).toEqual(['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
  });

  it('changing a Deployment selector is Invalid: spec.selector field is immutable', () => {
    // D:concepts/workloads/controllers/deployment#label-selector-updates; K:pkg/registry/apps/deployment/strategy.go ValidateUpdate
    const old = deployment();
    applyDefaults(old, kind('apps/v1', 'Deployment'));
    const updated = deployment({ selector: { matchLabels: { app: 'web2' } } });
    updated.spec.template.metadata.labels = { app: 'web2' };
    expect(messages(updated, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('maxSurge 0 together with maxUnavailable 0 is Invalid', () => {
    // k8s-facts §1.1; K:…/apps/validation/validation.go ValidateRollingUpdateDeployment
    const obj = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
    expect(messages(obj)).toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  });

  it('maxUnavailable above 100% is Invalid', () => {
    // K:…/apps/validation/validation.go IsNotMoreThan100Percent
    const obj = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '110%' } } });
    expect(messages(obj)).toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 110%: must not be greater than 100%']);
  });

  it('a Deployment template with restartPolicy Never is Unsupported (only Always)', () => {
    // k8s-facts §1.1; K:…/apps/validation/validation.go ValidatePodTemplateSpecForReplicaSet
    const obj = deployment();
    obj.spec.template.spec.restartPolicy = 'Never';
    expect(messages(obj)).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });

  it('progressDeadlineSeconds must exceed minReadySeconds', () => {
    // k8s-facts §1.1; D:concepts/workloads/controllers/deployment#progress-deadline-seconds
    expect(messages(deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30 }))).toEqual(['spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds']);
  });
});

describe('other workloads', () => {
  it('a Job template with restartPolicy Always is Invalid: Required value: valid values: "OnFailure", "Never"', () => {
    // D:concepts/workloads/controllers/job#pod-template ("Only a RestartPolicy equal to Never or OnFailure is allowed"); K:pkg/apis/batch/validation/validation.go
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } };
    expect(messages(job)).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  it('a CronJob schedule must be a 5-field cron expression or a descriptor', () => {
    // D:concepts/workloads/controllers/cron-jobs#schedule-syntax; robfig/cron v3 ParseStandard
    expect(cronScheduleError('*/5 * * * *')).toBeNull();
    expect(cronScheduleError('@hourly')).toBeNull();
    expect(cronScheduleError('0 0 * *')).toBe('expected exactly 5 fields, found 4: [0 0 * *]');
    expect(cronScheduleError('61 * * * *')).toBe('end of range (61) above maximum (59): 61');
    const cj: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'default' }, spec: { schedule: '@often', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } } };
    expect(messages(cj)).toEqual(['spec.schedule: Invalid value: "@often": unrecognized descriptor: @often']);
  });

  it('a StatefulSet update that changes volumeClaimTemplates is Forbidden', () => {
    // D:concepts/workloads/controllers/statefulset; K:pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate
    const sts = (size: string): KubeObject => ({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'default' },
      spec: {
        serviceName: 'db', selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } }],
      },
    });
    const old = sts('1Gi');
    applyDefaults(old, kind('apps/v1', 'StatefulSet'));
    expect(messages(sts('2Gi'), old)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    const scaled = sts('1Gi');
    scaled.spec.replicas = 3;
    expect(messages(scaled, old)).toEqual([]);
  });

  it('a Deployment status with more ready than total replicas is Invalid', () => {
    // K:pkg/apis/apps/validation/validation.go ValidateDeploymentStatus
    const old = deployment();
    const updated = deployment();
    updated.status = { replicas: 1, readyReplicas: 2, availableReplicas: 1 };
    expect(validateStatusUpdate(updated, old, kind('apps/v1', 'Deployment')).map(fieldErrorMessage)).toEqual(['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas']);
  });
});

describe('Pod validation', () => {
  it('a container without an image is Invalid: spec.containers[0].image Required', () => {
    // D:reference/kubernetes-api/workload-resources/pod-v1 (Container image); K:pkg/apis/core/validation/validation.go validateContainerCommon
    expect(messages(pod({ containers: [{ name: 'c' }] }))).toEqual(['spec.containers[0].image: Required value']);
  });

  it('a pod without containers is Invalid: spec.containers Required', () => {
    // K:pkg/apis/core/validation/validation.go validateContainers
    expect(messages(pod({ containers: [] }))).toEqual(['spec.containers: Required value']);
  });

  it('a cpu request above its limit is Invalid at spec.containers[0].resources.requests', () => {
    // D:concepts/configuration/manage-resources-containers; K:…/core/validation/validation.go ValidateResourceRequirements
    const p = pod({ containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] });
    expect(messages(p)).toEqual(['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']);
  });

  it('duplicate container names and out-of-range ports are Invalid', () => {
    // K:…/core/validation/validation.go validateContainerCommon, validateContainerPorts (IsValidPortNum)
    const p = pod({ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }] }, { name: 'c', image: 'b' }] });
    expect(messages(p)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[1].name: Duplicate value: "c"',
    ]);
  });

  it('changing anything but images on a running pod is Forbidden', () => {
    // D:concepts/workloads/pods#pod-update-and-replacement; K:…/core/validation/validation.go ValidatePodUpdate
    const old = pod({ containers: [{ name: 'c', image: 'nginx:1.24' }] });
    applyDefaults(old, kind('v1', 'Pod'));
    const imageOnly = structuredClone(old);
    imageOnly.spec.containers[0].image = 'nginx:1.25';
    expect(messages(imageOnly, old)).toEqual([]);
    const ports = structuredClone(old);
    ports.spec.containers[0].ports = [{ containerPort: 80 }];
    const [msg] = messages(ports, old);
    expect(msg.startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n')).toBe(true);
  });
});

describe('Service, ConfigMap and storage validation', () => {
  it('a ClusterIP Service without ports is Invalid and duplicate port names are rejected', () => {
    // D:concepts/services-networking/service#multi-port-services ("you must give all of your ports names"); K:…/core/validation/validation.go ValidateService
    expect(messages({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: {} })).toEqual(['spec.ports: Required value']);
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { port: 0 }] } };
    expect(messages(svc)).toEqual([
      'spec.ports[1].name: Duplicate value: "http"',
      'spec.ports[2].name: Required value',
      'spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[2].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
  });

  it('a ConfigMap key with a space is Invalid', () => {
    // D:concepts/configuration/configmap (keys: alphanumeric, '-', '_' or '.'); K:…/util/validation/validation.go IsConfigMapKey
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'my key': 'v' } };
    expect(messages(cm)).toEqual([
      "data[my key]: Invalid value: \"my key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });

  it('a PersistentVolumeClaim needs access modes and a storage request', () => {
    // D:concepts/storage/persistent-volumes#persistentvolumeclaims; K:…/core/validation/validation.go ValidatePersistentVolumeClaimSpec
    const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: {} };
    expect(messages(pvc)).toEqual(['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  });

  it('a PodDisruptionBudget may not set both minAvailable and maxUnavailable', () => {
    // D:tasks/run-application/configure-pdb ("You can specify only one of maxUnavailable and minAvailable"); K:pkg/apis/policy/validation/validation.go
    const pdb: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p', namespace: 'default' }, spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } };
    expect(messages(pdb)[0]).toMatch(/^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
  });

  it('an HPA with maxReplicas below minReplicas is Invalid', () => {
    // D:concepts/workloads/autoscaling/horizontal-pod-autoscale; K:pkg/apis/autoscaling/validation/validation.go
    const hpa: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' }, spec: { minReplicas: 3, maxReplicas: 2, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
    expect(messages(hpa)).toEqual(['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  });
});

describe('kinds registry', () => {
  it('an unknown kind gives kubectl\'s "no matches for kind" error with 404 NotFound', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/api/meta/errors.go NoKindMatchError
    expect(lookupKind('apps/v1', 'Deploymnet')).toBeUndefined();
    const err = noKindMatchError('apps/v1', 'Deploymnet');
    expect(err.message).toBe('no matches for kind "Deploymnet" in version "apps/v1"');
    expect(err.code).toBe(404);
    expect(err.reason).toBe('NotFound');
  });

  it('kubectl short names, singulars, Kinds and group-qualified names resolve to the same resource', () => {
    // D:reference/kubectl/#resource-types (kubectl api-resources SHORTNAMES)
    for (const name of ['deploy', 'deployment', 'deployments', 'Deployment', 'deployments.apps', 'deploy.apps', 'deployment.apps']) {
      expect(lookupResource(name)?.resource, name).toBe('deployments');
    }
    const short: Record<string, string> = { po: 'pods', svc: 'services', rs: 'replicasets', sts: 'statefulsets', ds: 'daemonsets', ns: 'namespaces', no: 'nodes', cm: 'configmaps', pvc: 'persistentvolumeclaims', pv: 'persistentvolumes', sc: 'storageclasses', hpa: 'horizontalpodautoscalers', pdb: 'poddisruptionbudgets', netpol: 'networkpolicies', ing: 'ingresses', cj: 'cronjobs', quota: 'resourcequotas', limits: 'limitranges', sa: 'serviceaccounts', ep: 'endpoints', ev: 'events' };
    for (const [s, resource] of Object.entries(short)) expect(lookupResource(s)?.resource, s).toBe(resource);
    expect(lookupResource('ev')?.group).toBe('');
    expect(lookupResource('events.events.k8s.io')?.group).toBe('events.k8s.io');
    expect(apiVersionOf(lookupResource('hpa')!)).toBe('autoscaling/v2');
    expect(lookupKind('autoscaling/v1', 'HorizontalPodAutoscaler')?.resource).toBe('horizontalpodautoscalers');
  });

  it('scope follows upstream: nodes, namespaces, PVs, storage classes and cluster roles are cluster-scoped', () => {
    // D:reference/kubectl/#resource-types (NAMESPACED column of kubectl api-resources)
    for (const r of ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'clusterroles', 'clusterrolebindings', 'priorityclasses', 'ingressclasses', 'csidrivers', 'csinodes', 'volumeattachments']) {
      expect(lookupResource(r)?.namespaced, r).toBe(false);
    }
    for (const r of ['pods', 'leases', 'endpointslices', 'csistoragecapacities', 'roles', 'rolebindings']) expect(lookupResource(r)?.namespaced, r).toBe(true);
    expect(lookupResource('deployments')?.scale).not.toBeNull();
  });
});

describe('quantities', () => {
  it('parses cpu and memory quantities into cores and bytes', () => {
    // D:reference/kubernetes-api/common-definitions/quantity; D:concepts/configuration/manage-resources-containers#meaning-of-memory
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity(1.5)).toBe(1.5);
    expect(parseQuantity('1Gi')).toBe(1073741824);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('129M')).toBe(129e6);
    expect(parseQuantity('123Mi')).toBe(128974848);
  });

  it('rejects malformed quantities with the upstream parse error', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (ErrFormatWrong, ErrSuffix)
    expect(quantityError('1Gi')).toBeNull();
    expect(quantityError('one')).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(quantityError('1Gb')).toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(quantityError('1KiB')).not.toBeNull();
    expect(quantityError('5mi')).toBe("unable to parse quantity's suffix");
    expect(Number.isNaN(parseQuantity('abc'))).toBe(true);
  });
});
