// The API server as a Kubernetes user sees it through the cluster API: concurrency, generation,
// deletion, namespaces, watches, selectors, patches and validation errors.
// k8s-facts §13 (API machinery) and the API concepts docs are the reference.
import { describe, expect, it } from 'vitest';
import { createCluster, isStatusError, type Cluster, type KubeObject, type Status } from 'kubesim';

function deployment(name: string, extra: Partial<KubeObject['spec']> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.14.2' }] } },
      ...extra,
    },
  };
}

function configMap(name: string, data: Record<string, string> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data };
}

/** Runs fn and returns the Status it was rejected with. */
function rejection(fn: () => unknown): Status {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e.status;
    throw e;
  }
  throw new Error('expected the API server to reject the request');
}

describe('optimistic concurrency and generation', () => {
  it('an update with a stale resourceVersion is a 409 Conflict and changes nothing', async () => {
    // k8s-facts §13.1, §13.3: "Operation cannot be fulfilled on ... the object has been modified"
    const c = await createCluster({ nodes: 0 });
    c.create(configMap('cfg', { a: '1' }));
    const stale = c.get('configmap', 'cfg');
    c.update({ ...stale, data: { a: '2' } });
    const s = rejection(() => c.update({ ...stale, data: { a: '3' } }));
    expect(s.code).toBe(409);
    expect(s.reason).toBe('Conflict');
    expect(s.message).toBe('Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again');
    expect(c.get('configmap', 'cfg').data).toEqual({ a: '2' });
  });

  it('resourceVersion is global and increases with every write; an update without one is unconditional', async () => {
    const c = await createCluster({ nodes: 0 });
    const a = c.create(configMap('a'));
    const b = c.create(configMap('b'));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const { resourceVersion: _rv, ...meta } = c.get('configmap', 'a').metadata;
    const updated = c.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { x: 'y' } });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(b.metadata.resourceVersion));
  });

  it('generation starts at 1 and is bumped by spec changes only, not by metadata or status', async () => {
    // k8s-facts §13.1: metadata.generation increments on spec changes (not status)
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    expect(c.get('deployment', 'web').metadata.generation).toBe(1);
    c.patch('deployment', 'web', { metadata: { labels: { tier: 'front' } } }, { type: 'merge' });
    expect(c.get('deployment', 'web').metadata.generation).toBe(1);
    c.patch('deployment', 'web', { status: { observedGeneration: 1, replicas: 5 } }, { type: 'merge', subresource: 'status' });
    expect(c.get('deployment', 'web').metadata.generation).toBe(1);
    expect(c.get('deployment', 'web').status.replicas).toBe(5);
    c.patch('deployment', 'web', { spec: { replicas: 4 } }, { type: 'merge' });
    expect(c.get('deployment', 'web').metadata.generation).toBe(2);
  });

  it('a write to the main resource cannot change status; the status subresource cannot change spec', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    c.patch('deployment', 'web', { status: { replicas: 9 } }, { type: 'merge' });
    expect(c.get('deployment', 'web').status.replicas).toBeUndefined();
    c.patch('deployment', 'web', { spec: { replicas: 9 } }, { type: 'merge', subresource: 'status' });
    expect(c.get('deployment', 'web').spec.replicas).toBe(2);
  });

  it('the scale subresource sets spec.replicas', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    c.patch('deployment', 'web', { spec: { replicas: 7 } }, { type: 'merge', subresource: 'scale' });
    expect(c.get('deployment', 'web').spec.replicas).toBe(7);
    expect(c.get('deployment', 'web').metadata.generation).toBe(2);
  });
});

