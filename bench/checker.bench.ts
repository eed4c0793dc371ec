// Model checker figures: a 2-node cluster, one ReplicaSet of 3, crash faults of the ReplicaSet
// controller; random walks (every walk re-creates the cluster). Transitions per CPU second count
// every step taken after setup; the cluster's boot and setup (re-run by every execution) are
// reported separately. Prints figures, asserts nothing.
import { explore } from '../checker/explore.ts';
import { Execution } from '../checker/execution.ts';
import { replicaSetCheck } from '../checker/checks/replicaset.ts';
import { FingerprintSet } from '../checker/visited.ts';
import { gc, fmt, print } from './harness.ts';

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

export async function checkerBench(seconds = 20): Promise<void> {
  const def = replicaSetCheck({
    name: 'bench-replicaset-crash', nodes: 2, depth: 40, horizon: 30_000,
    faults: { crash: { targets: ['replicaset-controller'], budget: 1 } },
  });
  // Warm-up.
  await explore(def, { strategy: 'random', seed: 1, maxExecutions: 10, coverage: false });

  // The boot + setup every execution repeats, and the bare stepping rate after it.
  gc();
  let c0 = process.cpuUsage();
  let boots = 0;
  let steps = 0;
  let fpCalls = 0;
  let fpMs = 0;
  let stepMs = 0;
  for (; boots < 30; boots++) {
    const exec = await Execution.start(def, { noInvariants: true });
    const t = process.cpuUsage();
    for (let o = exec.advance(); o.length; o = exec.advance()) {
      const f = process.cpuUsage();
      exec.fingerprint();
      fpMs += cpuMs(f);
      fpCalls++;
      exec.choose(o, '.');
    }
    stepMs += cpuMs(t);
    steps += exec.steps;
  }
  const bootMs = (cpuMs(c0) - stepMs) / boots;

  // The search itself.
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  c0 = process.cpuUsage();
  const r = await explore(def, { strategy: 'random', seed: 2, maxMs: seconds * 1000, stopAtViolation: false });
  const cpu = cpuMs(c0) / 1000;
  gc();
  const heap1 = process.memoryUsage().heapUsed;

  // Memory per visited state: the 64-bit fingerprint table.
  const set = new FingerprintSet();
  for (let i = 0; i < 1_000_000; i++) set.add({ hi: Math.imul(i, 0x9e3779b1), lo: i });
  print('model checker (2 nodes, ReplicaSet of 3, crash faults, random walks)', [
    ['executions / CPU s', `${fmt(r.executions / cpu)} (${r.executions} in ${cpu.toFixed(1)} s CPU, ${(r.wallMs / 1000).toFixed(1)} s wall)`],
    ['transitions / CPU s', `${fmt(r.transitions / cpu)} (every step after setup; ${r.transitions} in all)`],
    ['distinct states / CPU s', `${fmt(r.distinctStates / cpu)} (${r.distinctStates} distinct of ${r.states} visited)`],
    ['boot + setup per execution', `${bootMs.toFixed(1)} ms CPU (not counted as transitions)`],
    ['bare steps after setup / CPU s', `${fmt(steps / (stepMs / 1000))} (default schedule, no invariants, a fingerprint at every choice point)`],
    ['fingerprint (incremental)', `${((fpMs * 1000) / fpCalls).toFixed(1)} µs per choice point`],
    ['memory per visited state', `${(set.bytes / set.size).toFixed(1)} B in the fingerprint table (1M states); heap retained after the search ${fmt(heap1 - heap0)} B (fingerprint table, coverage, identity caches)`],
    ['coverage', `${r.coverage.length} (actor type, state, event) triples`],
    ['first violation', r.violation ? `${r.violation.property}: ${r.violation.message}` : 'none'],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await checkerBench(Number(process.argv[2] ?? 20));
