import { it, expect } from 'vitest';
import { createCluster } from 'kubesim';
import { registerDefaultStorageClass } from '../actors/storage/admission.ts';

it('smoke', async () => {
  const c = await createCluster({ seed: 1, zones: ['zone-a', 'zone-b'] });
  registerDefaultStorageClass((c as any).server);
  c.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'csi.kubesim.io', volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' });
  c.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await c.runFor('10s');
  console.log(JSON.stringify(c.get('pvc', 'data'), null, 1));
  c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo hello > /data/x; sleep 3600'], volumeMounts: [{ name: 'www', mountPath: '/data' }] }], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'data' } }] } });
  await c.runFor('30s');
  for (const e of c.timeline()) console.log(e.time, e.type, e.reason, e.object, e.message);
  console.log(c.get('pod', 'w').status.phase);
  for (const v of c.storage.volumes.values()) console.log(v.handle, v.zone, [...v.attachedTo], [...v.store.files]);
});