describe('deletion', () => {
  it('an object with a finalizer stays, with a deletionTimestamp, until the finalizer is removed', async () => {
    // k8s-facts §13.1: Finalizers
    const c = await createCluster({ nodes: 0 });
    c.create(configMap('held', {}, { finalizers: ['example.com/hold'] }));
    await c.runFor('10s');
    c.delete('configmap', 'held');
    const marked = c.get('configmap', 'held');
    expect(marked.metadata.deletionTimestamp).toBe('2025-01-01T00:00:10Z');
    // deletionTimestamp is set by the server only: a write that drops it is ignored (rest.BeforeUpdate).
    c.patch('configmap', 'held', { metadata: { deletionTimestamp: null } }, { type: 'merge' });
    expect(c.get('configmap', 'held').metadata.deletionTimestamp).toBe('2025-01-01T00:00:10Z');
    c.patch('configmap', 'held', { metadata: { finalizers: null } }, { type: 'merge' });
    expect(c.find('configmap', 'held')).toBeUndefined();
  });

  function ownedBy(owner: KubeObject, name: string, block = true): KubeObject {
    return configMap(name, {}, {
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: block }],
    });
  }

  it('Background propagation deletes the owner at once and the garbage collector deletes its dependents', async () => {
    // k8s-facts §13.2: Background (default)
    const c = await createCluster({ nodes: 0 });
    const owner = c.create(deployment('web'));
    c.create(ownedBy(owner, 'dep-1'));
    c.create(ownedBy(owner, 'dep-2'));
    await c.runFor('1s');
    c.delete('deployment', 'web', { propagationPolicy: 'Background' });
    expect(c.find('deployment', 'web')).toBeUndefined();
    expect(c.list('configmaps').map((o) => o.metadata.name)).toContain('dep-1');
    await c.runFor('2s');
    expect(c.list('configmaps').map((o) => o.metadata.name)).not.toContain('dep-1');
    expect(c.list('configmaps').map((o) => o.metadata.name)).not.toContain('dep-2');
  });

  it('the garbage collector ignores Events (upstream DefaultIgnoredResources): an owned Event outlives its owner', async () => {
    const c = await createCluster({ nodes: 0 });
    const owner = c.create(deployment('web'));
    const ref = ownedBy(owner, 'x').metadata.ownerReferences;
    c.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', ownerReferences: ref }, involvedObject: { kind: 'Deployment', name: 'web' }, reason: 'Test', message: 'owned', type: 'Normal' } as KubeObject);
    c.create(ownedBy(owner, 'dep'));
    await c.runFor('1s');
    c.delete('deployment', 'web');
    await c.runFor('1m');
    expect(c.find('configmap', 'dep')).toBeUndefined();
    expect(c.find('event', 'web.1')).toBeDefined();
  });

  it('Foreground propagation keeps the owner (foregroundDeletion finalizer) until blocking dependents are gone', async () => {
    // k8s-facts §13.2: Foreground
    const c = await createCluster({ nodes: 0 });
    const owner = c.create(deployment('web'));
    c.create({ ...ownedBy(owner, 'dep'), metadata: { ...ownedBy(owner, 'dep').metadata, finalizers: ['example.com/slow'] } });
    await c.runFor('1s');
    c.delete('deployment', 'web', { propagationPolicy: 'Foreground' });
    expect(c.get('deployment', 'web').metadata.finalizers).toEqual(['foregroundDeletion']);
    await c.runFor('5s');
    // The dependent is being deleted but held by its own finalizer, so the owner waits.
    expect(c.get('configmap', 'dep').metadata.deletionTimestamp).toBeDefined();
    expect(c.find('deployment', 'web')).toBeDefined();
    c.patch('configmap', 'dep', { metadata: { finalizers: null } }, { type: 'merge' });
    await c.runFor('5s');
    expect(c.find('configmap', 'dep')).toBeUndefined();
    expect(c.find('deployment', 'web')).toBeUndefined();
  });

  it('Orphan propagation removes the owner reference from dependents and keeps them', async () => {
    // k8s-facts §13.2: Orphan
    const c = await createCluster({ nodes: 0 });
    const owner = c.create(deployment('web'));
    c.create(ownedBy(owner, 'dep'));
    await c.runFor('1s');
    c.delete('deployment', 'web', { propagationPolicy: 'Orphan' });
    await c.runFor('5s');
    expect(c.find('deployment', 'web')).toBeUndefined();
    const dep = c.get('configmap', 'dep');
    expect(dep.metadata.ownerReferences).toBeUndefined();
  });

  it('deleting a namespace marks it Terminating, deletes its contents, then the namespace', async () => {
    // k8s-facts §13.1: Namespace uses spec.finalizers [kubernetes] and phase Active → Terminating
    const c = await createCluster({ nodes: 0 });
    c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    expect(c.get('namespace', 'team-a').spec.finalizers).toEqual(['kubernetes']);
    expect(c.get('namespace', 'team-a').status.phase).toBe('Active');
    c.create(configMap('cfg', {}, { namespace: 'team-a' }));
    c.create({ ...deployment('web'), metadata: { ...deployment('web').metadata, namespace: 'team-a' } });
    c.delete('namespace', 'team-a');
    expect(c.get('namespace', 'team-a').status.phase).toBe('Terminating');
    const refused = rejection(() => c.create(configMap('late', {}, { namespace: 'team-a' })));
    expect(refused.code).toBe(403);
    expect(refused.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace team-a because it is being terminated');
    await c.runFor('10s');
    expect(c.find('namespace', 'team-a')).toBeUndefined();
    expect(c.list('configmaps', { namespace: 'team-a' })).toEqual([]);
    expect(c.list('deployments', { namespace: 'team-a' })).toEqual([]);
  });

  it('a new cluster has the default, kube-system, kube-public and kube-node-lease namespaces', async () => {
    const c = await createCluster({ nodes: 0 });
    expect(c.list('namespaces').map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(rejection(() => c.create(configMap('x', {}, { namespace: 'nope' }))).message).toBe('namespaces "nope" not found');
  });
});

