// Volumes end to end on real nodes in two zones: WaitForFirstConsumer provisioning in the pod's
// zone, attach (VolumeAttachment) and mount, data that outlives pods, the ReadWriteOnce
// multi-attach error, and the scheduler's volume filters.
// D:concepts/storage/{persistent-volumes,storage-classes,dynamic-provisioning}.md, k8s-facts §10,
// §16 (FailedAttachVolume), K:pkg/controller/volume/attachdetach/reconciler/reconciler.go,
// K:pkg/scheduler/framework/plugins/volumebinding. Needs the scheduler's VolumeBinding wiring.
import { describe, expect, it } from 'vitest';
import type { Cluster } from 'kubesim';
import { claim, events, podWithClaim, running, storageClass, storageCluster } from './storage-helpers.ts';

const WRITE = 'echo hello > /data/x; echo scratch > /scratch/y; sleep 3600';
const onNode = (node: string) => ({ nodeSelector: { 'kubernetes.io/hostname': node } });

function zoneOf(c: Cluster, node: string): string {
  return c.get('node', node).metadata.labels?.['topology.kubernetes.io/zone'] ?? '';
}

async function runningPod(c: Cluster, name: string, claimName: string, script: string, spec: Record<string, unknown> = {}) {
  c.create(podWithClaim(name, claimName, script, spec));
  await c.runUntil(() => running(c, name), { timeout: '2m', what: `pod ${name} Running` });
  return c.get('pod', name);
}

