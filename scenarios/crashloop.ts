// CrashLoopBackOff: a container that exits at once (busybox without a command) under
// restartPolicy Always. Watch the kubelet's back-off double from 10 s to the 300 s cap.
// Run: npx tsx scenarios/crashloop.ts
import { createCluster } from 'kubesim';
import { podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 1 });
await cluster.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: crasher
spec:
  containers:
  - name: box
    image: busybox:1.36
`);

let last = -1;
let lastAt = 0;
cluster.watch('pods', (ev) => {
  const s = ev.object.status?.containerStatuses?.[0];
  if (!s || ev.object.metadata.name !== 'crasher') return;
  if (s.restartCount !== last && s.state?.running) {
    const gap = last < 0 ? '' : ` (${Math.round((cluster.now() - lastAt) / 1000)} s after the previous start)`;
    say(cluster, `container started, restartCount=${s.restartCount}${gap}`);
    last = s.restartCount;
    lastAt = cluster.now();
  }
});
await cluster.runFor('25m');
say(cluster, 'kubectl get pods -o wide:');
console.log(podTable(cluster));
const s = cluster.get('pod', 'crasher').status.containerStatuses[0];
say(cluster, `state: ${JSON.stringify(s.state)}`);
say(cluster, `lastState: ${JSON.stringify(s.lastState)}`);
say(cluster, 'kubectl describe pod crasher (its containers and events):');
console.log(cluster.describe('pod', 'crasher').replace(/^[\s\S]*?(?=^Containers:)/m, '').replace(/^Conditions:[\s\S]*?(?=^Events:)/m, '').replace(/^/gm, '    '));