describe('watch', () => {
  it('a watch from an old resourceVersion replays every change since, in order', async () => {
    // k8s-facts §13.5: watch from a resourceVersion
    const c = await createCluster({ nodes: 0 });
    const start = c.create(configMap('a')).metadata.resourceVersion!;
    c.patch('configmap', 'a', { data: { k: 'v' } }, { type: 'merge' });
    c.create(configMap('b'));
    c.delete('configmap', 'a');
    const seen: string[] = [];
    c.watch('configmaps', (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`), { resourceVersion: start });
    expect(seen).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a']);
    c.create(configMap('c'));
    expect(seen.at(-1)).toBe('ADDED c');
  });

  it('a watch from a compacted resourceVersion gets 410 Expired', async () => {
    // k8s-facts §13.5: history is kept about 5 minutes; too old ⇒ 410 Gone, relist
    const c = await createCluster({ nodes: 0 });
    const old = c.create(configMap('a')).metadata.resourceVersion!;
    c.patch('configmap', 'a', { data: { k: 'v' } }, { type: 'merge' });
    await c.runFor('6m');
    c.create(configMap('b'));
    const s = rejection(() => c.watch('configmaps', () => {}, { resourceVersion: old }));
    expect(s.code).toBe(410);
    expect(s.reason).toBe('Expired');
    expect(s.message).toMatch(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
  });

  it('the watch cache holds the latest 100 changes of a resource once they span more than 75 s', async () => {
    // cacher/watch_cache.go: capacity starts at 100 and grows only while all it holds is
    // younger than eventFreshDuration (75 s); a watch from before its oldest event gets 410.
    const c = await createCluster({ nodes: 0 });
    c.create(configMap('a'));
    const rvs: number[] = [];
    for (let i = 0; i < 150; i++) {
      await c.runFor('1s');
      rvs.push(Number(c.patch('configmap', 'a', { data: { i: String(i) } }, { type: 'merge' }).metadata.resourceVersion));
    }
    // 100 held: changes 50..149; the oldest a watch may have seen is the one just before change 50.
    const s = rejection(() => c.watch('configmaps', () => {}, { resourceVersion: String(rvs[48]) }));
    expect(s.code).toBe(410);
    expect(s.message).toBe(`too old resource version: ${rvs[48]} (${rvs[50] - 1})`);
    const seen: string[] = [];
    c.watch('configmaps', (ev) => seen.push(ev.object.data.i), { resourceVersion: String(rvs[49]) });
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => String(50 + i)));
  });

  it('the watch cache grows to keep every change of the last 75 s, and events keep etcd\'s 5 minutes', async () => {
    const c = await createCluster({ nodes: 0 });
    const first = c.create(configMap('a')).metadata.resourceVersion!;
    for (let i = 0; i < 999; i++) c.patch('configmap', 'a', { data: { i: String(i) } }, { type: 'merge' });
    const seen: string[] = [];
    c.watch('configmaps', (ev) => seen.push(ev.object.metadata.name!), { resourceVersion: first });
    expect(seen).toHaveLength(999);
    // Events have no watch cache (DefaultWatchCacheSizes): any number of them resumes for 5 minutes.
    const ev = (i: number): KubeObject => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name: `e${i}` }, involvedObject: { kind: 'ConfigMap', name: 'a', namespace: 'default' },
      reason: 'Test', message: `event ${i}`, type: 'Normal',
    });
    const firstEvent = c.create(ev(0)).metadata.resourceVersion!;
    for (let i = 1; i <= 300; i++) {
      c.create(ev(i));
      await c.runFor('0.5s');
    }
    const events: string[] = [];
    c.watch('events', (e) => events.push(e.object.metadata.name!), { resourceVersion: firstEvent });
    expect(events).toHaveLength(300);
    expect(events.at(-1)).toBe('e300');
  });

  it('a watch with a label selector sees an object leave the selection as DELETED', async () => {
    // The watch cache turns a MODIFIED that no longer matches into DELETED for that watcher.
    const c = await createCluster({ nodes: 0 });
    const seen: string[] = [];
    c.watch('configmaps', (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`), { labelSelector: 'tier=front' });
    c.create(configMap('a', {}, { labels: { tier: 'front' } }));
    c.create(configMap('b', {}, { labels: { tier: 'back' } }));
    c.patch('configmap', 'a', { metadata: { labels: { tier: 'back' } } }, { type: 'merge' });
    c.patch('configmap', 'b', { metadata: { labels: { tier: 'front' } } }, { type: 'merge' });
    expect(seen).toEqual(['ADDED a', 'DELETED a', 'ADDED b']);
  });

  it("a kubelet's watch (spec.nodeName=x) sees a pod from its binding there, its changes, and nothing of other nodes", async () => {
    const c = await createCluster({ nodes: 2 });
    const seen = new Set<string>();
    c.watch('pods', (ev) => seen.add(`${ev.type} ${ev.object.metadata.name}`), { fieldSelector: 'spec.nodeName=node-1' });
    const pod = (name: string, node: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeSelector: { 'kubernetes.io/hostname': node }, containers: [{ name: 'c', image: 'nginx' }] },
    });
    c.create(pod('web', 'node-1'));
    c.create(pod('db', 'node-2'));
    await c.runUntil((x) => x.list('pods').every((p) => p.status?.phase === 'Running'));
    c.delete('pod', 'web', { gracePeriodSeconds: 0 });
    await c.runFor(0);
    expect([...seen]).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web']);
  });
});