describe('volumes on nodes', () => {
  it('WaitForFirstConsumer provisions the volume in the zone of the node the scheduler picked', async () => {
    const c = await storageCluster();
    c.create(claim('www', '1Gi'));
    const pod = await runningPod(c, 'web', 'www', WRITE, onNode('node-2'));
    const pvc = c.get('pvc', 'www');
    expect(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-2');
    expect(pvc.status.phase).toBe('Bound');
    const pv = c.get('pv', pvc.spec.volumeName);
    expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values).toEqual([zoneOf(c, pod.spec.nodeName)]);
    const disk = c.storage.get(pv.spec.csi.volumeHandle)!;
    expect(disk.zone).toBe('zone-b');
    expect([...disk.attachedTo]).toEqual(['node-2']);
    expect(disk.store.files.get('x')).toBe('hello\n');
    const vas = c.list('volumeattachments');
    expect(vas).toHaveLength(1);
    expect(vas[0].metadata.name).toMatch(/^csi-[0-9a-f]{64}$/);
    expect(vas[0]).toMatchObject({ spec: { attacher: 'csi.kubesim.io', nodeName: 'node-2', source: { persistentVolumeName: pv.metadata.name } }, status: { attached: true } });
    expect(events(c, 'pod/web')).toContainEqual({ type: 'Normal', reason: 'SuccessfulAttachVolume', message: `AttachVolume.Attach succeeded for volume "${pv.metadata.name}" ` });
  });

  it('keeps the data of a PersistentVolume when the pod is deleted and recreated on another node of the zone; emptyDir data does not survive', async () => {
    const c = await storageCluster();
    c.create(claim('www', '1Gi'));
    await runningPod(c, 'writer', 'www', WRITE, onNode('node-1'));
    const pvName = c.get('pvc', 'www').spec.volumeName;
    c.delete('pod', 'writer');
    await c.runUntil(() => !c.find('pod', 'writer') && c.list('volumeattachments').length === 0, { timeout: '2m', what: 'pod gone and volume detached' });
    // node-3 is in zone-a too (nodes go round-robin over the zones).
    const reader = await runningPod(c, 'reader', 'www', 'cat /data/x > /data/copy; cat /scratch/y > /data/scratch-copy; sleep 3600', onNode('node-3'));
    expect(reader.spec.nodeName).toBe('node-3');
    const files = c.storage.get(pvName)!.store.files;
    expect(files.get('copy')).toBe('hello\n');
    expect(files.get('scratch-copy') ?? '').toBe('');
  });

  it('refuses to attach a ReadWriteOnce volume to a second node: Multi-Attach error, then attaches once the first pod is gone', async () => {
    const c = await storageCluster();
    c.create(claim('shared', '1Gi'));
    await runningPod(c, 'first', 'shared', 'sleep 3600', onNode('node-1'));
    const pv = c.get('pvc', 'shared').spec.volumeName;
    c.create(podWithClaim('second', 'shared', 'sleep 3600', onNode('node-3')));
    await c.runFor('30s');
    expect(c.get('pod', 'second').spec.nodeName).toBe('node-3');
    expect(running(c, 'second')).toBe(false);
    expect(events(c, 'pod/second')).toContainEqual({ type: 'Warning', reason: 'FailedAttachVolume', message: `Multi-Attach error for volume "${pv}" Volume is already used by pod(s) first` });
    await c.runFor('2m');
    expect(events(c, 'pod/second')).toContainEqual({
      type: 'Warning', reason: 'FailedMount',
      message: 'Unable to attach or mount volumes: unmounted volumes=[www], unattached volumes=[www], failed to process volumes=[]: timed out waiting for the condition',
    });
    expect(events(c, 'pod/second').filter((e) => e.reason === 'FailedAttachVolume')).toHaveLength(1);
    c.delete('pod', 'first');
    await c.runUntil(() => running(c, 'second'), { timeout: '5m', what: 'second pod Running' });
    expect([...c.storage.get(pv)!.attachedTo]).toEqual(['node-3']);
  });

  it('does not schedule a pod onto a node outside its bound volume\'s zone', async () => {
    const c = await storageCluster();
    c.create(claim('www', '1Gi'));
    await runningPod(c, 'a', 'www', 'sleep 3600', onNode('node-1'));
    c.create(podWithClaim('b', 'www', 'sleep 3600', onNode('node-2')));
    await c.runFor('5s');
    expect(c.get('pod', 'b').spec.nodeName).toBeUndefined();
    expect(events(c, 'pod/b')).toContainEqual({
      type: 'Warning', reason: 'FailedScheduling',
      message: "0/3 nodes are available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
  });

  it('keeps a pod whose Immediate claim is unbound out of scheduling', async () => {
    const c = await storageCluster();
    c.create(storageClass('nowhere', { provisioner: 'example.com/absent' }));
    c.create(claim('data', '1Gi', { storageClassName: 'nowhere' }));
    c.create(podWithClaim('p', 'data', 'sleep 3600'));
    await c.runFor('5s');
    expect(events(c, 'pod/p')).toContainEqual({
      type: 'Warning', reason: 'FailedScheduling',
      message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
  });

  it('a claim in use by a pod is not removed until the pod is gone (pvc-protection)', async () => {
    const c = await storageCluster();
    c.create(claim('www', '1Gi'));
    await runningPod(c, 'web', 'www', 'sleep 3600');
    c.delete('pvc', 'www');
    await c.runFor('30s');
    expect(c.get('pvc', 'www').metadata.deletionTimestamp).toBeDefined();
    expect(running(c, 'web')).toBe(true);
    c.delete('pod', 'web');
    await c.runUntil(() => !c.find('pvc', 'www'), { timeout: '2m', what: 'claim removed' });
    await c.runUntil(() => c.list('pv').length === 0, { timeout: '2m', what: 'volume deleted (reclaimPolicy Delete)' });
  });

  it('reattaches a volume in the same zone after its node is removed, once the 6-minute unmount wait has passed', async () => {
    // The node never reported the volume unmounted: the attach/detach controller force-detaches
    // after maxWaitForUnmountDuration (k8s-facts §10.3).
    const c = await storageCluster();
    c.create(claim('www', '1Gi'));
    await runningPod(c, 'db', 'www', WRITE, onNode('node-1'));
    const pvName = c.get('pvc', 'www').spec.volumeName;
    c.removeNode('node-1');
    await c.runUntil(() => !c.find('pod', 'db'), { timeout: '5m', what: 'pod of the removed node garbage-collected' });
    const t0 = c.now();
    c.create(podWithClaim('db2', 'www', 'cat /data/x > /data/again; sleep 3600'));
    await c.runUntil(() => running(c, 'db2'), { timeout: '10m', what: 'db2 Running' });
    expect(c.now() - t0).toBeGreaterThan(5 * 60_000);
    expect(c.get('pod', 'db2').spec.nodeName).toBe('node-3');
    expect(c.storage.get(pvName)!.store.files.get('again')).toBe('hello\n');
  });
});

describe("the scheduler's BindPodVolumes", () => {
  // volumebinding/binder.go BindPodVolumes: wait.PollUntilContextTimeout(ctx, time.Second,
  // bindTimeout, false, checkBindings), then "binding volumes: %w".
  it('binds the pod at the first one-second poll after its claim is bound, not at once', async () => {
    const c = await storageCluster();
    const at: Record<string, number> = {};
    c.watch('persistentvolumeclaims', (ev, cl) => {
      if (ev.object.metadata.annotations?.['volume.kubernetes.io/selected-node']) at.selected ??= cl.now();
      if (ev.object.status?.phase === 'Bound') at.claimBound ??= cl.now();
    });
    c.watch('pods', (ev, cl) => { if (ev.object.spec.nodeName) at.podBound ??= cl.now(); });
    c.create(claim('www', '1Gi'));
    c.create(podWithClaim('web', 'www', 'sleep 3600'));
    await c.runUntil(() => running(c, 'web'), { timeout: '2m', what: 'pod web Running' });
    expect(at.claimBound).toBeGreaterThan(at.selected);
    expect(at.podBound).toBeGreaterThanOrEqual(at.claimBound);
    expect((at.podBound - at.selected) % 1000).toBe(0);
    expect(at.podBound - at.claimBound).toBeLessThanOrEqual(1000);
    expect(at.podBound - at.selected).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after bindTimeoutSeconds (600 s) when nobody provisions the claim: FailedScheduling, then a retry', async () => {
    const c = await storageCluster();
    c.create(storageClass('nobody', { provisioner: 'example.com/absent', volumeBindingMode: 'WaitForFirstConsumer' }));
    c.create(claim('www', '1Gi', { storageClassName: 'nobody' }));
    c.create(podWithClaim('web', 'www', 'sleep 3600'));
    await c.runFor('9m59s');
    expect(c.list('events').filter((e) => e.reason === 'FailedScheduling')).toEqual([]);
    expect(c.get('pvc', 'www').metadata.annotations?.['volume.kubernetes.io/selected-node']).toBeDefined();
    await c.runFor('2s');
    const failed = c.list('events').filter((e) => e.reason === 'FailedScheduling');
    expect(failed.map((e) => e.message)).toEqual(['running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded']);
    expect(c.get('pod', 'web').spec.nodeName).toBeUndefined();
  });
});
