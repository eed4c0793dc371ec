import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyPatch, applyStrategicMergePatch } from '../api/patch.ts';
import { StatusError } from '../api/errors.ts';

function statusErrorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'frontend' }, finalizers: ['a.example.com/x'] },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

describe('JSON merge patch (kubectl patch --type merge)', () => {
  it('null deletes a key, objects merge, arrays replace', () => {
    // RFC 7386; D:tasks/manage-kubernetes-objects/update-api-object-kubectl-patch (merge patch)
    const target = deployment();
    const before = JSON.stringify(target);
    const out: any = applyMergePatch(target, { metadata: { labels: { tier: null, track: 'stable' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } });
    expect(out.metadata.labels).toEqual({ app: 'web', track: 'stable' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
    expect(out.spec.replicas).toBe(2);
    expect(JSON.stringify(target)).toBe(before);
  });

  it('a null patch is rejected as the API server does', () => {
    // K:staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (ErrBadJSONPatch → BadRequest)
    const err = statusErrorOf(() => applyMergePatch({}, null));
    expect(err.code).toBe(400);
    expect(err.message).toBe('Invalid JSON Patch');
  });
});

describe('JSON patch (kubectl patch --type json)', () => {
  it('add, remove, replace, move, copy and test each do what RFC 6902 says', () => {
    // RFC 6902 §4; D:tasks/manage-kubernetes-objects/update-api-object-kubectl-patch (json patch)
    const target = deployment();
    const before = JSON.stringify(target);
    const out: any = applyJsonPatch(target, [
      { op: 'test', path: '/spec/replicas', value: 2 },
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/metadata/labels/track', value: 'canary' },
      { op: 'add', path: '/spec/template/spec/containers/0/args', value: ['-g'] },
      { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: 'daemon off;' },
      { op: 'remove', path: '/metadata/labels/tier' },
      { op: 'copy', from: '/metadata/labels/app', path: '/metadata/annotations' },
      { op: 'move', from: '/metadata/annotations', path: '/metadata/labels/copied' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ]);
    expect(out.spec.replicas).toBe(5);
    expect(out.metadata.labels).toEqual({ app: 'web', track: 'canary', copied: 'web' });
    expect(out.metadata.annotations).toBeUndefined();
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
    expect(out.spec.template.spec.containers[0].args).toEqual(['-g', 'daemon off;']);
    expect(JSON.stringify(target)).toBe(before);
  });

  it('a failing test operation is 422 Invalid with the generic server text and changes nothing', () => {
    // K:staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (applyJSPatch → NewGenericServerResponse(422))
    const target = deployment();
    const err = statusErrorOf(() => applyJsonPatch(target, [{ op: 'replace', path: '/spec/replicas', value: 9 }, { op: 'test', path: '/spec/replicas', value: 3 }]));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe('the server rejected our request due to an error in our request');
    expect(target.spec.replicas).toBe(2);
  });

  it('removing a path that does not exist is also 422, and a patch that is not a list is 400', () => {
    // K:apiserver/pkg/endpoints/handlers/patch.go (DecodePatch error → BadRequest; Apply error → 422)
    expect(statusErrorOf(() => applyJsonPatch(deployment(), [{ op: 'remove', path: '/spec/nope' }])).code).toBe(422);
    const bad = statusErrorOf(() => applyJsonPatch(deployment(), { op: 'remove', path: '/spec' }));
    expect(bad.code).toBe(400);
    expect(bad.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });
});

describe('strategic merge patch (kubectl patch, the default type)', () => {
  it('strategic merge patch of a container image keeps the other containers and fields', () => {
    // D:tasks/manage-kubernetes-objects/update-api-object-kubectl-patch (containers merge by name)
    const target = deployment();
    const before = JSON.stringify(target);
    const out: any = applyStrategicMergePatch(target, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.16' }] } } } }, 'Deployment');
    const [nginx, sidecar] = out.spec.template.spec.containers;
    expect(nginx.image).toBe('nginx:1.16');
    expect(nginx.ports).toHaveLength(2);
    expect(sidecar).toEqual({ name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] });
    expect(JSON.stringify(target)).toBe(before);
  });

  it('a new container is merged in by name, ahead of the existing ones when no $setElementOrder is given', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go (mergeSlice → normalizeElementOrder → mergeSortedSlice)
    const out: any = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'log', image: 'fluentd' }] } } } }, 'Deployment');
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['log', 'nginx', 'sidecar']);
  });

  it('$setElementOrder puts the merged containers in the order it lists', () => {
    // K:strategicpatch/patch.go mergePatchIntoOriginal; C:design-proposals-archive/cli/preserve-order-in-strategic-merge-patch.md
    const out: any = applyStrategicMergePatch(deployment(), {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }, { name: 'log' }],
        containers: [{ name: 'log', image: 'fluentd' }],
      } } },
    }, 'Deployment');
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx', 'sidecar', 'log']);
    expect(Object.keys(out.spec.template.spec).some((k) => k.startsWith('$'))).toBe(false);
  });

  it('$patch: delete on a list item removes that container only', () => {
    // D:community/contributors/devel/sig-api-machinery/strategic-merge-patch.md ($patch: delete)
    const out: any = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, 'Deployment');
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
  });

  it('$patch: replace replaces a list or a map wholesale', () => {
    // D:community/contributors/devel/sig-api-machinery/strategic-merge-patch.md ($patch: replace)
    const out: any = applyStrategicMergePatch(deployment(), {
      metadata: { labels: { only: 'this', $patch: 'replace' } },
      spec: { template: { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } } },
    }, 'Deployment');
    expect(out.metadata.labels).toEqual({ only: 'this' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'solo', image: 'x' }]);
  });

  it('env merges by name and ports merge by containerPort; null deletes a field', () => {
    // K:k8s.io/api/core/v1/types.go (Container.env patchMergeKey=name, Container.ports patchMergeKey=containerPort)
    const out: any = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{
      name: 'nginx',
      env: [{ name: 'B', value: 'two' }, { name: 'A', $patch: 'delete' }],
      ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, protocol: null }],
    }] } } } }, 'Deployment');
    const nginx = out.spec.template.spec.containers[0];
    expect(nginx.env).toEqual([{ name: 'B', value: 'two' }]);
    expect(nginx.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
  });

  it('finalizers merge as a set and $deleteFromPrimitiveList removes one', () => {
    // K:k8s.io/apimachinery/pkg/apis/meta/v1/types.go (finalizers patchStrategy=merge); K:strategicpatch/patch.go deleteFromSlice
    const added: any = applyStrategicMergePatch(deployment(), { metadata: { finalizers: ['a.example.com/x', 'b.example.com/y'] } }, 'Deployment');
    expect([...added.metadata.finalizers].sort()).toEqual(['a.example.com/x', 'b.example.com/y']);
    const removed: any = applyStrategicMergePatch(added, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'] } }, 'Deployment');
    expect(removed.metadata.finalizers).toEqual(['b.example.com/y']);
  });

  it('tolerations have no merge key, so a patch replaces the whole list', () => {
    // K:k8s.io/api/core/v1/types.go (PodSpec.tolerations has no patchStrategy)
    const out: any = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } } }, 'Deployment');
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'other', operator: 'Exists' }]);
  });

  it('Service ports merge by port and Pod status conditions merge by type', () => {
    // K:k8s.io/api/core/v1/types.go (ServiceSpec.ports patchMergeKey=port, PodStatus.conditions patchMergeKey=type)
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out: any = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service');
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
    const patched: any = applyStrategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod');
    expect(patched.status.conditions).toEqual([{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }]);
  });

  it('a custom resource gets JSON merge patch semantics', () => {
    // D:tasks/extend-kubernetes/custom-resources/custom-resource-definitions (strategic merge is not supported for CRs)
    const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ name: 'a', v: 1 }, { name: 'b' }] } };
    const out: any = applyStrategicMergePatch(cr, { spec: { items: [{ name: 'a', v: 2 }] } }, 'Widget');
    expect(out.spec.items).toEqual([{ name: 'a', v: 2 }]);
  });

  it('a list item without its merge key is an error from the server', () => {
    // K:strategicpatch/patch.go mergeSliceWithoutSpecialElements (mergepatch.ErrNoMergeKey)
    const err = statusErrorOf(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'Deployment'));
    expect(err.code).toBe(500);
    expect(err.message).toBe('map: map[image:x] does not contain declared merge key: name');
  });

  it('applyPatch dispatches on the content type', () => {
    // D:reference/using-api/api-concepts (patch content types)
    const t = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
    expect((applyPatch(t, { data: { b: '2' } }, 'application/merge-patch+json', 'ConfigMap') as any).data).toEqual({ a: '1', b: '2' });
    expect((applyPatch(t, [{ op: 'remove', path: '/data/a' }], 'application/json-patch+json', 'ConfigMap') as any).data).toEqual({});
    expect((applyPatch(t, { data: { a: null } }, 'application/strategic-merge-patch+json', 'ConfigMap') as any).data).toEqual({});
  });
});
