// Hello, kubesim: create, update and delete objects and watch what the API server tells a
// watcher about each change, on the virtual clock. Run: npx tsx scenarios/hello-world.ts
import { createCluster, formatDuration, printAll, isStatusError } from 'kubesim';

const cluster = await createCluster({ seed: 1 });
const t = () => formatDuration(cluster.now()).padStart(8);

console.log('Watching configmaps and deployments in namespace "default" (virtual time on the left)\n');
for (const resource of ['configmaps', 'deployments']) {
  cluster.watch(resource, (ev) => {
    const o = ev.object;
    const detail = o.kind === 'Deployment' ? `replicas=${o.spec.replicas} image=${o.spec.template.spec.containers[0].image} generation=${o.metadata.generation}`
      : `data=${JSON.stringify(o.data ?? {}, (_k, v) => (typeof v === 'string' && v.length > 40 ? `${v.slice(0, 30)}…(${v.length} bytes)` : v))}`;
    console.log(`${t()}  ${ev.type.padEnd(8)} ${o.kind.toLowerCase()}/${o.metadata.name}  resourceVersion=${o.metadata.resourceVersion}  ${detail}`);
  }, { namespace: 'default', resourceVersion: String(cluster.get('namespace', 'default').metadata.resourceVersion) });
}

// 1. Create: a ConfigMap and a Deployment, from YAML as kubectl apply would send them.
await cluster.apply(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  message: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  labels: { app: hello }
spec:
  replicas: 2
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
      containers:
      - name: web
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`);
await cluster.runFor('30s');

// 2. Update: change data (no generation on ConfigMaps), scale (spec change: generation 2), new image (generation 3).
await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'greeting' }, data: { message: 'hello, world' } });
await cluster.runFor('30s');
cluster.patch('deployment', 'hello', { spec: { replicas: 3 } }, { type: 'merge' });
await cluster.runFor('1m');
cluster.patch('deployment', 'hello', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.16.1' }] } } } });
await cluster.runFor('1m');

// 3. A stale write is refused with 409 Conflict (optimistic concurrency).
const stale = cluster.get('configmap', 'greeting');
cluster.patch('configmap', 'greeting', { data: { message: 'first writer wins' } }, { type: 'merge' });
try {
  cluster.update({ ...stale, data: { message: 'second writer' } });
} catch (e) {
  if (!isStatusError(e)) throw e;
  console.log(`${t()}  rejected update: ${e.status.code} ${e.status.reason}: ${e.message}`);
}

// 4. Delete both.
await cluster.runFor('1m');
cluster.delete('configmap', 'greeting');
cluster.delete('deployment', 'hello');
await cluster.runFor('10s');

console.log(`\nAfter ${formatDuration(cluster.now())} of virtual time:\n`);
console.log(printAll(cluster.all(), { nowMs: cluster.now(), epochMs: cluster.epoch }));
