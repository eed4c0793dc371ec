// Probes from the documentation: an exec liveness probe that starts failing after 30 s, an
// HTTP liveness probe on agnhost (500 after 10 s), and a readiness probe that never passes.
// Run: npx tsx scenarios/probes.ts
import { createCluster } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1, nodes: 2 });
await cluster.apply('manifests/exec-liveness.yaml');
await cluster.apply(`
apiVersion: v1
kind: Pod
metadata:
  name: liveness-http
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/e2e-test-images/agnhost:2.40
    args: [liveness]
    livenessProbe:
      httpGet: { path: /healthz, port: 8080, httpHeaders: [{ name: Custom-Header, value: Awesome }] }
      initialDelaySeconds: 3
      periodSeconds: 3
---
apiVersion: v1
kind: Pod
metadata:
  name: never-ready
spec:
  containers:
  - name: web
    image: nginx:1.25
    readinessProbe:
      httpGet: { path: /ready, port: 80 }
      periodSeconds: 5
`);
for (const t of ['20s', '25s', '45s', '2m']) {
  await cluster.runFor(t);
  say(cluster, 'kubectl get pods -o wide:');
  console.log(podTable(cluster));
}
console.log('\n  Probe events:');
console.log(eventsSince(cluster, 0, (e) => ['Unhealthy', 'Killing', 'BackOff'].includes(e.reason)));
