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

/**
 * The tutorial's manifest. Until claims bind (the PV binder, default StorageClass and CSI driver),
 * pods that mount them do not start; the claim-handling tests use Parallel, which does not wait
 * for Running and Ready, so they hold with or without working storage.
 */
async function web(seed: number, spec: Record<string, unknown> = {}): Promise<Cluster> {
  const c = await createCluster({ seed });
  const [svc, sts] = (await import('kubesim')).loadManifests([MANIFEST]).map((d) => d.object);
  await c.apply([svc, { ...sts, spec: { ...sts.spec, podManagementPolicy: 'Parallel', ...spec } }]);
  await c.runUntil((cl) => cl.list('pods').length === 2, { timeout: '5m', what: 'web-0 and web-1 created' });
  await c.runFor('10s');
  return c;
}

const bound = (c: Cluster, name: string) => c.find('pvc', name)?.status?.phase === 'Bound';

describe('StatefulSet storage', () => {
  it('the tutorial\'s web StatefulSet creates claim www-web-N before pod web-N, and each pod mounts its own claim', async () => {
    const c = await createCluster({ seed: 61 });
    await c.apply(MANIFEST);
    await c.runFor('1m');
    if (bound(c, 'www-web-0')) await c.runUntil((cl) => readyCount(cl) === 2, { timeout: '10m', what: 'web-0 and web-1 Running and Ready' });
    else {
      // Storage not there yet: web-0 never becomes Ready, so OrderedReady never creates web-1.
      expect(c.list('pods').map((p) => p.metadata.name)).toEqual(['web-0']);
      // podManagementPolicy is immutable: re-create the set as Parallel; it adopts the orphaned web-0.
      c.delete('sts', 'web', { propagationPolicy: 'Orphan' });
      await c.runUntil((cl) => cl.find('sts', 'web') === undefined, { timeout: '1m' });
      const [, sts] = (await import('kubesim')).loadManifests([MANIFEST]).map((d) => d.object);
      await c.apply({ ...sts, spec: { ...sts.spec, podManagementPolicy: 'Parallel' } });
      await c.runUntil((cl) => cl.list('pods').length === 2, { timeout: '5m' });
    }
    expect(claimNames(c)).toEqual(['www-web-0', 'www-web-1']);
    const claim = c.get('pvc', 'www-web-0');
    expect(claim.metadata.labels).toEqual({ app: 'nginx' });
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(claim.spec.resources.requests.storage).toBe('1Gi');
    expect(claim.metadata.ownerReferences ?? []).toEqual([]);
    expect(c.get('pod', 'web-1').spec.volumes.find((v: any) => v.name === 'www')).toEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } });
    const messages = c.timeline().filter((e) => e.object === 'statefulset/web').map((e) => e.message);
    expect(messages.slice(0, 2)).toEqual(['create Claim www-web-0 Pod web-0 in StatefulSet web success', 'create Pod web-0 in StatefulSet web successful']);
    expect(messages).toContain('create Claim www-web-1 Pod web-1 in StatefulSet web success');
    expect(messages.indexOf('create Claim www-web-1 Pod web-1 in StatefulSet web success')).toBeLessThan(messages.indexOf('create Pod web-1 in StatefulSet web successful'));
  });

  it('a deleted pod is recreated with the same claim; scaling down keeps the claims (Retain) and scaling up reuses them', async () => {
    const c = await web(62);
    const uid = c.get('pvc', 'www-web-0').metadata.uid;
    c.delete('pod', 'web-0');
    await c.runUntil((cl) => cl.find('pod', 'web-0') !== undefined && !cl.get('pod', 'web-0').metadata.deletionTimestamp, { timeout: '5m' });
    expect(c.get('pvc', 'www-web-0').metadata.uid).toBe(uid);
    expect(c.get('pod', 'web-0').spec.volumes[0].persistentVolumeClaim.claimName).toBe('www-web-0');
    c.patch('sts', 'web', { spec: { replicas: 1 } }, { type: 'merge' });
    await c.runUntil((cl) => cl.list('pods').length === 1, { timeout: '5m' });
    expect(claimNames(c)).toEqual(['www-web-0', 'www-web-1']);
    const uid1 = c.get('pvc', 'www-web-1').metadata.uid;
    c.patch('sts', 'web', { spec: { replicas: 2 } }, { type: 'merge' });
    await c.runUntil((cl) => cl.list('pods').length === 2, { timeout: '5m' });
    expect(c.get('pvc', 'www-web-1').metadata.uid).toBe(uid1);
    expect(c.events().filter((e) => e.message.startsWith('create Claim')).length).toBe(2);
  });

  it('whenScaled: Delete makes a condemned pod the owner of its claim, so the claim goes with it', async () => {
    const c = await web(63, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
    c.patch('sts', 'web', { spec: { replicas: 1 } }, { type: 'merge' });
    await c.runUntil((cl) => cl.list('pods').length === 1 && !cl.find('pvc', 'www-web-1'), { timeout: '5m', what: 'www-web-1 garbage-collected' });
    expect(claimNames(c)).toEqual(['www-web-0']);
    expect(c.get('pvc', 'www-web-0').metadata.ownerReferences ?? []).toEqual([]);
  });

  it('whenDeleted: Delete makes the StatefulSet the controller of every claim', async () => {
    const c = await web(64, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
    await c.runFor('30s');
    const set = c.get('sts', 'web');
    for (const name of ['www-web-0', 'www-web-1']) {
      expect(c.get('pvc', name).metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    c.delete('sts', 'web');
    await c.runUntil((cl) => cl.list('pvc').length === 0, { timeout: '5m', what: 'claims garbage-collected with the set' });
  });

  it('the claims bind, and data written by web-0 is there for its replacement', async () => {
    const c = await web(65);
    await c.runFor('1m');
    expect(bound(c, 'www-web-0')).toBe(true);
    const pv = c.get('pv', c.get('pvc', 'www-web-0').spec.volumeName);
    const volume = c.storage.get(pv.spec.csi?.volumeHandle ?? pv.metadata.name);
    expect(volume).toBeDefined();
    volume!.store.files.set('/index.html', 'web-0\n' as any);
    c.delete('pod', 'web-0');
    await c.runUntil((cl) => runningAndReady(cl.find('pod', 'web-0')) && readyCount(cl) === 2, { timeout: '10m' });
    expect(c.get('pvc', 'www-web-0').spec.volumeName).toBe(pv.metadata.name);
    expect(c.storage.get(pv.spec.csi?.volumeHandle ?? pv.metadata.name)!.store.files.get('/index.html')).toBe('web-0\n');
  });
});
