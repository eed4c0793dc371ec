// A MachineRunner takes XState's macrostep with each step's structure worked out once
// (runtime/statechart.ts). These tests run the same events through an XState actor and a runner
// of the same machine — kubesim's pod, container and node machines, and a machine made to use
// every statechart feature the compiled step covers — and require the same snapshots (state
// value with its key order, context, status), emits, timers and persisted snapshots, step by step.
import { describe, expect, it } from 'vitest';
import { and, assign, createActor, emit, not, raise, setup, type AnyStateMachine, type EventObject } from 'xstate';
import { MachineRunner } from '../runtime/index.ts';
import { compileMachine } from '../runtime/statechart.ts';
import { ManualClock } from './clock-helpers.ts';
import { containerMachine, type ContainerInput } from '../machines/container.ts';
import { podMachine, type PodMachineInput } from '../machines/pod.ts';
import { nodeMachine } from '../machines/node.ts';

/** A seeded stream (a linear congruential generator): the same sequences on every run. */
function stream(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n; // the high bits: an LCG's low bits repeat with a short period
  };
}

type Step = { send: EventObject } | { advance: number };

/** The same steps through an XState actor and a runner; their records must be equal at every step. */
function compare(machine: AnyStateMachine, input: unknown, steps: Step[]): { states: string[] } {
  const record = (log: unknown[], s: any) => log.push(['state', JSON.stringify(s.value), s.context, s.status]);
  const viaActor: unknown[] = [];
  const actorClock = new ManualClock();
  const actor = createActor(machine, { input, clock: actorClock });
  actor.on('*', (ev) => viaActor.push(['emit', ev]));
  actor.subscribe({ next: (s) => record(viaActor, s), error: (e) => viaActor.push(['error', String(e)]) });
  actor.start();

  const viaRunner: unknown[] = [];
  const clock = new ManualClock();
  const runner = new MachineRunner(machine, 'm', clock, {
    onEmit: (ev) => viaRunner.push(['emit', ev]),
    onChange: (s) => record(viaRunner, s),
    onError: (e) => viaRunner.push(['error', String(e)]),
  }, { input });
  runner.start();

  const states: string[] = [];
  for (const step of steps) {
    // A stopped actor takes no more events (XState warns of each one sent).
    if (actor.getSnapshot().status !== 'active') break;
    if ('send' in step) {
      actor.send(step.send);
      runner.send(step.send);
    } else {
      actorClock.advance(step.advance);
      clock.advance(step.advance);
    }
    expect(viaRunner).toEqual(viaActor);
    expect(clock.pending()).toEqual(actorClock.pending());
    const a = actor.getSnapshot();
    const r = runner.getSnapshot();
    expect(r.status).toBe(a.status);
    // The value with its keys in XState's order, the context as XState's.
    expect(JSON.stringify(r.value)).toBe(JSON.stringify(a.value));
    expect(r.context).toEqual(a.context);
    expect([...(r as any).tags]).toEqual([...(a as any).tags]);
    expect((r as any)._nodes.map((n: any) => n.id)).toEqual((a as any)._nodes.map((n: any) => n.id));
    if (a.status === 'active' || a.status === 'done') {
      expect(JSON.stringify(runner.getPersistedSnapshot())).toBe(JSON.stringify(actor.getPersistedSnapshot()));
    }
    states.push(JSON.stringify(r.value));
  }
  return { states };
}

/** `count` random steps: an event from `events` (given the time), or time passing. */
function randomSteps(seed: number, count: number, events: Array<(at: number, pick: (n: number) => number) => EventObject>, maxAdvance: number): Step[] {
  const pick = stream(seed);
  const steps: Step[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (pick(4) === 0) {
      const ms = 1 + pick(maxAdvance);
      at += ms;
      steps.push({ advance: ms });
    } else steps.push({ send: events[pick(events.length)](at, pick) });
  }
  return steps;
}

