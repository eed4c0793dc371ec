// DaemonSet: the docs' fluentd-elasticsearch log collector on a 3-node cluster. One pod per
// node; a node joins and gets one; a node leaves and its pod goes; a rolling update
// (maxUnavailable 1) replaces the pods node by node. Run: npx tsx scenarios/daemonset.ts
// (docs: concepts/workloads/controllers/daemonset, tasks/manage-daemon/update-daemon-set)
import { createCluster, printTable, type KubeObject } from 'kubesim';
import { eventsSince, podTable, readyPods, say } from './lib/show.ts';

const NS = 'kube-system';
const SELECTOR = 'name=fluentd-elasticsearch';
const cluster = await createCluster({ seed: 1, nodes: 3 });

const dsTable = () => printTable([cluster.get('daemonset', 'fluentd-elasticsearch', NS)], { nowMs: cluster.now(), epochMs: cluster.epoch })
  .trimEnd().split('\n').map((l) => '    ' + l).join('\n');
const hashOf = (p: KubeObject) => p.metadata.labels?.['controller-revision-hash'] ?? '';

await cluster.apply('manifests/fluentd-elasticsearch-daemonset.yaml');
say(cluster, 'kubectl apply -f manifests/fluentd-elasticsearch-daemonset.yaml');
await cluster.runUntil((c) => readyPods(c, SELECTOR).length === 3, { timeout: '5m' });
say(cluster, 'one fluentd pod per node, each pinned by node affinity (matchFields metadata.name In [node]):');
console.log(podTable(cluster, SELECTOR));
console.log(dsTable());

// 1. A node joins: the DaemonSet controller creates a pod for it once it is Ready (the new
//    node's not-ready:NoSchedule taint keeps daemon pods off until then).
const t1 = cluster.now();
const joined = cluster.addNode({ name: 'node-4' });
say(cluster, `node ${joined} joins the cluster`);
await cluster.runUntil((c) => readyPods(c, SELECTOR).some((p) => p.spec.nodeName === joined), { timeout: '5m' });
say(cluster, `${joined} runs its fluentd pod, ${Math.round((cluster.now() - t1) / 1000)} s after joining:`);
console.log(podTable(cluster, SELECTOR));

// 2. A node leaves: its Node object is deleted; the pod garbage collector removes the pod
//    bound to a node that no longer exists, and the DaemonSet's desired count drops to 3.
const t2 = cluster.now();
cluster.removeNode('node-2');
say(cluster, 'node node-2 is removed (powered off, Node deleted)');
await cluster.runUntil((c) => c.list('pods', { namespace: NS, labelSelector: SELECTOR }).every((p) => p.spec.nodeName !== 'node-2')
  && c.get('daemonset', 'fluentd-elasticsearch', NS).status?.desiredNumberScheduled === 3, { timeout: '5m' });
say(cluster, `node-2's pod is gone, ${Math.round((cluster.now() - t2) / 1000)} s later:`);
console.log(podTable(cluster, SELECTOR));
console.log(dsTable());

// 3. A rolling update (kubectl set image): at most one node at a time is without an available
//    fluentd pod. Every pod change is printed as it happens.
const t3 = cluster.now();
const before = new Set(readyPods(cluster, SELECTOR).map((p) => p.metadata.name));
const oldHash = hashOf(readyPods(cluster, SELECTOR)[0]);
const seen = new Map<string, string>(readyPods(cluster, SELECTOR).map((p) => [p.metadata.name!, 'ready']));
const stop = cluster.watch('pods', (ev) => {
  const p = ev.object;
  const state = ev.type === 'DELETED' ? 'deleted' : p.metadata.deletionTimestamp ? 'terminating'
    : (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') ? 'ready' : p.spec.nodeName ? 'starting' : 'pending';
  if (seen.get(p.metadata.name!) === state) return;
  seen.set(p.metadata.name!, state);
  const rev = hashOf(p) === oldHash ? 'old' : 'new';
  say(cluster, `  ${p.metadata.name} (${rev} template) on ${p.spec.nodeName ?? p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0]}: ${state}`);
}, { namespace: NS, labelSelector: SELECTOR });
cluster.patch('daemonset', 'fluentd-elasticsearch', { spec: { template: { spec: { containers: [{ name: 'fluentd-elasticsearch', image: 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0' }] } } } }, { namespace: NS });
say(cluster, 'kubectl set image ds/fluentd-elasticsearch fluentd-elasticsearch=quay.io/fluentd_elasticsearch/fluentd:v2.6.0 -n kube-system');
await cluster.runUntil((c) => {
  const st = c.get('daemonset', 'fluentd-elasticsearch', NS).status ?? {};
  return st.updatedNumberScheduled === 3 && st.numberAvailable === 3 && readyPods(c, SELECTOR).every((p) => !before.has(p.metadata.name));
}, { timeout: '10m' });
stop();
say(cluster, `daemon set "fluentd-elasticsearch" successfully rolled out (${Math.round((cluster.now() - t3) / 1000)} s):`);
console.log(podTable(cluster, SELECTOR));
console.log(dsTable());
console.log('\n  ControllerRevisions (kubectl get controllerrevisions -n kube-system):');
for (const r of cluster.list('controllerrevisions', { namespace: NS })) console.log(`    ${r.metadata.name}   revision ${r.revision}`);
console.log('\n  What the DaemonSet controller did:');
console.log(eventsSince(cluster, 0, (e) => e.source?.component === 'daemonset-controller'));
