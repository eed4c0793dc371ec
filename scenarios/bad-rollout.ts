// The documentation's failed Deployment: the image is mistyped as nginx:1.161. The new
// ReplicaSet's pod never pulls its image; with maxUnavailable 0 the three old pods keep serving;
// after progressDeadlineSeconds (600 s) without progress the Deployment reports Progressing=False
// ProgressDeadlineExceeded, `kubectl rollout status` fails, and `kubectl rollout undo` goes back
// (k8s-facts §1.5 "Bad-image example", §1.7, §1.9).
// Run: npx tsx scenarios/bad-rollout.ts
import { createCluster, formatDuration } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1 });
const NAME = 'nginx-deployment';
const REF = `deployment/${NAME}`;

function status(): string {
  const d = cluster.get('deployment', NAME);
  const s = d.status ?? {};
  const p = (s.conditions ?? []).find((c: any) => c.type === 'Progressing');
  return `${d.spec.replicas} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable; Progressing=${p?.status} ${p?.reason}`;
}

await cluster.apply('manifests/nginx-deployment.yaml');
await cluster.rollout('status', REF);
cluster.patch('deployment', NAME, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.1' }] } } } });
await cluster.rollout('status', REF);
say(cluster, `running nginx:1.16.1 (revision 2): ${status()}`);

// Event timestamps have second precision: start the event listing at the second of the typo.
const t0 = Math.floor(cluster.now() / 1000) * 1000;
const typoAt = cluster.now();
say(cluster, 'kubectl set image deployment/nginx-deployment nginx=nginx:1.161   (a typo)');
cluster.patch('deployment', NAME, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.161' }] } } } });
try {
  await cluster.rollout('status', REF, { timeout: '1m' });
} catch (e) {
  console.log((e as { output?: string }).output);
  say(cluster, `kubectl rollout status --timeout=1m: ${(e as Error).message}`);
}
say(cluster, status());
console.log(podTable(cluster, 'app=nginx'));

say(cluster, 'kubectl rollout status (waits for the progress deadline)');
try {
  await cluster.rollout('status', REF);
} catch (e) {
  say(cluster, (e as Error).message);
}
say(cluster, `${formatDuration(cluster.now() - typoAt)} after the typo: ${status()}`);
const p = cluster.get('deployment', NAME).status.conditions.find((c: any) => c.type === 'Progressing');
say(cluster, `Progressing: status=${p.status} reason=${p.reason} message=${p.message}`);
console.log(podTable(cluster, 'app=nginx'));

say(cluster, 'kubectl rollout undo deployment/nginx-deployment');
console.log('    ' + await cluster.rollout('undo', REF));
console.log((await cluster.rollout('status', REF)).split('\n').map((l) => '    ' + l).join('\n'));
await cluster.runFor('30s');
say(cluster, status());
console.log(podTable(cluster, 'app=nginx'));
console.log('\n  kubectl rollout history deployment/nginx-deployment:');
console.log((await cluster.rollout('history', REF)).split('\n').map((l) => '    ' + l).join('\n'));
console.log('\n  kubectl events --for deployment/nginx-deployment (since the typo):');
console.log(eventsSince(cluster, t0, (e) => e.involvedObject.kind === 'Deployment'));
console.log('\n  the new pod\'s events:');
console.log(eventsSince(cluster, t0, (e) => e.involvedObject.kind === 'Pod' && ['Failed', 'BackOff', 'Pulling'].includes(e.reason)));
