import { createCluster } from 'kubesim';
const c = await createCluster({ seed: 43 });
c.create({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { serviceName: 'nginx', replicas: 3, updateStrategy: { type: 'OnDelete' }, selector: { matchLabels: { app: 'nginx' } },
  template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.21' }] } } } });
await c.runFor('1m');
c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24' }] } } } });
await c.runFor('2m');
console.log(JSON.stringify(c.get('sts', 'web').status));
