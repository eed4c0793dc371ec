// StatefulSet storage: one PVC per volumeClaimTemplate per ordinal, created before its pod and
// outliving it; the PVC retention policy. k8s-facts §3.1, §3.4; D:concepts/workloads/controllers/statefulset
// ("Stable Storage", "PersistentVolumeClaim retention"); D:tutorials/stateful-application/basic-stateful-set;
// K:pkg/controller/statefulset/stateful_pod_control.go, stateful_set_utils.go (isClaimOwnerUpToDate).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';

const MANIFEST = 'manifests/web-statefulset.yaml';

const runningAndReady = (p: KubeObject | undefined) => p !== undefined && !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
  && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const readyCount = (c: Cluster) => c.list('pods', { labelSelector: 'app=nginx' }).filter(runningAndReady).length;
const claimNames = (c: Cluster) => c.list('pvc').map((p) => p.metadata.name);

async function web(seed: number, patch?: Record<string, unknown>): Promise<Cluster> {
  const c = await createCluster({ seed });
  await c.apply(MANIFEST);
  if (patch) c.patch('sts', 'web', patch, { type: 'merge' });
  await c.runUntil((cl) => readyCount(cl) === 2, { timeout: '10m', what: 'web-0 and web-1 Running and Ready' });
  return c;
}

describe('StatefulSet storage', () => {
  it('the tutorial\'s web StatefulSet creates claim www-web-N before pod web-N, and each pod mounts its own claim', async () => {
    const c = await web(61);
    expect(claimNames(c)).toEqual(['www-web-0', 'www-web-1']);
    const claim = c.get('pvc', 'www-web-0');
    expect(claim.metadata.labels).toEqual({ app: 'nginx' });
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.spec.resources.requests.storage).toBe('1Gi');
    expect(claim.metadata.ownerReferences ?? []).toEqual([]);
    expect(c.get('pod', 'web-1').spec.volumes.find((v: any) => v.name === 'www')).toEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
    expect(c.timeline().filter((e) => e.object === 'statefulset/web').map((e) => e.message)).toEqual([
      'create Claim www-web-0 Pod web-0 in StatefulSet web success',
      'create Pod web-0 in StatefulSet web successful',
      'create Claim www-web-1 Pod web-1 in StatefulSet web success',
      'create Pod web-1 in StatefulSet web successful',
    ]);
  });

  it('a deleted pod is recreated with the same claim; scaling down keeps the claims (Retain) and scaling up reuses them', async () => {
    const c = await web(62);
    const uid = c.get('pvc', 'www-web-0').metadata.uid;
    c.delete('pod', 'web-0');
    await c.runUntil((cl) => runningAndReady(cl.find('pod', 'web-0')) && readyCount(cl) === 2, { timeout: '5m' });
    expect(c.get('pvc', 'www-web-0').metadata.uid).toBe(uid);
    expect(c.get('pod', 'web-0').spec.volumes[0].persistentVolumeClaim.claimName).toBe('www-web-0');
    c.patch('sts', 'web', { spec: { replicas: 1 } }, { type: 'merge' });
    await c.runUntil((cl) => cl.list('pods').length === 1, { timeout: '5m' });
    expect(claimNames(c)).toEqual(['www-web-0', 'www-web-1']);
    const uid1 = c.get('pvc', 'www-web-1').metadata.uid;
    c.patch('sts', 'web', { spec: { replicas: 2 } }, { type: 'merge' });
    await c.runUntil((cl) => readyCount(cl) === 2, { timeout: '5m' });
    expect(c.get('pvc', 'www-web-1').metadata.uid).toBe(uid1);
    expect(c.events().filter((e) => e.message.startsWith('create Claim')).length).toBe(2);
  });

  it('whenScaled: Delete makes a condemned pod the owner of its claim, so the claim goes with it', async () => {
    const c = await web(63, { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } } });
    c.patch('sts', 'web', { spec: { replicas: 1 } }, { type: 'merge' });
    await c.runUntil((cl) => cl.list('pods').length === 1 && !cl.find('pvc', 'www-web-1'), { timeout: '5m', what: 'www-web-1 garbage-collected' });
    expect(claimNames(c)).toEqual(['www-web-0']);
    expect(c.get('pvc', 'www-web-0').metadata.ownerReferences ?? []).toEqual([]);
  });

  it('whenDeleted: Delete makes the StatefulSet the controller of every claim', async () => {
    const c = await web(64, { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } } });
    await c.runFor('30s');
    const set = c.get('sts', 'web');
    for (const name of ['www-web-0', 'www-web-1']) {
      expect(c.get('pvc', name).metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    c.delete('sts', 'web');
    await c.runUntil((cl) => cl.list('pvc').length === 0, { timeout: '5m', what: 'claims garbage-collected with the set' });
  });

  it('the claims bind, and data written by web-0 is there for its replacement (needs the PV binder and CSI driver)', async (ctx) => {
    const c = await web(65);
    await c.runFor('30s');
    if (c.get('pvc', 'www-web-0').status?.phase !== 'Bound') ctx.skip();
    const pv = c.get('pv', c.get('pvc', 'www-web-0').spec.volumeName);
    const volume = c.storage.get(pv.spec.csi?.volumeHandle ?? pv.metadata.name);
    if (!volume) ctx.skip();
    volume!.store.files.set('/index.html', 'web-0\n' as any);
    c.delete('pod', 'web-0');
    await c.runUntil((cl) => runningAndReady(cl.find('pod', 'web-0')) && readyCount(cl) === 2, { timeout: '10m' });
    expect(c.get('pvc', 'www-web-0').spec.volumeName).toBe(pv.metadata.name);
    expect(c.storage.get(pv.spec.csi?.volumeHandle ?? pv.metadata.name)!.store.files.get('/index.html')).toBe('web-0\n');
  });
});
