// npm run bench:goal — issue 3's target as the script runs it: 1,000 nodes and 30,000 pods
// (ReplicaSets of 100, no client rate limits) to all Running and Ready on one core, within a
// 1.5 GB heap. The npm script pins the process to one CPU (taskset, Linux) and bounds V8's heap
// to 1,536 MiB: old space 1,152 MiB and a young generation of 384 MiB (two 128 MiB semi-spaces
// and as much for large new objects); V8 stops the process if its heap outgrows that. Semi-spaces
// of 128 MiB rather than 64 (and old space 1,152 MiB rather than 1,344, the heap's maximum being
// 0.99 GB) made the run 3% faster: 7 of 8 rounds side by side (bench/compare.sh). With one
// core, the parallel scavenger's helper threads only take turns with the main thread, so the
// young generation is collected on the main thread alone (--no-parallel-scavenge). And the old
// generation may grow to three times what the last mark-compact left (--heap-growing-percent=200,
// within the same limit) before the next: V8's default factor shrinks as the heap fills, so
// it marked the ≈0.6 GB the cluster keeps alive three times in the run's second half (at 530,
// 837 and 1,075 MB), where it now does so twice (at 827 and 1,042 MB). The semi-spaces are
// 128 MiB from the start (--min-semi-space-size=128): left to grow from V8's 1 MiB, the young
// generation took 42 scavenges (4.5 s) where it now takes 25 (3.7 s), each of the small early
// ones copying objects that would have died a little later; 27.3 s against 29.0 s side by side,
// faster in 5 of 6 rounds (bench/compare.sh). Peak heap used: 0.77 GB against 0.74 GB.
import os from 'node:os';
import v8 from 'node:v8';
import { bringUp } from './cluster.bench.ts';

const limit = v8.getHeapStatistics().heap_size_limit;
console.log(`kubesim goal benchmark — node ${process.version}, ${os.availableParallelism()} CPU(s) available, V8 heap limit ${(limit / 2 ** 20).toFixed(0)} MiB`);
if (os.availableParallelism() > 1) console.log('(not pinned to one core: run it as `npm run bench:goal`, which uses taskset)');
await bringUp(1_000, 30_000, false, false);
