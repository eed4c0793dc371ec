// The HorizontalPodAutoscaler walkthrough (kubernetes/website tasks/run-application/
// horizontal-pod-autoscale-walkthrough.md): php-apache with a 200m cpu request, an HPA holding
// 50% average CPU utilization between 1 and 10 replicas. The walkthrough's load generator is a
// CPU curve on every pod (the `kubesim.io/behavior` annotation of the pod template): a pod idles
// for its first minute, serves a burst at 400m (200% of its request) until minute 4 of its life,
// then idles again. Watch the scale-up limited to max(2 × current, 4) per sync, the cap at 10,
// and the 5-minute scale-down stabilization after the load is gone.
// Run: npx tsx scenarios/autoscale.ts
import { createCluster } from 'kubesim';
import { eventsSince, say } from './lib/show.ts';


const burst = JSON.stringify({ 'php-apache': { cpu: [[0, 5], [60_000, 5], [61_000, 400], [240_000, 400], [241_000, 5]], memory: [[0, 12 * 1024 * 1024]] } });

const cluster = await createCluster({ seed: 1 });
await cluster.apply(`
apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  replicas: 1
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
      annotations:
        kubesim.io/behavior: '${burst}'
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: php-apache
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: php-apache
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
`);

say(cluster, 'kubectl get hpa php-apache --watch   (every 15 s sync, shown when something changes)');
console.log('  TIME    TARGETS        REPLICAS  DESIRED  ABLETOSCALE          SCALINGLIMITED');
let last = '';
for (let i = 0; i < 64; i++) {
  await cluster.runFor('15s');
  const h = cluster.get('hpa', 'php-apache');
  const deploy = cluster.get('deployment', 'php-apache');
  const util = h.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization;
  const cond = (type: string) => h.status?.conditions?.find((c: any) => c.type === type)?.reason ?? '-';
  const row = `${(util === undefined ? '<unknown>' : `cpu: ${util}%`).padEnd(13)}/50%  ${String(deploy.spec.replicas).padEnd(8)}  ${String(h.status?.desiredReplicas ?? '-').padEnd(7)}  ${cond('AbleToScale').padEnd(19)}  ${cond('ScalingLimited')}`;
  if (row !== last) console.log(`  ${String(Math.round(cluster.now() / 1000)).padStart(4)}s  ${row}`);
  last = row;
}
say(cluster, 'kubectl describe hpa php-apache (events):');
console.log(eventsSince(cluster, 0, (e) => e.source?.component === 'horizontal-pod-autoscaler'));
