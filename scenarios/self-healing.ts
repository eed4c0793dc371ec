// Self-healing: a ReplicaSet of 5 loses a pod, a container and then a whole node. When and
// where do the replacements appear? Run: npx tsx scenarios/self-healing.ts
import { createCluster } from 'kubesim';
import { eventsSince, podTable, readyPods, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 3 });
await cluster.apply('manifests/frontend-replicaset.yaml');
cluster.patch('replicaset', 'frontend', { spec: { replicas: 5 } }, { type: 'merge' });
await cluster.runUntil((c) => readyPods(c, 'tier=frontend').length === 5, { timeout: '5m' });
say(cluster, 'ReplicaSet frontend has 5 ready pods:');
console.log(podTable(cluster, 'tier=frontend'));

// 1. A pod is deleted: the ReplicaSet controller creates a replacement at once.
const victim = readyPods(cluster, 'tier=frontend')[0].metadata.name!;
cluster.delete('pod', victim);
say(cluster, `kubectl delete pod ${victim}`);
await cluster.runUntil((c) => readyPods(c, 'tier=frontend').length === 5 && !c.find('pod', victim), { timeout: '5m' });
say(cluster, 'back to 5 ready pods:');
console.log(podTable(cluster, 'tier=frontend'));

// 2. A container crashes: the kubelet restarts it in place (same pod, restartCount 1).
const crashing = readyPods(cluster, 'tier=frontend')[1].metadata.name!;
cluster.crashContainer(crashing, { exitCode: 139 });
say(cluster, `container php-redis of ${crashing} crashes (exit code 139)`);
await cluster.runUntil((c) => readyPods(c, 'tier=frontend').length === 5, { timeout: '5m' });
say(cluster, 'restarted in place by the kubelet:');
console.log(podTable(cluster, 'tier=frontend'));

// 3. A node is powered off: nothing happens until the node-monitor grace period (50 s) marks
//    it Unknown; its pods keep their 300 s not-ready/unreachable tolerations, so they are
//    evicted about 5 min 50 s after the last heartbeat, and the ReplicaSet replaces them.
const node = readyPods(cluster, 'tier=frontend')[0].spec.nodeName as string;
const onNode = readyPods(cluster, 'tier=frontend').filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);
const t0 = cluster.now();
cluster.powerOff(node);
say(cluster, `node ${node} is powered off (it ran ${onNode.join(', ')})`);
await cluster.runUntil((c) => c.get('node', node).status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'Unknown'), { timeout: '5m' });
say(cluster, `node ${node} is Ready=Unknown ("Kubelet stopped posting node status.")`);
await cluster.runUntil((c) => readyPods(c, 'tier=frontend').filter((p) => p.spec.nodeName !== node).length === 5, { timeout: '15m' });
say(cluster, `5 ready pods on other nodes again, ${Math.round((cluster.now() - t0) / 1000)} s after the power-off:`);
console.log(podTable(cluster, 'tier=frontend'));
console.log('\n  What the control plane did after the power-off:');
console.log(eventsSince(cluster, t0, (e) => e.source?.component !== 'kubelet'));
