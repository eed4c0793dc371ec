// A database StatefulSet loses a node: the node running db-1 is powered off. What happens, and when?
// The node turns Unknown after the 50 s grace period, its pods are evicted after their 300 s
// tolerations, and db-1 then stays Terminating: nobody can confirm that it stopped, and a
// StatefulSet never runs two pods with one identity (at most one db-1), so there is no
// replacement until the node comes back (or its Node object is deleted). When the node returns,
// its kubelet finishes the deletion and db-1 is recreated, with the same claim and the same data. D:tasks/run-application/force-delete-stateful-set-pod; k8s-facts §3, §6.
// Run: npx tsx scenarios/database-failover.ts
import { createCluster, type Cluster, type KubeObject } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 2, nodes: 3 });
const ready = (p: KubeObject | undefined) => !!p && !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
  && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const readyDb = (c: Cluster) => c.list('pods', { labelSelector: 'app=db' }).filter(ready).length;

await cluster.apply([
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432, name: 'pg' }] } },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
    spec: {
      serviceName: 'db', replicas: 3, selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          containers: [{
            name: 'postgres', image: 'postgres:16', env: [{ name: 'POSTGRES_PASSWORD', value: 'secret' }],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
          }],
          // Each replica records who it is in its volume when it starts (a stand-in for the database's files).
          initContainers: [{
            name: 'init', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }],
            command: ['sh', '-c', 'echo "written by $HOSTNAME" >> /data/history'],
          }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  },
]);
await cluster.runUntil((c) => readyDb(c) === 3, { timeout: '10m' });
say(cluster, 'StatefulSet db has 3 Running and Ready pods:');
console.log(podTable(cluster, 'app=db'));

const node = cluster.get('pod', 'db-1').spec.nodeName as string;
const t0 = cluster.now();
cluster.powerOff(node);
say(cluster, `node ${node}, which runs db-1, is powered off`);
await cluster.runUntil((c) => c.get('node', node).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'Unknown'), { timeout: '5m' });
say(cluster, `node ${node} is Ready=Unknown; db-1 still counts as a pod of the set`);
await cluster.runUntil((c) => !!c.get('pod', 'db-1').metadata.deletionTimestamp, { timeout: '10m' });
say(cluster, `db-1 evicted ${Math.round((cluster.now() - t0) / 1000)} s after the power-off: it is Terminating, and nobody can confirm it stopped`);
await cluster.runFor('10m');
const sts = cluster.get('sts', 'db');
say(cluster, `10 minutes later: still no replacement for db-1 (readyReplicas ${sts.status.readyReplicas}, replicas ${sts.status.replicas}):`);
console.log(podTable(cluster, 'app=db'));
const view = (cluster.snapshot() as any).actors['statefulset-controller'].state.statefulSets['default/db'];
say(cluster, `the StatefulSet's machine: ${view.state} ${JSON.stringify({ waitingFor: view.context.waitingFor, reason: view.context.reason })}`);

cluster.powerOn(node);
say(cluster, `node ${node} is powered on again`);
await cluster.runUntil((c) => readyDb(c) === 3, { timeout: '10m' });
say(cluster, `db-1 is back ${Math.round((cluster.now() - t0) / 1000)} s after the power-off, on ${cluster.get('pod', 'db-1').spec.nodeName}:`);
console.log(podTable(cluster, 'app=db'));
const claims = cluster.list('pvc');
say(cluster, `claims: ${claims.map((p) => `${p.metadata.name} ${p.status?.phase} (${p.spec.volumeName})`).join(', ')}`);
const pv = cluster.get('pv', cluster.get('pvc', 'data-db-1').spec.volumeName);
const disk = cluster.storage.get(pv.spec.csi?.volumeHandle ?? pv.metadata.name);
say(cluster, `the volume of data-db-1 holds its history: ${JSON.stringify(disk?.store.files.get('history'))}`);
console.log('\n  What the control plane did:');
console.log(eventsSince(cluster, t0, (e) => e.source?.component !== 'kubelet' || e.involvedObject.name?.startsWith('db-1')));