describe('selectors', () => {
  async function labelled(): Promise<Cluster> {
    const c = await createCluster({ nodes: 0 });
    c.create(configMap('a', {}, { labels: { env: 'prod', tier: 'front' } }));
    c.create(configMap('b', {}, { labels: { env: 'dev', tier: 'front' } }));
    c.create(configMap('c', {}, { labels: { env: 'qa' } }));
    return c;
  }
  /** The test's ConfigMaps (every namespace also has the unlabelled kube-root-ca.crt). */
  const names = (os: KubeObject[]) => os.map((o) => o.metadata.name).filter((n) => n !== 'kube-root-ca.crt');

  it('label selectors: =, !=, in, notin, exists and does-not-exist', async () => {
    // k8s-facts §13.4
    const c = await labelled();
    expect(names(c.list('cm', { labelSelector: 'env=prod' }))).toEqual(['a']);
    expect(names(c.list('cm', { labelSelector: 'env!=prod' }))).toEqual(['b', 'c']);
    expect(names(c.list('cm', { labelSelector: 'env in (dev,qa)' }))).toEqual(['b', 'c']);
    expect(names(c.list('cm', { labelSelector: 'env notin (dev,qa)' }))).toEqual(['a']);
    expect(names(c.list('cm', { labelSelector: 'tier' }))).toEqual(['a', 'b']);
    expect(names(c.list('cm', { labelSelector: '!tier' }))).toEqual(['c']);
    expect(names(c.list('cm', { labelSelector: 'tier=front,env!=dev' }))).toEqual(['a']);
    // A missing label is "not equal" and "not in": the root CA bundles match too, as upstream.
    expect(c.list('cm', { labelSelector: 'env!=prod' }).filter((o) => o.metadata.name === 'kube-root-ca.crt')).toHaveLength(4);
    expect(c.list('cm', { labelSelector: 'env' }).filter((o) => o.metadata.name === 'kube-root-ca.crt')).toHaveLength(0);
  });

  it('field selectors on metadata.name and metadata.namespace; an unsupported field is a 400', async () => {
    const c = await labelled();
    expect(names(c.list('cm', { fieldSelector: 'metadata.name=b' }))).toEqual(['b']);
    expect(names(c.list('cm', { fieldSelector: 'metadata.namespace=default,metadata.name!=b' }))).toEqual(['a', 'c']);
    const s = rejection(() => c.list('cm', { fieldSelector: 'data.x=1' }));
    expect(s.code).toBe(400);
    // One named object in one namespace (a kubelet's own Node, a pod by name): with the other terms and the labels too.
    expect(names(c.list('cm', { namespace: 'default', fieldSelector: 'metadata.name=b' }))).toEqual(['b']);
    expect(c.list('cm', { namespace: 'kube-system', fieldSelector: 'metadata.name=b' })).toEqual([]);
    expect(c.list('cm', { namespace: 'default', fieldSelector: 'metadata.name=b', labelSelector: 'env=prod' })).toEqual([]);
    expect(c.list('cm', { namespace: 'default', fieldSelector: 'metadata.name=b,metadata.namespace=kube-system' })).toEqual([]);
    expect(c.list('cm', { namespace: 'default', fieldSelector: 'metadata.name=kube-root-ca.crt' }).map((o) => o.metadata.namespace)).toEqual(['default']);
    c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } } });
    c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });
    expect(c.list('nodes', { fieldSelector: 'metadata.name=n2' }).map((o) => o.metadata.name)).toEqual(['n2']);
    expect(c.list('nodes', { fieldSelector: 'metadata.name=n2', labelSelector: 'zone' })).toEqual([]);
    expect(c.list('nodes', { fieldSelector: 'metadata.name=n3' })).toEqual([]);
  });

  it('pod field selectors on spec.nodeName and status.phase', async () => {
    const c = await createCluster({ nodes: 0 });
    const pod = (name: string, nodeName?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] } });
    c.create(pod('on-a', 'node-a'));
    c.create(pod('on-b', 'node-b'));
    c.create(pod('nowhere'));
    expect(names(c.list('pods', { fieldSelector: 'spec.nodeName=node-a' }))).toEqual(['on-a']);
    expect(names(c.list('pods', { fieldSelector: 'spec.nodeName=' }))).toEqual(['nowhere']);
    expect(names(c.list('pods', { fieldSelector: 'status.phase=Pending' }))).toEqual(['nowhere', 'on-a', 'on-b']);
  });
});

