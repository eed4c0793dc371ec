// Pods the scheduler cannot place, and the FailedScheduling messages that say why:
// insufficient cpu, an untolerated taint, a node affinity nobody matches, a cordoned cluster.
// Run: npx tsx scenarios/unschedulable.ts
import { createCluster } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 3, nodeCpu: '2' });
cluster.patch('node', 'node-1', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }, { type: 'merge' });
await cluster.apply(`
apiVersion: v1
kind: Pod
metadata: { name: too-big }
spec:
  containers: [{ name: app, image: nginx:1.25, resources: { requests: { cpu: '3' } } }]
---
apiVersion: v1
kind: Pod
metadata: { name: wants-ssd }
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions: [{ key: disktype, operator: In, values: [ssd] }]
  containers: [{ name: app, image: nginx:1.25 }]
`);
await cluster.runFor('10s');
say(cluster, 'two pods stay Pending:');
console.log(podTable(cluster));
console.log(eventsSince(cluster, 0, (e) => e.reason === 'FailedScheduling'));

say(cluster, 'label node-2 disktype=ssd: wants-ssd is scheduled there');
cluster.patch('node', 'node-2', { metadata: { labels: { disktype: 'ssd' } } }, { type: 'merge' });
await cluster.runFor('30s');
console.log(podTable(cluster));

say(cluster, 'cordon node-2 and node-3, then create one more pod');
for (const n of ['node-2', 'node-3']) cluster.patch('node', n, { spec: { unschedulable: true } }, { type: 'merge' });
const t = cluster.now();
await cluster.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'late' }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } });
await cluster.runFor('10s');
console.log(eventsSince(cluster, t, (e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'late'));
