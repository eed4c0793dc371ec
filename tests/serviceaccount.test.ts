// ServiceAccounts as every pod meets them: the serviceaccount controller's "default" account and
// the root-ca-cert-publisher's kube-root-ca.crt in every namespace, the ServiceAccount admission
// plug-in (defaulting, lookup, the projected kube-api-access volume), and the kubelet mounting
// that volume's token, CA bundle and namespace files. k8s-facts §12.2.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';

const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function pod(name: string, spec: Record<string, any>, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec };
}

function rejection(fn: () => unknown): any {
  try {
    fn();
  } catch (e: any) {
    return e.status ?? e;
  }
  throw new Error('expected the request to be rejected');
}

async function withNamespace(name: string): Promise<Cluster> {
  const c = await createCluster({ seed: 1 });
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await c.runFor('1s');
  return c;
}

describe('per-namespace objects', () => {
  it('every namespace has the ServiceAccount "default" and the ConfigMap kube-root-ca.crt, and gets them back when deleted', async () => {
    const c = await withNamespace('team-a');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'team-a']) {
      expect(c.get('serviceaccount', 'default', ns).metadata.namespace).toBe(ns);
      const cm = c.get('configmap', 'kube-root-ca.crt', ns);
      expect(cm.data['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
      expect(cm.metadata.annotations!['kubernetes.io/description']).toMatch(/^Contains a CA bundle that can be used to verify the kube-apiserver/);
    }
    const bundle = c.get('configmap', 'kube-root-ca.crt', 'team-a').data['ca.crt'];
    c.delete('serviceaccount', 'default', { namespace: 'team-a' });
    c.delete('configmap', 'kube-root-ca.crt', { namespace: 'team-a' });
    c.patch('configmap', 'kube-root-ca.crt', { data: { 'ca.crt': 'tampered' } }, { namespace: 'default' });
    await c.runFor('1s');
    expect(c.find('serviceaccount', 'default', 'team-a')).toBeDefined();
    expect(c.get('configmap', 'kube-root-ca.crt', 'team-a').data).toEqual({ 'ca.crt': bundle });
    expect(c.get('configmap', 'kube-root-ca.crt', 'default').data).toEqual({ 'ca.crt': bundle });
  });
});

