// The model checker: planted bugs are found, shrunk and replayed; the real controllers pass the same checks.
// Stateless model checking as in CHESS (Musuvathi et al., OSDI 2008) and Coyote; checker/README.md.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { explore } from '../checker/explore.ts';
import { shrink } from '../checker/shrink.ts';
import { loadCheck } from '../checker/replay-file.ts';
import { rewatchCheck } from '../checker/checks/rewatch.ts';
import { ReplicaSetControllerRewatchFromNow } from '../checker/planted/replicaset-rewatch-from-now.ts';
import { replaysIdentically } from './checker-helpers.ts';

const CHECKS = join(import.meta.dirname, '..', 'checker', 'checks');


describe('model checker: stale reads and expectations', () => {
  // Upstream: pkg/controller/controller_utils.go ControllerExpectations; ReplicaSet docs (at most `replicas` pods).
  it('a ReplicaSet controller without expectations over-creates after a stale read; the shrunk schedule replays byte-identically', async () => {
    const file = join(CHECKS, 'rs-no-expectations.check.ts');
    const { def } = await loadCheck(file);
    const r = await explore(def, { strategy: 'random', seed: 1, maxExecutions: 60 });
    expect(r.violation?.property).toBe('replicaset-never-exceeds-replicas');
    const small = await shrink(def, r.violation!);
    expect(small.property).toBe(r.violation!.property);
    expect(small.schedule.length).toBeLessThanOrEqual(r.violation!.schedule.length);
    expect(small.schedule.filter((c) => c !== '.').some((c) => c.startsWith('delay:'))).toBe(true);
    const lines = await replaysIdentically(file, def, small);
    expect(lines.some((l) => l.includes('"what":"check-delay"'))).toBe(true);
    console.log(`no-expectations: found after ${r.executions} walks (${r.transitions} transitions), shrunk ${r.violation!.schedule.length} → ${small.schedule.length} choice points: ${small.schedule.join(' ')}`);
  });

  it('the real ReplicaSet controller never exceeds 3 pods under the same random-walk budget', async () => {
    const { def } = await loadCheck(join(CHECKS, 'rs-scale-up.check.ts'));
    const r = await explore(def, { strategy: 'random', seed: 1, maxExecutions: 60 });
    expect(r.violation).toBeUndefined();
    expect(r.executions).toBe(60);
    expect(r.coverage.some((c) => c.event === 'api.watch')).toBe(true);
  });
});

describe('model checker: watch disconnects (ESR)', () => {
  // client-go tools/cache/reflector.go: resume from the last resourceVersion, re-list on 410.
  it('a controller that re-watches from "now" never replaces a pod deleted while its watch was down', async () => {
    const file = join(CHECKS, 'rs-rewatch-from-now.check.ts');
    const { def } = await loadCheck(file);
    const r = await explore(def, { strategy: 'bfs', maxExecutions: 150 });
    expect(r.violation?.property).toBe('replicaset-reaches-replicas');
    expect(r.violation?.kind).toBe('liveness');
    const small = await shrink(def, r.violation!);
    expect(small.schedule.filter((c) => c !== '.')).toEqual(expect.arrayContaining([expect.stringMatching(/^disc:replicaset-controller:/), 'act:force-delete-pod']));
    await replaysIdentically(file, def, small);
  });

  it('the real ReplicaSet controller replaces the pod within 60 s whatever the disconnect, with the same budget', async () => {
    const { def } = await loadCheck(join(CHECKS, 'rs-watch-disconnect.check.ts'));
    const r = await explore(def, { strategy: 'bfs', maxExecutions: 150 });
    expect(r.violation).toBeUndefined();
  });
});

