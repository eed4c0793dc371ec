// Draining a node under a PodDisruptionBudget: a Deployment of 3 with `minAvailable: 2`, two of
// its pods on the node being drained. kubectl drain evicts the first at once; the second eviction
// gets 429 TooManyRequests and is retried every 5 s until the first one's replacement is Ready
// on another node. Run: npx tsx scenarios/drain.ts
// (D:tasks/run-application/configure-pdb, D:concepts/scheduling-eviction/api-eviction,
// D:reference/kubectl/generated/kubectl_drain; k8s-facts §6.4–6.6)
import { createCluster, type KubeObject } from 'kubesim';
import { podTable, readyPods, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 2 });
await cluster.apply([
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
    },
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
]);
await cluster.runUntil((c) => readyPods(c, 'app=web').length === 3 && c.get('pdb', 'web-pdb').status?.disruptionsAllowed === 1, { timeout: '5m' });
say(cluster, 'Deployment web has 3 ready pods; PDB web-pdb allows 1 disruption:');
console.log(podTable(cluster, 'app=web'));
console.log(pdbLine(cluster.get('pdb', 'web-pdb')));

// The node with two of the pods is the one to drain.
const byNode = new Map<string, number>();
for (const p of readyPods(cluster, 'app=web')) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
const node = [...byNode].sort((a, b) => b[1] - a[1])[0][0];

// What happens to the pods and the budget while kubectl drain runs.
const seen = new Map<string, string>();
let quiet = true; // the watch's initial ADDED events only record the current states
cluster.watch('pods', (ev, c) => {
  const p = ev.object;
  const ready = (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
  const state = ev.type === 'DELETED' ? 'deleted' : p.metadata.deletionTimestamp ? 'terminating' : ready ? `Ready on ${p.spec.nodeName}` : undefined;
  if (!state || seen.get(p.metadata.name!) === state) return;
  seen.set(p.metadata.name!, state);
  if (!quiet) say(c, `pod ${p.metadata.name} ${state}`);
}, { labelSelector: 'app=web' });
cluster.watch('pdb', (ev, c) => {
  if (!quiet) say(c, pdbLine(ev.object));
});
quiet = false;
const t0 = cluster.now();

say(cluster, `kubectl drain ${node}`);
const output = await cluster.drain(node);
say(cluster, `kubectl drain finished after ${Math.round((cluster.now() - t0) / 1000)} s; it printed:`);
console.log(output.split('\n').map((l) => '    ' + l).join('\n'));
await cluster.runFor('30s');
say(cluster, 'all three pods run on the other node(s) now:');
console.log(podTable(cluster, 'app=web'));

function pdbLine(pdb: KubeObject): string {
  const st = pdb.status ?? {};
  const disrupted = Object.keys(st.disruptedPods ?? {});
  return `    pdb/${pdb.metadata.name}: currentHealthy=${st.currentHealthy} desiredHealthy=${st.desiredHealthy} expectedPods=${st.expectedPods} `
    + `disruptionsAllowed=${st.disruptionsAllowed}${disrupted.length ? ` disruptedPods=${disrupted.join(',')}` : ''}`;
}