describe('ServiceAccount admission', () => {
  it('a pod runs as "default" with the projected kube-api-access volume mounted read-only in every container', async () => {
    const c = await withNamespace('team-a');
    const created = c.create(pod('web', {
      initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['true'] }],
      containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'side', image: 'nginx:1.25', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    }, 'team-a'));
    expect(created.spec.serviceAccountName).toBe('default');
    expect(created.spec.serviceAccount).toBe('default');
    const volume = created.spec.volumes[1];
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected).toEqual({
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    });
    const mount = { name: volume.name, readOnly: true, mountPath: DIR };
    expect(created.spec.initContainers[0].volumeMounts).toEqual([mount]);
    expect(created.spec.containers[0].volumeMounts).toEqual([mount]);
    expect(created.spec.containers[1].volumeMounts).toEqual([{ name: 'scratch', mountPath: '/scratch' }, mount]);
  });

  it('inside the container the directory holds the bound token, the CA bundle and the namespace', async () => {
    const c = await withNamespace('team-a');
    const script = `test "$(cat ${DIR}/namespace)" = team-a && grep -q "BEGIN CERTIFICATE" ${DIR}/ca.crt && test -s ${DIR}/token`;
    c.create(pod('check', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script] }] }, 'team-a'));
    c.create(pod('wrong', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', `test "$(cat ${DIR}/namespace)" = default`] }] }, 'team-a'));
    await c.runFor('30s');
    expect(c.get('pod', 'check', 'team-a').status.phase).toBe('Succeeded');
    expect(c.get('pod', 'wrong', 'team-a').status.phase).toBe('Failed');
  });

  it('automountServiceAccountToken: false on the pod or its ServiceAccount leaves the volume out; the pod wins over the account', async () => {
    const c = await createCluster({ seed: 1 });
    c.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false });
    const off = c.create(pod('off', { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'nginx:1.25' }] }));
    const quiet = c.create(pod('quiet', { serviceAccountName: 'quiet', containers: [{ name: 'c', image: 'nginx:1.25' }] }));
    const insist = c.create(pod('insist', { serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'c', image: 'nginx:1.25' }] }));
    expect(off.spec.volumes).toBeUndefined();
    expect(off.spec.containers[0].volumeMounts).toBeUndefined();
    expect(quiet.spec.serviceAccountName).toBe('quiet');
    expect(quiet.spec.volumes).toBeUndefined();
    expect(insist.spec.volumes.map((v: any) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
  });

  it('a pod naming a ServiceAccount that does not exist is forbidden; a ReplicaSet reports it as FailedCreate', async () => {
    const c = await createCluster({ seed: 1 });
    const s = rejection(() => c.create(pod('lost', { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'nginx:1.25' }] })));
    expect(s.code).toBe(403);
    expect(s.reason).toBe('Forbidden');
    expect(s.message).toBe('pods "lost" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found');
    c.create({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
    });
    await c.runFor('5s');
    const failed = c.events().filter((e) => e.reason === 'FailedCreate').map((e) => e.message);
    // The generated name is not known at admission: the message shows the generateName prefix.
    expect(failed[0]).toBe('Error creating: pods "web-" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found');
    c.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
    await c.runFor('1m');
    expect(c.list('pods').filter((p) => p.spec.serviceAccountName === 'robot')).toHaveLength(2);
  });

  it('a pod without imagePullSecrets takes its ServiceAccount\'s', async () => {
    const c = await createCluster({ seed: 1 });
    c.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'puller' }, imagePullSecrets: [{ name: 'regcred' }] });
    expect(c.create(pod('a', { serviceAccountName: 'puller', containers: [{ name: 'c', image: 'nginx:1.25' }] })).spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(c.create(pod('b', { serviceAccountName: 'puller', imagePullSecrets: [{ name: 'own' }], containers: [{ name: 'c', image: 'nginx:1.25' }] })).spec.imagePullSecrets).toEqual([{ name: 'own' }]);
  });
});

describe('projected volumes', () => {
  it('ConfigMap, Secret and downward API volumes follow the same rules: items pick keys, an optional source that exists is mounted', async () => {
    const c = await createCluster({ seed: 1 });
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast', level: '3' } });
    const script = [
      'test "$(cat /etc/picked/speed)" = fast', 'test ! -e /etc/picked/level', 'test "$(cat /etc/all/level)" = 3',
      'grep -q \'app="web"\' /etc/info/labels', 'test "$(cat /etc/info/name)" = check',
    ].join(' && ');
    c.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'check', labels: { app: 'web' } },
      spec: {
        restartPolicy: 'Never',
        containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', script], volumeMounts: [
          { name: 'picked', mountPath: '/etc/picked' }, { name: 'all', mountPath: '/etc/all' }, { name: 'info', mountPath: '/etc/info' }] }],
        volumes: [
          { name: 'picked', configMap: { name: 'settings', items: [{ key: 'mode', path: 'speed' }] } },
          { name: 'all', configMap: { name: 'settings', optional: true } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        ],
      },
    });
    await c.runFor('30s');
    expect(c.get('pod', 'check').status.phase).toBe('Succeeded');
  });

  it('a projected volume naming a missing ConfigMap fails to mount with upstream\'s FailedMount message', async () => {
    const c = await createCluster({ seed: 1 });
    c.create(pod('p', {
      containers: [{ name: 'c', image: 'nginx:1.25', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] }],
      volumes: [{ name: 'cfg', projected: { sources: [{ configMap: { name: 'settings' } }] } }],
    }));
    await c.runFor('10s');
    expect(c.get('pod', 'p').status.phase).toBe('Pending');
    const ev = c.events().filter((e) => e.involvedObject.name === 'p' && e.reason === 'FailedMount').map((e) => e.message);
    expect(ev[0]).toBe('MountVolume.SetUp failed for volume "cfg" : configmap "settings" not found');
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } });
    await c.runFor('3m');
    expect(c.get('pod', 'p').status.phase).toBe('Running');
  });
});
