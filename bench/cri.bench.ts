// The simulated container runtime's hot paths: creating and starting server processes (a
// Deployment of nginx), exec probes (`cat /tmp/healthy`, the docs' liveness example) and the heap
// an idle process holds (150,000 containers must fit in memory).
import { RandomStream } from '../runtime/prng.ts';
import { ImageRegistry } from '../cri/images.ts';
import { createContainerProcess } from '../cri/process.ts';
import type { ContainerConfig, ContainerProcess } from '../cri/types.ts';
import { fmt, gc, measure, print } from './harness.ts';

const registry = new ImageRegistry();

function config(image: string, container: Record<string, unknown>, random: RandomStream): ContainerConfig {
  const info = registry.resolve(image);
  if (!info) throw new Error(`no image ${image}`);
  return {
    container: { name: 'c', ...container }, image: info, env: { POD_IP: '10.244.1.5', HOSTNAME: 'web-0' }, mounts: [],
    memoryLimit: 128 * 1024 * 1024, random, epoch: Date.UTC(2024, 0, 1), hostname: 'web-0',
  };
}

function createServers(n: number): () => void {
  const cfg = config('nginx:1.25', { ports: [{ containerPort: 80 }] }, new RandomStream('bench', 1));
  return () => {
    for (let i = 0; i < n; i++) createContainerProcess({ ...cfg }).start(i);
  };
}

function execProbes(n: number): () => void {
  const random = new RandomStream('bench', 2);
  const p = createContainerProcess(config('registry.k8s.io/busybox:1.27.2', {
    args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'],
  }, random));
  p.start(0);
  const spec = { exec: { command: ['cat', '/tmp/healthy'] } };
  return () => {
    for (let i = 0; i < n; i++) p.probe(spec, 1000 + (i % 20_000));
  };
}

/** Heap bytes per started process: servers (fast path) and shell scripts sleeping in a loop. */
function heapPerProcess(n: number, image: string, container: Record<string, unknown>): number {
  const random = new RandomStream('bench', 3);
  const keep: ContainerProcess[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  const cfg = config(image, container, random);
  for (let i = 0; i < n; i++) {
    const p = createContainerProcess({ ...cfg });
    p.start(0);
    keep.push(p);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  return keep.length > 0 ? (after - before) / keep.length : 0;
}

export function criBench(): void {
  const create = measure(20_000, createServers(20_000));
  const probes = measure(50_000, execProbes(50_000));
  const serverHeap = heapPerProcess(20_000, 'nginx:1.25', { ports: [{ containerPort: 80 }] });
  const shellHeap = heapPerProcess(20_000, 'busybox:1.36', { command: ['sh', '-c', 'while true; do echo hello; sleep 5; done'] });
  print('cri (simulated container runtime)', [
    ['nginx processes created+started/s', `${fmt(create.best)} (median ${fmt(create.median)})`],
    ['exec probes/s (cat /tmp/healthy)', `${fmt(probes.best)} (median ${fmt(probes.median)})`],
    ['heap per idle nginx process', `${Math.round(serverHeap)} B`],
    ['heap per sleeping shell loop', `${Math.round(shellHeap)} B`],
  ]);
}