const oneOf = <T>(pick: (n: number) => number, xs: readonly T[]): T => xs[pick(xs.length)];

describe('compiled machines: the steps XState takes, without its per-step structure work', () => {
  it('compiles the pod, container and node machines (each then runs without XState\'s macrostep)', () => {
    expect(compileMachine(podMachine)).toBeDefined();
    expect(compileMachine(containerMachine)).toBeDefined();
    expect(compileMachine(nodeMachine)).toBeDefined();
  });

  it('a container machine goes through the same states, emits and timers as under XState, for 300 random runs', () => {
    const probes = [
      {},
      { readiness: { initialDelayMs: 1_000, periodMs: 2_000, successThreshold: 1, failureThreshold: 3 } },
      {
        startup: { initialDelayMs: 0, periodMs: 1_000, successThreshold: 1, failureThreshold: 2 },
        liveness: { initialDelayMs: 500, periodMs: 1_000, successThreshold: 1, failureThreshold: 2 },
        readiness: { initialDelayMs: 0, periodMs: 1_500, successThreshold: 2, failureThreshold: 1 },
      },
    ];
    const events: Array<(at: number, pick: (n: number) => number) => EventObject> = [
      (at) => ({ type: 'START', at }),
      (at) => ({ type: 'IMAGE_READY', at }),
      (at) => ({ type: 'PULL_FAILED', at, reason: 'ErrImagePull', message: 'not found' }),
      (at) => ({ type: 'SYNC', at }),
      (at) => ({ type: 'CONFIG_ERROR', at, message: 'configmap "x" not found' }),
      (at) => ({ type: 'RUN_FAILED', at, message: 'exec failed' }),
      (at) => ({ type: 'STARTED', at }),
      (at, pick) => ({ type: 'EXITED', at, exitCode: oneOf(pick, [0, 1, 137]), reason: oneOf(pick, ['Completed', 'Error', 'OOMKilled']) }),
      ...[1, 2, 3].map(() => (at: number, pick: (n: number) => number) => ({ type: 'PROBE_RESULT', at, probe: oneOf(pick, ['startup', 'liveness', 'readiness']), result: oneOf(pick, ['Success', 'Success', 'Failure']), message: 'HTTP probe failed' })),
      (at, pick) => ({ type: 'KILL', at, reason: oneOf(pick, ['pod', 'liveness', 'startup']) }),
    ];
    const seen = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const pick = stream(seed * 7919);
      const input: ContainerInput = {
        name: 'web', kind: oneOf(pick, ['app', 'init', 'sidecar'] as const), podRestartPolicy: oneOf(pick, ['Always', 'OnFailure', 'Never'] as const),
        probes: oneOf(pick, probes), startNow: pick(2) === 0,
        resume: oneOf(pick, [undefined, { running: { startedAt: 0 }, restartCount: 2 }, { terminated: { exitCode: 1, reason: 'Error', startedAt: 0, finishedAt: 0 }, restartCount: 1, backoff: { ms: 20_000, updatedAt: 0 } }]),
      };
      for (const s of compare(containerMachine, input, randomSteps(seed, 60, events, 3_000)).states) seen.add(s);
    }
    // The runs went through the machine's states, the parallel probe regions among them.
    expect(seen.size).toBeGreaterThan(20);
    expect([...seen].some((s) => s.includes('"Liveness":"Waiting"'))).toBe(true);
    expect([...seen].some((s) => s.includes('CrashLoopBackOff'))).toBe(true);
    expect(seen.has('"Dead"')).toBe(true);
  });

  it('a pod machine goes through the same states, emits and timers as under XState, for 200 random runs', () => {
    const events: Array<(at: number, pick: (n: number) => number) => EventObject> = [
      () => ({ type: 'ADMITTED' }),
      () => ({ type: 'REJECTED', reason: 'OutOfcpu', message: 'Node didn\'t have enough resource: cpu' }),
      () => ({ type: 'VOLUMES_READY' }),
      () => ({ type: 'SANDBOX_READY' }),
      (_at, pick) => ({ type: 'VOLUMES_FAILED', message: 'mount failed', retryMs: oneOf(pick, [500, 2_000]) }),
      (_at, pick) => ({ type: 'INIT_CONTAINER_DONE', name: oneOf(pick, ['init-a', 'init-b']) }),
      (_at, pick) => ({ type: 'INIT_CONTAINER_FAILED', name: oneOf(pick, ['init-a', 'init-b']) }),
      (_at, pick) => ({ type: 'PHASE', phase: oneOf(pick, ['Pending', 'Running', 'Succeeded', 'Failed']) }),
      (_at, pick) => ({ type: 'DELETE', graceMs: oneOf(pick, [0, 30_000]) }),
      () => ({ type: 'ALL_CONTAINERS_STOPPED' }),
    ];
    const seen = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const pick = stream(seed * 104729);
      const input: PodMachineInput = {
        initContainers: oneOf(pick, [[], [{ name: 'init-a', sidecar: false }], [{ name: 'init-a', sidecar: false }, { name: 'init-b', sidecar: true }]]),
        hasVolumes: pick(2) === 0, resumed: pick(4) === 0, admitted: pick(2) === 0, volumesMounted: pick(2) === 0,
      };
      for (const s of compare(podMachine, input, randomSteps(seed, 30, events, 5_000)).states) seen.add(s);
    }
    expect(seen.size).toBeGreaterThan(8);
  });

  it('a node machine goes through the same states, emits and timers as under XState, for 100 random runs', () => {
    const types = ['REGISTERED', 'REGISTER_FAILED', 'LEASE_RENEWED', 'LEASE_FAILED', 'LEASE_STANDING', 'STATUS_STANDING', 'RUNTIME_READY', 'RUNTIME_DOWN', 'CORDONED', 'UNCORDONED'];
    const events: Array<(at: number, pick: (n: number) => number) => EventObject> = [
      ...types.map((type) => () => ({ type })),
      (_at, pick) => ({ type: 'LEASE_STANDING_ENDED', resumeIn: oneOf(pick, [0, 3_000]) }),
      (_at, pick) => ({ type: 'STATUS_STANDING_ENDED', resumeIn: oneOf(pick, [0, 7_000]) }),
    ];
    for (let seed = 1; seed <= 100; seed++) compare(nodeMachine, undefined, randomSteps(seed, 40, events, 20_000));
  });

  // Parallel regions, eventless chains, raised events, a compound state's done event, re-entry,
  // targetless transitions, guard combinators, named delays, and entry/exit/transition actions in
  // order: what SCXML's algorithm orders and XState's step implements.
  const showcase = setup({
    types: { context: {} as { n: number; log: string[] }, events: {} as { type: 'GO' } | { type: 'TICK' } | { type: 'RESET' } | { type: 'BUMP' } | { type: 'FINISH' } | { type: 'PING' } },
    guards: {
      even: ({ context }) => context.n % 2 === 0,
      big: ({ context }) => context.n > 3,
    },
    delays: { soon: ({ context }) => 100 + context.n * 10 },
    actions: {
      note: assign({ log: ({ context, event }, p: { what: string }) => [...context.log, `${p.what}:${event.type}`].slice(-12) }),
      bump: assign({ n: ({ context }) => context.n + 1 }),
      say: emit(({ context }, p: { what: string }) => ({ type: 'said', what: p.what, n: context.n })),
    },
  }).createMachine({
    id: 'show',
    context: { n: 0, log: [] },
    initial: 'Idle',
    states: {
      Idle: {
        entry: { type: 'note', params: { what: 'enter Idle' } },
        exit: { type: 'note', params: { what: 'exit Idle' } },
        on: { GO: { target: 'Busy', actions: [{ type: 'say', params: { what: 'go' } }] }, BUMP: { actions: 'bump' }, TICK: 'Task' },
      },
      Task: {
        initial: 'First',
        states: {
          First: { on: { TICK: 'Second' } },
          Second: { always: { guard: 'even', target: 'End' }, on: { BUMP: { actions: 'bump' } } },
          End: { type: 'final', entry: { type: 'note', params: { what: 'task end' } } },
        },
        onDone: { target: 'Idle', actions: [{ type: 'say', params: { what: 'task done' } }, 'bump'] },
      },
      Busy: {
        type: 'parallel',
        entry: { type: 'note', params: { what: 'enter Busy' } },
        exit: { type: 'note', params: { what: 'exit Busy' } },
        on: { RESET: { target: 'Busy', reenter: true, actions: 'bump' }, FINISH: 'Done' },
        states: {
          Left: {
            initial: 'A',
            entry: { type: 'note', params: { what: 'enter Left' } },
            exit: { type: 'note', params: { what: 'exit Left' } },
            states: {
              A: { on: { TICK: { target: 'B', actions: 'bump' } }, after: { soon: 'C' } },
              B: { always: [{ guard: and(['even', not('big')]), target: 'C' }, { guard: 'big', target: 'Full' }] },
              C: { entry: raise({ type: 'PING' }), on: { TICK: 'A' } },
              Full: { on: { RESET: { target: 'A', actions: { type: 'note', params: { what: 'emptied' } } } } },
            },
          },
          Right: {
            initial: 'X',
            states: {
              X: { on: { PING: { target: 'Y', actions: { type: 'say', params: { what: 'ping' } } }, TICK: { actions: 'bump' } } },
              Y: {
                entry: { type: 'note', params: { what: 'enter Y' } },
                exit: { type: 'note', params: { what: 'exit Y' } },
                always: { guard: 'big', target: '#show.Idle', actions: { type: 'note', params: { what: 'overflow' } } },
                on: { BUMP: { actions: 'bump' }, TICK: { target: 'Y', reenter: true } },
              },
            },
          },
        },
      },
      Done: { type: 'final', entry: { type: 'say', params: { what: 'done' } }, exit: { type: 'note', params: { what: 'exit Done' } } },
    },
  });

  it('a machine with parallel regions, eventless chains, raised and done events takes XState\'s steps, for 300 random runs', () => {
    expect(compileMachine(showcase)).toBeDefined();
    const events = (['GO', 'TICK', 'RESET', 'BUMP', 'FINISH', 'PING'] as const).map((type) => () => ({ type }));
    const seen = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) for (const s of compare(showcase, undefined, randomSteps(seed, 60, events, 300)).states) seen.add(s);
    expect([...seen].some((s) => s.includes('"Left":"Full"'))).toBe(true);
    expect(seen.has('{"Task":"End"}')).toBe(false); // done at once: the machine leaves it in the same step
    expect(seen.has('{"Task":"Second"}')).toBe(true);
    expect([...seen].some((s) => s.includes('"Right":"Y"'))).toBe(true);
    expect(seen.has('"Done"')).toBe(true);
  });

  it('a machine using what the compiled step does not cover keeps XState\'s step', () => {
    const withHistory = setup({}).createMachine({
      initial: 'A',
      states: { A: { initial: 'X', states: { X: { on: { NEXT: 'Y' } }, Y: {}, H: { type: 'history' } }, on: { OUT: 'B' } }, B: { on: { BACK: 'A.H' } } },
    });
    const withWildcard = setup({}).createMachine({ on: { '*': { actions: () => undefined } } });
    expect(compileMachine(withHistory)).toBeUndefined();
    expect(compileMachine(withWildcard)).toBeUndefined();
    const steps: Step[] = ['NEXT', 'OUT', 'BACK'].map((type) => ({ send: { type } }));
    expect(compare(withHistory, undefined, steps).states).toEqual(['{"A":"Y"}', '"B"', '{"A":"Y"}']);
  });
});
