// PersistentVolume binding, reclaiming and protection as the PV controller does them.
// D:concepts/storage/persistent-volumes (Binding, Reclaiming, Storage Object in Use Protection),
// K:pkg/controller/volume/persistentvolume/{pv_controller.go,index.go}, k8s-facts §10.1–10.2, §13.1.
import { describe, expect, it } from 'vitest';
import { claim, events, hostPathVolume, phase, storageClass, storageCluster } from './storage-helpers.ts';

describe('PersistentVolume binding', () => {
  it('binds a claim to the smallest Available volume that is large enough', async () => {
    // index.go findBestMatchForClaim → FindMatchingVolume: the smallest fitting volume wins.
    const c = await storageCluster({ nodes: 0 });
    for (const [name, size] of [['pv-1g', '1Gi'], ['pv-10g', '10Gi'], ['pv-5g', '5Gi']]) c.create(hostPathVolume(name, size));
    await c.runFor('1s');
    expect(['pv-1g', 'pv-5g', 'pv-10g'].map((n) => phase(c, 'pv', n))).toEqual(['Available', 'Available', 'Available']);
    c.create(claim('data', '3Gi', { storageClassName: 'manual' }));
    await c.runFor('1s');
    const pvc = c.get('pvc', 'data');
    expect(pvc.spec.volumeName).toBe('pv-5g');
    expect(pvc.status).toMatchObject({ phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'] });
    expect(pvc.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' });
    const pv = c.get('pv', 'pv-5g');
    expect(pv.status.phase).toBe('Bound');
    expect(pv.spec.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: pvc.metadata.uid });
    expect(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect(phase(c, 'pv', 'pv-1g')).toBe('Available');
  });

  it('binds only a volume offering every requested access mode, preferring the one with the fewest modes', async () => {
    // index.go allPossibleMatchingAccessModes: mode sets are tried from the fewest modes up.
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('rwx', '1Gi', { accessModes: ['ReadWriteMany'] }));
    c.create(hostPathVolume('rwo-rox', '1Gi', { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] }));
    c.create(hostPathVolume('rwo', '2Gi', { accessModes: ['ReadWriteOnce'] }));
    await c.runFor('1s');
    c.create(claim('one', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('1s');
    expect(c.get('pvc', 'one').spec.volumeName).toBe('rwo');
    c.create(claim('two', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('1s');
    expect(c.get('pvc', 'two').spec.volumeName).toBe('rwo-rox');
    c.create(claim('three', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('1s');
    expect(phase(c, 'pvc', 'three')).toBe('Pending');
    expect(phase(c, 'pv', 'rwx')).toBe('Available');
  });

  it('binds a claim with a selector only to a volume whose labels match', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('slow', '1Gi', {}, { tier: 'slow' }));
    c.create(hostPathVolume('fast', '8Gi', {}, { tier: 'fast' }));
    await c.runFor('1s');
    c.create(claim('db', '1Gi', { storageClassName: 'manual', selector: { matchLabels: { tier: 'fast' } } }));
    await c.runFor('1s');
    expect(c.get('pvc', 'db').spec.volumeName).toBe('fast');
  });

  it('leaves a claim without a class Pending with FailedBinding when no volume fits', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(claim('orphan', '1Gi', { storageClassName: '' }));
    await c.runFor('1s');
    expect(phase(c, 'pvc', 'orphan')).toBe('Pending');
    expect(events(c, 'persistentvolumeclaim/orphan')).toContainEqual({ type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' });
  });

  it('gives a claim without storageClassName the default class "standard", which waits for the first consumer', async () => {
    // DefaultStorageClass admission; WaitForFirstConsumer (D:concepts/storage/storage-classes).
    const c = await storageCluster();
    const sc = c.get('storageclass', 'standard');
    expect(sc).toMatchObject({ provisioner: 'csi.kubesim.io', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true });
    expect(sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true');
    c.create(claim('www', '1Gi'));
    await c.runFor('20s');
    const pvc = c.get('pvc', 'www');
    expect(pvc.spec.storageClassName).toBe('standard');
    expect(pvc.status.phase).toBe('Pending');
    expect(events(c, 'persistentvolumeclaim/www')).toContainEqual({ type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' });
    expect(c.list('pv')).toHaveLength(0);
  });

  it('provisions a claim of an Immediate class at once through the CSI driver', async () => {
    // D:concepts/storage/dynamic-provisioning; CSI CreateVolume (k8s-facts §10.3).
    const c = await storageCluster();
    c.create(storageClass('fast'));
    c.create(claim('data', '2Gi', { storageClassName: 'fast' }));
    await c.runFor('5s');
    const pvc = c.get('pvc', 'data');
    const name = `pvc-${pvc.metadata.uid}`;
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.volumeName).toBe(name);
    expect(pvc.metadata.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('csi.kubesim.io');
    const pv = c.get('pv', name);
    expect(pv.spec).toMatchObject({ csi: { driver: 'csi.kubesim.io', volumeHandle: name }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'fast', capacity: { storage: '2Gi' } });
    expect(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('csi.kubesim.io');
    const zone = pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0];
    expect(zone.key).toBe('topology.kubernetes.io/zone');
    expect(c.storage.get(name)?.zone).toBe(zone.values[0]);
    expect(events(c, 'persistentvolumeclaim/data').map((e) => e.reason)).toEqual(['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']);
    expect(events(c, 'persistentvolumeclaim/data')[2].message).toBe(`Successfully provisioned volume ${name}`);
  });
});

describe('reclaiming', () => {
  it('Retain: a deleted claim leaves its volume Released with its data, and no new claim binds it', async () => {
    const c = await storageCluster();
    c.create(storageClass('keep', { reclaimPolicy: 'Retain' }));
    c.create(claim('data', '1Gi', { storageClassName: 'keep' }));
    await c.runFor('5s');
    const name = c.get('pvc', 'data').spec.volumeName;
    c.storage.get(name)!.store.files.set('x', 'hello\n');
    c.delete('pvc', 'data');
    await c.runFor('5s');
    expect(c.find('pvc', 'data')).toBeUndefined();
    const pv = c.get('pv', name);
    expect(pv.status.phase).toBe('Released');
    expect(pv.spec.claimRef.name).toBe('data');
    expect(c.storage.get(name)!.store.files.get('x')).toBe('hello\n');
    c.create(hostPathVolume('unused', '1Gi', { storageClassName: 'keep' }));
    c.create(claim('again', '1Gi', { storageClassName: 'keep' }));
    await c.runFor('5s');
    expect(c.get('pvc', 'again').spec.volumeName).not.toBe(name);
    expect(phase(c, 'pv', name)).toBe('Released');
  });

  it('Delete: a deleted claim takes its provisioned volume and the disk with it', async () => {
    const c = await storageCluster();
    c.create(storageClass('scratch'));
    c.create(claim('tmp', '1Gi', { storageClassName: 'scratch' }));
    await c.runFor('5s');
    const name = c.get('pvc', 'tmp').spec.volumeName;
    expect(c.storage.get(name)).toBeDefined();
    c.delete('pvc', 'tmp');
    await c.runFor('5s');
    expect(c.find('pv', name)).toBeUndefined();
    expect(c.storage.get(name)).toBeUndefined();
  });

  it('a claim whose volume disappears is Lost (ClaimLost)', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('pv-a', '1Gi'));
    c.create(claim('data', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('2s');
    c.patch('pv', 'pv-a', { metadata: { finalizers: null } }, { type: 'merge' });
    c.delete('pv', 'pv-a');
    await c.runFor('2s');
    expect(phase(c, 'pvc', 'data')).toBe('Lost');
    expect(events(c, 'persistentvolumeclaim/data')).toContainEqual({ type: 'Warning', reason: 'ClaimLost', message: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!' });
  });

  it('a volume without a deleter plug-in and reclaimPolicy Delete turns Failed (VolumeFailedDelete)', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('pv-d', '1Gi', { persistentVolumeReclaimPolicy: 'Delete' }));
    c.create(claim('data', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('2s');
    c.delete('pvc', 'data');
    await c.runFor('2s');
    expect(phase(c, 'pv', 'pv-d')).toBe('Failed');
    expect(events(c, 'persistentvolume/pv-d')).toContainEqual({ type: 'Warning', reason: 'VolumeFailedDelete', message: 'error getting deleter volume plugin for volume "pv-d": no deletable volume plugin matched' });
  });
});

describe('storage object in use protection', () => {
  it('new claims and volumes carry the pvc-protection and pv-protection finalizers', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('pv-a', '1Gi'));
    c.create(claim('data', '1Gi', { storageClassName: 'manual' }));
    expect(c.get('pvc', 'data').metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(c.get('pv', 'pv-a').metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
  });

  it('a Bound volume that is deleted stays until its claim is gone', async () => {
    const c = await storageCluster({ nodes: 0 });
    c.create(hostPathVolume('pv-a', '1Gi'));
    c.create(claim('data', '1Gi', { storageClassName: 'manual' }));
    await c.runFor('2s');
    c.delete('pv', 'pv-a');
    await c.runFor('10s');
    const pv = c.get('pv', 'pv-a');
    expect(pv.metadata.deletionTimestamp).toBeDefined();
    expect(pv.status.phase).toBe('Bound');
    c.delete('pvc', 'data');
    await c.runFor('5s');
    expect(c.find('pv', 'pv-a')).toBeUndefined();
  });

  it('rejects growing a claim whose class does not allow volume expansion', async () => {
    const c = await storageCluster();
    c.create(storageClass('fixed'));
    c.create(claim('data', '1Gi', { storageClassName: 'fixed' }));
    await c.runFor('5s');
    expect(() => c.patch('pvc', 'data', { spec: { resources: { requests: { storage: '2Gi' } } } }, { type: 'merge' }))
      .toThrow('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  });

  it('expands a bound claim when its class allows it', async () => {
    const c = await storageCluster();
    c.create(storageClass('grow', { allowVolumeExpansion: true }));
    c.create(claim('data', '1Gi', { storageClassName: 'grow' }));
    await c.runFor('5s');
    c.patch('pvc', 'data', { spec: { resources: { requests: { storage: '3Gi' } } } }, { type: 'merge' });
    await c.runFor('5s');
    const pvc = c.get('pvc', 'data');
    expect(pvc.status.capacity.storage).toBe('3Gi');
    expect(c.get('pv', pvc.spec.volumeName).spec.capacity.storage).toBe('3Gi');
    expect(events(c, 'persistentvolumeclaim/data').map((e) => e.reason)).toEqual(expect.arrayContaining(['Resizing', 'VolumeResizeSuccessful']));
  });
});
