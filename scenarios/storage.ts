// Storage: a claim of the default StorageClass waits for its first consumer, is provisioned in
// the zone of the node the pod lands on, keeps its data when the pod is deleted and recreated on
// another node of that zone; a second pod on another node hits the ReadWriteOnce Multi-Attach
// error; reclaimPolicy Retain keeps a released volume and its data, Delete removes both.
// Run: npx tsx scenarios/storage.ts
import { createCluster, type Cluster, type KubeObject } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const ZONE = 'topology.kubernetes.io/zone';
const cluster = await createCluster({ seed: 1, nodes: 3, zones: ['zone-a', 'zone-b'] });

function claim(name: string, storageClassName?: string): KubeObject {
  const spec: Record<string, unknown> = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
  if (storageClassName) spec.storageClassName = storageClassName;
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec };
}

function pod(name: string, claimName: string, script: string, affinity?: unknown): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { demo: 'storage' } },
    spec: {
      terminationGracePeriodSeconds: 5, ...(affinity ? { affinity } : {}),
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', script], volumeMounts: [{ name: 'www', mountPath: '/data' }, { name: 'cache', mountPath: '/cache' }] }],
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName } }, { name: 'cache', emptyDir: {} }],
    },
  };
}

function storageTable(c: Cluster): string {
  const rows = [['CLAIM', 'STATUS', 'VOLUME', 'CLASS', 'ZONE', 'ATTACHED TO']];
  for (const pvc of c.list('pvc')) {
    const pv = pvc.spec.volumeName ? c.find('pv', pvc.spec.volumeName) : undefined;
    const disk = pv?.spec.csi ? c.storage.get(pv.spec.csi.volumeHandle) : undefined;
    rows.push([pvc.metadata.name!, pvc.status.phase, pvc.spec.volumeName ?? '', pvc.spec.storageClassName ?? '', disk?.zone ?? '', [...(disk?.attachedTo ?? [])].join(',')]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '    ' + r.map((x, i) => x.padEnd(widths[i] + 3)).join('').trimEnd()).join('\n');
}

/** Event timestamps have whole seconds: a section's events start at the second it began. */
const second = (ms: number) => Math.floor(ms / 1000) * 1000;
const running = (c: Cluster, name: string) => c.find('pod', name)?.status?.phase === 'Running';
const notDeleting = (e: KubeObject) => !['Starting', 'RegisteredNode'].includes(e.reason) && !e.reason.startsWith('Node');

// 1. A claim without a class gets the default class `standard` (WaitForFirstConsumer).
const t0 = cluster.now();
cluster.create(claim('www'));
await cluster.runFor('20s');
say(cluster, `claim www: class ${cluster.get('pvc', 'www').spec.storageClassName}, ${cluster.get('pvc', 'www').status.phase} (no volume until a pod uses it)`);

// 2. A pod uses it: the scheduler picks a node, the volume is provisioned in that node's zone.
cluster.create(pod('writer', 'www', 'echo "written by writer" > /data/hello; echo tmp > /cache/tmp; sleep 3600'));
await cluster.runUntil((c) => running(c, 'writer'), { timeout: '5m' });
const first = cluster.get('pod', 'writer').spec.nodeName as string;
const zone = cluster.get('node', first).metadata.labels?.[ZONE] ?? '';
say(cluster, `writer runs on ${first} (${zone}); the claim is bound:`);
console.log(storageTable(cluster));
console.log(eventsSince(cluster, t0, notDeleting));

// 3. Delete the pod, recreate it on another node of the same zone: the data is there, the emptyDir is new.
const t1 = second(cluster.now());
cluster.delete('pod', 'writer');
await cluster.runUntil((c) => !c.find('pod', 'writer') && c.list('volumeattachments').length === 0, { timeout: '5m' });
say(cluster, 'writer deleted; the volume is detached from its node');
const sameZoneOtherNode = {
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
    { key: ZONE, operator: 'In', values: [zone] }, { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [first] },
  ] }] } },
};
cluster.create(pod('reader', 'www', 'cat /data/hello > /data/read-back; ls /cache > /data/cache-listing; sleep 3600', sameZoneOtherNode));
await cluster.runUntil((c) => running(c, 'reader'), { timeout: '5m' });
const files = cluster.storage.get(cluster.get('pv', cluster.get('pvc', 'www').spec.volumeName).spec.csi.volumeHandle)!.store.files;
say(cluster, `reader runs on ${cluster.get('pod', 'reader').spec.nodeName}: /data/hello reads "${files.get('read-back')?.trim()}", /cache is empty ("${files.get('cache-listing')?.trim() ?? ''}")`);
console.log(eventsSince(cluster, t1, notDeleting));

// 4. A second pod on another node wants the same ReadWriteOnce volume.
const t2 = second(cluster.now());
const elsewhere = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
  { key: 'kubernetes.io/hostname', operator: 'In', values: [first] },
] }] } } };
cluster.create(pod('second', 'www', 'sleep 3600', elsewhere));
await cluster.runFor('2m10s');
say(cluster, 'second is stuck in ContainerCreating: the volume is attached to the reader\'s node');
console.log(podTable(cluster, 'demo=storage'));
console.log(eventsSince(cluster, t2, (e) => e.involvedObject.name === 'second'));
cluster.delete('pod', 'reader');
await cluster.runUntil((c) => running(c, 'second'), { timeout: '10m' });
say(cluster, 'reader deleted: the volume detaches, attaches to the second pod\'s node, and second starts');
console.log(storageTable(cluster));

// 5. Retain vs Delete.
cluster.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'csi.kubesim.io', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
cluster.create(claim('kept', 'keep'));
cluster.create(claim('scratch'));
cluster.create(pod('keeper', 'kept', 'echo precious > /data/file; sleep 3600'));
cluster.create(pod('scratcher', 'scratch', 'echo disposable > /data/file; sleep 3600'));
await cluster.runUntil((c) => running(c, 'keeper') && running(c, 'scratcher'), { timeout: '5m' });
const keptPV = cluster.get('pvc', 'kept').spec.volumeName;
const scratchPV = cluster.get('pvc', 'scratch').spec.volumeName;
const t3 = cluster.now();
for (const p of ['keeper', 'scratcher', 'second']) cluster.delete('pod', p);
for (const c of ['kept', 'scratch', 'www']) cluster.delete('pvc', c);
await cluster.runUntil((c) => c.list('pvc').length === 0 && !c.find('pv', scratchPV), { timeout: '10m' });
const kept = cluster.get('pv', keptPV);
say(cluster, `claims deleted: ${keptPV} (Retain) is ${kept.status.phase}, its disk still holds "${cluster.storage.get(keptPV)?.store.files.get('file')?.trim()}"; ${scratchPV} (Delete) and its disk are gone (${cluster.storage.get(scratchPV) ? 'disk still there' : 'no disk'})`);
const pvRows = [['VOLUME', 'RECLAIM POLICY', 'STATUS', 'CLAIM'], ...cluster.list('pv').map((pv) => [pv.metadata.name!, pv.spec.persistentVolumeReclaimPolicy, pv.status.phase, `${pv.spec.claimRef?.namespace}/${pv.spec.claimRef?.name}`])];
const pvWidths = pvRows[0].map((_, i) => Math.max(...pvRows.map((r) => r[i].length)));
console.log(pvRows.map((r) => '    ' + r.map((x, i) => x.padEnd(pvWidths[i] + 3)).join('').trimEnd()).join('\n'));
say(cluster, `took ${Math.round((cluster.now() - t3) / 1000)} s`);