describe('patch', () => {
  it('JSON merge patch: null deletes a key, lists are replaced', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(configMap('cfg', { a: '1', b: '2' }));
    c.patch('configmap', 'cfg', { data: { a: null, c: '3' } }, { type: 'merge' });
    expect(c.get('configmap', 'cfg').data).toEqual({ b: '2', c: '3' });
  });

  it('JSON patch: add, replace, remove and a failing test operation that changes nothing', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    c.patch('deployment', 'web', [
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'remove', path: '/metadata/labels/app' },
    ], { type: 'json' });
    const d = c.get('deployment', 'web');
    expect(d.spec.replicas).toBe(5);
    expect(d.metadata.labels).toEqual({ tier: 'front' });
    const s = rejection(() => c.patch('deployment', 'web', [
      { op: 'replace', path: '/spec/replicas', value: 1 },
      { op: 'test', path: '/spec/replicas', value: 99 },
    ], { type: 'json' }));
    expect(s.code).toBeGreaterThanOrEqual(400);
    expect(c.get('deployment', 'web').spec.replicas).toBe(5);
  });

  it('strategic merge patch merges containers by name and keeps the others', async () => {
    const c = await createCluster({ nodes: 0 });
    const d = deployment('web');
    d.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox:1.36' });
    c.create(d);
    c.patch('deployment', 'web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.16.1' }] } } } });
    const containers = c.get('deployment', 'web').spec.template.spec.containers;
    expect(containers.map((x: any) => `${x.name}=${x.image}`)).toEqual(['web=nginx:1.16.1', 'sidecar=busybox:1.36']);
    expect(c.get('deployment', 'web').metadata.generation).toBe(2);
  });
});

