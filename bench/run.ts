// npm run bench: prints figures; benchmarks are not tests and assert nothing.
import { runtimeBench } from './runtime.bench.ts';
import { apiserverBench } from './apiserver.bench.ts';
import { criBench } from './cri.bench.ts';
import { clusterBench } from './cluster.bench.ts';
import { checkerBench } from './checker.bench.ts';
import { workloadsBench } from './workloads.bench.ts';
import { inspectorBench } from './inspector.bench.ts';

const only = process.argv[2];
console.log(`kubesim benchmarks — node ${process.version}, ${new Date().toISOString()}`); // wall-clock-ok: report header
if (!only || only === 'runtime') runtimeBench();
if (!only || only === 'apiserver') apiserverBench();
if (!only || only === 'cri') criBench();
if (!only || only === 'checker') await checkerBench();
if (!only || only === 'cluster') await clusterBench();
if (!only || only === 'inspector') await inspectorBench();
if (!only || only === 'workloads') await workloadsBench();