describe('model checker: search strategies and reductions', () => {
  // BFS finds shortest counterexamples; delta debugging (Zeller & Hildebrandt 2002) shrinks random walks.
  it('BFS counterexamples are shortest, and shrinking makes a random walk\'s no longer', async () => {
    const def = rewatchCheck('rewatch-bfs', () => new ReplicaSetControllerRewatchFromNow());
    const bfs = await explore(def, { strategy: 'bfs', maxExecutions: 150 });
    expect(bfs.violation).toBeDefined();
    const walk = await explore(def, { strategy: 'random', seed: 7, maxExecutions: 200 });
    expect(walk.violation).toBeDefined();
    const small = await shrink(def, walk.violation!);
    console.log(`BFS: ${bfs.violation!.schedule.length} choice points; random walk: ${walk.violation!.schedule.length}, shrunk: ${small.schedule.length}`);
    expect(small.schedule.length).toBeLessThanOrEqual(bfs.violation!.schedule.length);
    expect(bfs.violation!.schedule.length).toBeLessThanOrEqual(small.schedule.length);
  });

  // Godefroid 1996 (sleep sets); Ip & Dill 1996 (symmetry): fewer states, same violations.
  it('with POR and node symmetry, a 3-node ReplicaSet check explores fewer states and finds the same violation', async () => {
    // Kubelets are choice points too: deliveries to different nodes commute, and nodes are interchangeable.
    const focus = ['replicaset-controller', 'node/'];
    const correct = { ...rewatchCheck('rewatch-3-nodes'), nodes: 3, depth: 5, focus };
    const plain = await explore(correct, { strategy: 'dfs', maxExecutions: 1000 });
    const reduced = await explore(correct, { strategy: 'dfs', maxExecutions: 1000, por: true, symmetry: true });
    console.log(`3 nodes, depth 5: ${plain.distinctStates} distinct states, ${plain.executions} executions, ${plain.transitions} transitions → ` +
      `${reduced.distinctStates} distinct states, ${reduced.executions} executions, ${reduced.transitions} transitions with POR + symmetry`);
    expect(plain.truncated).toBe(false);
    expect(reduced.truncated).toBe(false);
    expect(plain.violation).toBeUndefined();
    expect(reduced.violation).toBeUndefined();
    expect(reduced.distinctStates).toBeLessThan(plain.distinctStates);
    expect(reduced.executions).toBeLessThan(plain.executions);
    const buggy = { ...rewatchCheck('rewatch-3-nodes-bug', () => new ReplicaSetControllerRewatchFromNow()), nodes: 3, depth: 5, focus };
    const a = await explore(buggy, { strategy: 'dfs', maxExecutions: 1000 });
    const b = await explore(buggy, { strategy: 'dfs', maxExecutions: 1000, por: true, symmetry: true });
    expect(a.violation?.property).toBe('replicaset-reaches-replicas');
    expect(b.violation?.property).toBe('replicaset-reaches-replicas');
  });
});

describe('counterexamples in the inspector', () => {
  it('a counterexample replay file opens in the inspector (exported timeline of the failing run)', async () => {
    // Issue 7, must-show 4: the replay file replays byte-identically and opens on the inspector's timeline.
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-cx-'));
    const bin = new URL('../bin/kubesim.mjs', import.meta.url).pathname;
    const check = new URL('../checker/checks/rs-no-expectations.check.ts', import.meta.url).pathname;
    spawnSync(process.execPath, [bin, 'check', check, '--strategy', 'random'], { cwd: dir, encoding: 'utf8' });
    const replay = readdirSync(dir).find((f) => f.endsWith('.replay.jsonl'));
    expect(replay).toBeDefined();
    const same = spawnSync(process.execPath, [bin, 'replay', replay!], { cwd: dir, encoding: 'utf8' });
    expect(same.stdout).toMatch(/^replay identical: \d+ trace lines/);
    const html = join(dir, 'cx.html');
    const r = spawnSync(process.execPath, [bin, 'inspect', replay!, '--export', html], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('replicaset-controller');
    expect(page.length).toBeGreaterThan(100_000);
  });
});
