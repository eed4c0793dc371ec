// API server throughput: creates/s, updates/s, watch events delivered/s with 1,000 watchers,
// and memory per stored Pod object.
import { ApiServer } from '../api/server.ts';
import { SYSTEM_MASTERS, type KubeObject } from '../api/types.ts';
import { fmt, gc, measure, print } from './harness.ts';

function newServer(freeze = true): ApiServer {
  let uid = 0;
  let name = 0;
  const s = new ApiServer({ now: () => 0, uid: () => `uid-${uid++}`, nameSuffix: () => `x${name++}`, randomInt: (n) => (uid * 7919) % n, freeze });
  for (const ns of ['default', 'kube-system']) s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Namespace', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } }, SYSTEM_MASTERS);
  return s;
}

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

function creates(n: number, freeze: boolean): () => void {
  return () => {
    const s = newServer(freeze);
    for (let i = 0; i < n; i++) s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace: 'default', body: pod(i) }, SYSTEM_MASTERS);
  };
}

function updates(n: number): () => void {
  const s = newServer();
  for (let i = 0; i < 1000; i++) s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace: 'default', body: pod(i) }, SYSTEM_MASTERS);
  return () => {
    for (let i = 0; i < n; i++) {
      const name = `web-${i % 1000}`;
      s.handle({ verb: 'patch', apiVersion: 'v1', kind: 'Pod', namespace: 'default', name, body: { metadata: { labels: { round: String(i) } } }, patchType: 'application/merge-patch+json' }, SYSTEM_MASTERS);
    }
  };
}

function watchFanOut(n: number, watchers: number): { fn: () => void; delivered: () => number } {
  const s = newServer();
  let delivered = 0;
  s.emit = () => { delivered++; };
  for (let w = 0; w < watchers; w++) s.handle({ verb: 'watch', apiVersion: 'v1', kind: 'Pod', namespace: 'default', watchId: `w${w}`, listOptions: { resourceVersion: String(s.resourceVersion) } }, SYSTEM_MASTERS, `watcher-${w}`);
  let i = 0;
  return {
    fn: () => {
      for (let k = 0; k < n; k++, i++) s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace: 'default', body: pod(i) }, SYSTEM_MASTERS);
    },
    delivered: () => delivered,
  };
}

function memoryPerPod(n: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const s = newServer();
  for (let i = 0; i < n; i++) s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace: 'default', body: pod(i) }, SYSTEM_MASTERS);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (s.count() < n) throw new Error('lost pods');
  return (after - before) / n;
}

export function apiserverBench(): void {
  const N = 20_000;
  const c = measure(N, creates(N, true));
  const cf = measure(N, creates(N, false));
  const u = measure(N, updates(N));
  const W = 1_000;
  const E = 500;
  const fan = watchFanOut(E, W);
  const f = measure(E, fan.fn);
  print('API server (direct handler calls, no runtime)', [
    ['Pod creates', `${fmt(c.best)}/s (median ${fmt(c.median)}); ${fmt(cf.best)}/s without freezing stored objects`],
    ['Pod updates (merge patch)', `${fmt(u.best)}/s (median ${fmt(u.median)})`],
    [`watch events delivered, ${W} watchers`, `${fmt(f.best * W)}/s (${fmt(f.best)} writes/s, each fanned out to ${W})`],
    ['memory per stored Pod (with watch history)', `${Math.round(memoryPerPod(50_000))} B`],
  ]);
}
