// The documentation's nginx Deployment (3 replicas) updated from nginx:1.14.2 to nginx:1.16.1:
// with the default 25% maxSurge and maxUnavailable (1 and 0 for 3 replicas) the new ReplicaSet
// grows one pod at a time and the old one shrinks only as new pods become available, so there
// are always 3 available pods and never more than 4 (k8s-facts §1.5).
// Run: npx tsx scenarios/rolling-update.ts
import { createCluster, type KubeObject } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1 });
const NAME = 'nginx-deployment';

function replicaSets(): string {
  const rows = [['NAME', 'DESIRED', 'CURRENT', 'READY', 'IMAGE']];
  for (const rs of cluster.list('replicasets', { labelSelector: 'app=nginx' })) {
    rows.push([rs.metadata.name!, String(rs.spec.replicas), String(rs.status?.replicas ?? 0), String(rs.status?.readyReplicas ?? 0), rs.spec.template.spec.containers[0].image]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '    ' + r.map((c, i) => c.padEnd(widths[i] + 3)).join('').trimEnd()).join('\n');
}

function deploymentLine(d: KubeObject): string {
  const s = d.status ?? {};
  return `deployment/${NAME}: READY ${s.readyReplicas ?? 0}/${d.spec.replicas} UP-TO-DATE ${s.updatedReplicas ?? 0} AVAILABLE ${s.availableReplicas ?? 0}`;
}

say(cluster, 'kubectl apply -f manifests/nginx-deployment.yaml');
await cluster.apply('manifests/nginx-deployment.yaml');
console.log(await cluster.rollout('status', `deployment/${NAME}`));
say(cluster, deploymentLine(cluster.get('deployment', NAME)));
console.log(replicaSets());
console.log(podTable(cluster, 'app=nginx'));

say(cluster, 'kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1');
cluster.patch('deployment', NAME, {
  metadata: { annotations: { 'kubernetes.io/change-cause': 'kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1' } },
  spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.1' }] } } },
});
// Print the ReplicaSets and pods each time the controller scales one of them (kubectl watches).
const scaled: string[] = [];
const before = new Set(cluster.events().map((e) => e.metadata.name));
cluster.watch('events', (ev) => {
  if (ev.type === 'ADDED' && ev.object.reason === 'ScalingReplicaSet' && !before.has(ev.object.metadata.name)) scaled.push(ev.object.message);
});
let complete = false;
cluster.watch('deployments', (ev) => {
  const s = ev.object.status ?? {};
  complete = s.observedGeneration >= (ev.object.metadata.generation ?? 0) && s.updatedReplicas === 3 && s.replicas === 3 && s.availableReplicas === 3;
}, { fieldSelector: `metadata.name=${NAME}` });
await cluster.runFor(0);
complete = false;
while (!complete) {
  await cluster.runUntil(() => scaled.length > 0 || complete, { timeout: '5m' });
  if (scaled.length === 0) break;
  for (const m of scaled.splice(0)) say(cluster, `deployment-controller: ${m}`);
  console.log(replicaSets());
  console.log(podTable(cluster, 'app=nginx'));
}
say(cluster, 'rollout complete');
await cluster.runFor('30s');
say(cluster, deploymentLine(cluster.get('deployment', NAME)));
console.log(replicaSets());
console.log(podTable(cluster, 'app=nginx'));
const progressing = cluster.get('deployment', NAME).status.conditions.find((c: any) => c.type === 'Progressing');
say(cluster, `Progressing=${progressing.status} ${progressing.reason}: ${progressing.message}`);
console.log('\n  kubectl rollout history deployment/nginx-deployment:');
console.log((await cluster.rollout('history', `deployment/${NAME}`)).split('\n').map((l) => '    ' + l).join('\n'));
console.log('\n  kubectl events --for deployment/nginx-deployment:');
console.log(eventsSince(cluster, 0, (e) => e.involvedObject.kind === 'Deployment'));
