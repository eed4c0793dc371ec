// The inspector's pieces without a browser: the statechart serialiser, the timeline's rebuild
// of the store at any time, the pacer's pause/step on a runtime, and the CLI's arguments.
import { describe, expect, it } from 'vitest';
import { podMachine } from '../machines/pod.ts';
import { containerMachine } from '../machines/container.ts';
import { machineGraph } from '../inspector/machine-graph.ts';
import { Timeline, activeStateIds, modelFromObjects, stateText } from '../inspector/model.ts';
import { Controls, Pacer, StopRun } from '../inspector/pacer.ts';
import { syntheticModel } from '../inspector/synthetic.ts';
import { inspectCommand } from '../cli/inspect.ts';
import { Runtime } from '../runtime/index.ts';
import type { StateGraph } from '../inspector/protocol.ts';

function find(s: StateGraph, id: string): StateGraph | undefined {
  if (s.id === id) return s;
  for (const c of s.children) {
    const f = find(c, id);
    if (f) return f;
  }
  return undefined;
}

describe('inspector model', () => {
  it('serialises the pod statechart with nested states, initial states, guards, delays and eventless transitions', () => {
    const g = machineGraph(podMachine);
    expect(g.id).toBe('pod');
    const pending = find(g.root, 'pod.Pending')!;
    expect(pending.type).toBe('compound');
    expect(pending.initial).toBe('pod.Pending.Admitting');
    expect(pending.transitions).toContainEqual(expect.objectContaining({ event: 'PHASE', guard: 'isRunning', targets: ['pod.Running'] }));
    expect(find(g.root, 'pod.Pending.CreatingSandbox')!.transitions).toContainEqual(expect.objectContaining({ event: 'SANDBOX_READY', targets: ['pod.Pending.Initializing'] }));
    expect(find(g.root, 'pod.Pending.VolumeRetry')!.transitions).toContainEqual(expect.objectContaining({ event: 'after volumeRetry', targets: ['pod.Pending.PreparingVolumes'] }));
    expect(find(g.root, 'pod.Pending.Admitting')!.transitions).toContainEqual(expect.objectContaining({ event: 'always', guard: 'isResumed' }));
    const c = machineGraph(containerMachine);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it('maps a state value to the active state ids a chart highlights', () => {
    expect(activeStateIds('pod', 'Running')).toEqual(['pod.Running']);
    expect(activeStateIds('pod', { Pending: 'Admitting' })).toEqual(['pod.Pending', 'pod.Pending.Admitting']);
    expect(stateText({ Progressing: 'ScalingUpNewRS' })).toBe('Progressing.ScalingUpNewRS');
  });

  it('rebuilds the store at any time from checkpoints and the change log', () => {
    const tl = new Timeline();
    const pod = (name: string, node: string | undefined, rv: number) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { namespace: 'default', name, resourceVersion: String(rv) }, spec: { nodeName: node, containers: [] }, status: { phase: node ? 'Running' : 'Pending' } });
    for (let i = 0; i < 1000; i++) {
      const name = `p${i % 37}`;
      tl.ingest({ type: 'change', t: i * 10, rv: i, op: i % 11 === 5 ? 'DELETED' : i % 2 ? 'MODIFIED' : 'ADDED', object: pod(name, i % 3 ? `node-${i % 4}` : undefined, i) });
    }
    for (const t of [0, 5, 2555, 5120, 9990, 20000]) {
      const expected = new Map<string, any>();
      for (const c of tl.changes) {
        if (c.t > t) break;
        const key = `Pod/default/${c.object.metadata.name}`;
        if (c.op === 'DELETED') expected.delete(key);
        else expected.set(key, c.object);
      }
      expect([...tl.objectsAt(t).entries()].sort()).toEqual([...expected.entries()].sort());
    }
    const m = modelFromObjects(tl.objectsAt(9990).values(), 9990);
    expect(m.pods.keys.length).toBe(tl.objectsAt(9990).size);
  });

  it('builds the 5,000-node, 150,000-pod synthetic snapshot', () => {
    const m = syntheticModel(5_000, 150_000);
    expect(m.nodes.length).toBe(5_000);
    expect(m.pods.keys.length).toBe(150_000);
    expect(m.pods.node.filter((n) => n < 0).length).toBe(300);
  });
});

describe('inspector pacer', () => {
  function runtimeWithTimers(n: number): Runtime {
    const rt = new Runtime({ seed: 1 });
    rt.spawn({ id: 'ticker', start: () => ({ start(ctx) { for (let i = 1; i <= n; i++) ctx.startTimer(`t${i}`, i * 100, { type: 'tick' }); }, receive() {} }) });
    return rt;
  }

  it('paused, a step delivers exactly one queue entry', () => {
    const rt = runtimeWithTimers(5);
    const controls = new Controls();
    controls.pause();
    controls.step(2);
    // When the pacer would wait for another step, stop the run.
    new Pacer(rt, controls, () => controls.stop()).install();
    expect(() => rt.runFor(1_000)).toThrow(StopRun);
    expect(rt.steps).toBe(2);
    expect(rt.now()).toBe(200);
  });

  it('at maximum speed, play runs without waiting', () => {
    const rt = runtimeWithTimers(5);
    const controls = new Controls();
    controls.setSpeed(0);
    controls.play();
    let waits = 0;
    new Pacer(rt, controls, () => waits++).install();
    rt.runFor(1_000);
    expect(rt.steps).toBe(5);
    expect(rt.now()).toBe(1_000);
    expect(waits).toBe(0);
  });
});

describe('kubesim inspect arguments', () => {
  it('prints its help and rejects what it cannot run', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    (process.stdout as any).write = (s: string) => { out.push(s); return true; };
    try {
      expect(await inspectCommand(['--help'])).toBe(0);
    } finally {
      (process.stdout as any).write = write;
    }
    expect(out.join('')).toContain('kubesim inspect SCENARIO.ts');
    await expect(inspectCommand(['a.ts', 'b.ts'])).rejects.toThrow(/one scenario/);
    await expect(inspectCommand(['x.ts', '--speed', 'fast'])).rejects.toThrow(/--speed/);
  });
});
