// A mistyped image tag (nginx:1.161, the documentation's example): ErrImagePull, then
// ImagePullBackOff with the pull retried at growing intervals; the pod stays Pending.
// Run: npx tsx scenarios/bad-image.ts
import { createCluster } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 1 });
await cluster.apply('manifests/bad-image-pod.yaml');
let lastReason = '';
cluster.watch('pods', (ev) => {
  const reason = ev.object.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ev.object.status?.phase;
  if (reason && reason !== lastReason) {
    say(cluster, `typo: ${reason}`);
    lastReason = reason;
  }
});
await cluster.runFor('10m');
console.log(podTable(cluster));
const w = cluster.get('pod', 'typo').status.containerStatuses[0].state.waiting;
say(cluster, `waiting: ${w.reason}: ${w.message ?? ''}`);
console.log('\n  kubectl events --for pod/typo:');
console.log(eventsSince(cluster, 0, (e) => e.involvedObject.name === 'typo'));