describe('validation: rejected requests change nothing', () => {
  it('a bad name is 422 Invalid with the metadata.name field', async () => {
    // k8s-facts §13.3, §13.4
    const c = await createCluster({ nodes: 0 });
    const before = c.all().length;
    const s = rejection(() => c.create(configMap('Bad_Name')));
    expect(s.code).toBe(422);
    expect(s.reason).toBe('Invalid');
    expect(s.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    expect(s.details?.causes?.[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    expect(c.all().length).toBe(before);
  });

  it('a Deployment whose selector does not match its template labels is 422 on spec.template.metadata.labels', async () => {
    const c = await createCluster({ nodes: 0 });
    const d = deployment('web');
    d.spec.template.metadata.labels = { app: 'other' };
    const s = rejection(() => c.create(d));
    expect(s.code).toBe(422);
    expect(s.details?.causes?.map((x) => x.field)).toContain('spec.template.metadata.labels');
    expect(s.message).toContain('`selector` does not match template `labels`');
    expect(c.find('deployment', 'web')).toBeUndefined();
  });

  it('negative replicas are 422 with upstream\'s message', async () => {
    const c = await createCluster({ nodes: 0 });
    const s = rejection(() => c.create(deployment('web', { replicas: -1 })));
    expect(s.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(s.details).toMatchObject({ name: 'web', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }] });
  });

  it('changing a Deployment\'s selector is refused: the field is immutable', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    const before = c.get('deployment', 'web');
    const s = rejection(() => c.patch('deployment', 'web', {
      spec: { selector: { matchLabels: { app: 'web', v: '2' } }, template: { metadata: { labels: { app: 'web', v: '2' } } } },
    }));
    expect(s.code).toBe(422);
    expect(s.message).toContain('spec.selector: Invalid value:');
    expect(s.message).toContain('field is immutable');
    const after = c.get('deployment', 'web');
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
  });

  it('an unknown kind gets kubectl\'s "no matches for kind" error', async () => {
    const c = await createCluster({ nodes: 0 });
    const s = rejection(() => c.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }));
    expect(s.code).toBe(404);
    expect(s.message).toBe('no matches for kind "Widget" in version "example.com/v1"');
  });

  it('creating an object that exists is 409 AlreadyExists', async () => {
    const c = await createCluster({ nodes: 0 });
    c.create(deployment('web'));
    const s = rejection(() => c.create(deployment('web')));
    expect(s).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' });
  });

  it('reading a missing object is 404 NotFound', async () => {
    const c = await createCluster({ nodes: 0 });
    expect(rejection(() => c.get('deployment', 'nope'))).toMatchObject({ code: 404, reason: 'NotFound', message: 'deployments.apps "nope" not found' });
  });

  it('apply reports each rejected document in kubectl\'s words and applies the others', async () => {
    const c = await createCluster({ nodes: 0 });
    const outcomes = c.applyDocuments([
      { object: configMap('good'), source: 'a.yaml', index: 0, line: 1 },
      { object: deployment('bad', { replicas: -1 }), source: 'a.yaml', index: 1, line: 5 },
    ]);
    expect(outcomes.map((o) => o.action)).toEqual(['created', 'failed']);
    expect(c.find('configmap', 'good')).toBeDefined();
    const { formatApplyError } = await import('kubesim');
    expect(formatApplyError(outcomes[1])).toBe('Error from server (Invalid): error when creating "a.yaml": Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
});

describe('defaulting on create', () => {
  it('a Pod gets the API server\'s defaults and the 300 s not-ready/unreachable tolerations', async () => {
    // k8s-facts §15
    const c = await createCluster({ nodes: 0 });
    const p = c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    expect(p.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', enableServiceLinks: true });
    expect(p.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(p.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('a Service gets a ClusterIP from 10.96.0.0/12 and targetPort = port', async () => {
    const c = await createCluster({ nodes: 0 });
    const s = c.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(s.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(s.spec.ports[0]).toMatchObject({ port: 80, targetPort: 80, protocol: 'TCP' });
    expect(s.spec.type).toBe('ClusterIP');
  });

  it('generateName gets a 5-character suffix', async () => {
    const c = await createCluster({ nodes: 0 });
    const o = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' } });
    expect(o.metadata.name).toMatch(/^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
