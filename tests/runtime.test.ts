// The runtime's contract: virtual time, ordering, timers, supervision and determinism.
// DEVELOPERS.md "Architecture principles" 1 and 2; STYLE.md "Runtime".
import { describe, expect, it } from 'vitest';
import { assign, createActor, emit, setup } from 'xstate';
import { interval, take } from 'rxjs';
import {
  MachineRunner, MemoryTraceSink, Runtime, Supervisor, initialState, machineLogic, virtualScheduler, shouldRestart,
  type ActorContext, type ActorLogic, type Envelope, type RunnerListeners,
} from '../runtime/index.ts';
import { ManualClock } from './clock-helpers.ts';

/** Records what it receives; can be told to crash. */
class Recorder implements ActorLogic {
  got: string[] = [];
  receive(env: Envelope): void {
    if (env.message.type === 'boom') throw new Error('boom');
    this.got.push(env.message.type);
  }
  snapshot(): unknown {
    return { got: this.got };
  }
}

const pinger = setup({
  types: { context: {} as { pings: number }, input: {} as { peer: string } },
  actions: {
    countPing: assign({ pings: ({ context }) => context.pings + 1 }),
    sendPing: emit(({ context }) => ({ type: 'send' as const, to: 'peer', message: { type: 'ping', n: context.pings } })),
  },
  delays: { pingInterval: 1_000 },
}).createMachine({
  id: 'pinger',
  context: { pings: 0 },
  initial: 'Waiting',
  states: {
    Waiting: { after: { pingInterval: { target: 'Pinging' } } },
    Pinging: { entry: ['countPing', 'sendPing'], always: [{ guard: ({ context }) => context.pings >= 3, target: 'Done' }, { target: 'Waiting' }] },
    Done: { type: 'final' },
  },
});

describe('virtual clock and queue', () => {
  it('delivers messages in (time, sequence) order and never moves time backwards', () => {
    const rt = new Runtime({ seed: 1 });
    const r = new Recorder();
    rt.spawn({ id: 'r', start: () => r });
    rt.send('t', 'r', { type: 'late' }, { delay: 500 });
    rt.send('t', 'r', { type: 'first' });
    rt.send('t', 'r', { type: 'second' });
    rt.send('t', 'r', { type: 'also-late' }, { delay: 500 });
    rt.runFor(499);
    expect(r.got).toEqual(['first', 'second']);
    expect(rt.now()).toBe(499);
    rt.runFor(1);
    expect(r.got).toEqual(['first', 'second', 'late', 'also-late']);
  });

  it('keeps (time, sequence) order across thousands of zero-delay sends, later ones and timers, as actors react', () => {
    // Each actor, on every message, sends on (often with no delay, as the API server answers) or
    // starts a timer. Whatever the mix, deliveries must come in (due time, send order) order.
    const rt = new Runtime({ seed: 3 });
    const sent: Array<{ due: number; n: number }> = [];
    const got: number[] = [];
    let n = 0;
    const delays = [0, 0, 1, 1, 2, 3, 50];
    const logic = (): ActorLogic => {
      let ctx!: ActorContext;
      const react = (k: number) => {
        got.push(k);
        const rnd = ctx.random('fanout');
        for (let i = rnd.int(2); i >= 0 && n < 20_000; i--) {
          const delay = delays[rnd.int(delays.length)];
          const id = n++;
          sent.push({ due: ctx.now() + delay, n: id });
          if (rnd.int(4) === 0) ctx.startTimer('t', delay, () => react(id));
          else ctx.send(`a${rnd.int(5)}`, { type: 'm', id }, { delay });
        }
      };
      return { start: (c) => { ctx = c; }, receive: (env) => react(env.message.id as number) };
    };
    for (let i = 0; i < 5; i++) rt.spawn({ id: `a${i}`, start: logic });
    sent.push({ due: 0, n: n++ });
    rt.send('test', 'a0', { type: 'm', id: 0 });
    rt.runFor(60_000);
    expect(got.length).toBe(20_000);
    expect(got).toEqual([...sent].sort((a, b) => a.due - b.due || a.n - b.n).map((s) => s.n));
  });

  it('fires a timer started while advancing within the same advance', () => {
    const rt = new Runtime({ seed: 1 });
    const fired: number[] = [];
    const logic: ActorLogic = {
      start: (ctx) => { ctx.startTimer('a', 100, { type: 'a' }); },
      receive: (env, ctx) => {
        fired.push(ctx.now());
        if (env.message.type === 'a') ctx.startTimer('b', 50, { type: 'b' });
      },
    };
    rt.spawn({ id: 'x', start: () => logic });
    rt.runFor(200);
    expect(fired).toEqual([100, 150]);
  });

  it('runs XState `after` transitions on the virtual clock', () => {
    const rt = new Runtime({ seed: 1 });
    const peer = new Recorder();
    rt.spawn({ id: 'peer', start: () => peer });
    rt.spawn({ id: 'pinger', start: () => machineLogic(pinger) });
    rt.runFor(2_500);
    expect(peer.got).toEqual(['ping', 'ping']);
    rt.runUntilSettled();
    expect(rt.now()).toBe(3_000);
    expect(rt.logicOf('pinger')!.stateValue!()).toBe('Done');
  });

  it('drives RxJS timing operators from the virtual clock', () => {
    const rt = new Runtime({ seed: 1 });
    const seen: number[] = [];
    const logic: ActorLogic = {
      start: (ctx: ActorContext) => {
        interval(10_000, virtualScheduler(ctx)).pipe(take(3)).subscribe(() => seen.push(ctx.now()));
      },
      receive: () => {},
    };
    rt.spawn({ id: 'rx', start: () => logic });
    rt.runFor(60_000);
    expect(seen).toEqual([10_000, 20_000, 30_000]);
  });

  it('runUntil reports what is pending when it times out', () => {
    const rt = new Runtime({ seed: 7 });
    rt.spawn({ id: 'r', start: () => new Recorder() });
    rt.send('t', 'r', { type: 'x' }, { delay: 10_000 });
    expect(() => rt.runUntil(() => false, { timeout: 1_000, what: 'nothing' })).toThrow(/seed 7.*1× x → r/);
  });
});

describe('faults', () => {
  it('drops, delays and duplicates messages through fault hooks', () => {
    const rt = new Runtime({ seed: 1, trace: new MemoryTraceSink() });
    const r = new Recorder();
    rt.spawn({ id: 'r', start: () => r });
    const remove = rt.addFaultHook((env) => {
      if (env.message.type === 'lost') return { action: 'drop', reason: 'partition' };
      if (env.message.type === 'slow') return { action: 'delay', ms: 1_000 };
      if (env.message.type === 'twice') return { action: 'duplicate' };
      return undefined;
    });
    for (const type of ['slow', 'lost', 'twice', 'plain']) rt.send('t', 'r', { type });
    rt.runFor(10);
    expect(r.got).toEqual(['twice', 'twice', 'plain']);
    rt.runFor(1_000);
    expect(r.got).toEqual(['twice', 'twice', 'plain', 'slow']);
    remove();
    rt.send('t', 'r', { type: 'lost' });
    rt.runFor(0);
    expect(r.got.at(-1)).toBe('lost');
  });
});

describe('supervision (Erlang/OTP)', () => {
  it('restarts a crashed permanent child with fresh state (one-for-one)', () => {
    const rt = new Runtime({ seed: 1 });
    const made: Recorder[] = [];
    const child = { id: 'worker', start: () => { const r = new Recorder(); made.push(r); return r; } };
    rt.spawn({ id: 'sup', start: () => new Supervisor([child], { intensity: 3, period: 60_000 }) });
    rt.send('t', 'worker', { type: 'remember-me' });
    rt.runFor(0);
    expect(made[0].got).toEqual(['remember-me']);
    rt.send('t', 'worker', { type: 'boom' });
    rt.runFor(0);
    expect(made).toHaveLength(2);
    expect(made[1].got).toEqual([]);
    expect(rt.status('worker')).toBe('running');
    expect(rt.incarnation('worker')).toBe(2);
  });

  it('runtime.crash() kills the actor and its timers; the restarted one starts clean', () => {
    const rt = new Runtime({ seed: 1 });
    let timerFires = 0;
    const child = {
      id: 'ticker',
      start: (): ActorLogic => ({ start: (ctx) => { ctx.startTimer('t', 1_000, { type: 'tick' }); }, receive: () => { timerFires++; } }),
    };
    rt.spawn({ id: 'sup', start: () => new Supervisor([child]) });
    rt.runFor(500);
    rt.crash('ticker');
    rt.runFor(0);
    rt.runFor(1_000);
    // The first incarnation's timer died with it; only the restarted incarnation's fired, at 1,500 ms.
    expect(timerFires).toBe(1);
  });

  it('one-for-all restarts every child; rest-for-one restarts the later ones', () => {
    for (const [strategy, expected] of [['oneForAll', [2, 2, 2]], ['restForOne', [1, 2, 2]]] as const) {
      const rt = new Runtime({ seed: 1 });
      const specs = ['a', 'b', 'c'].map((id) => ({ id, start: () => new Recorder() }));
      rt.spawn({ id: 'sup', start: () => new Supervisor(specs, { strategy, intensity: 5, period: 1_000 }) });
      rt.crash('b');
      rt.runFor(0);
      expect(['a', 'b', 'c'].map((id) => rt.incarnation(id))).toEqual(expected);
    }
  });

  it('follows OTP\'s restart table for permanent, transient and temporary children', () => {
    expect(shouldRestart({ id: 'p', start: () => new Recorder(), restart: 'permanent' }, true)).toBe(true);
    expect(shouldRestart({ id: 'p', start: () => new Recorder(), restart: 'permanent' }, false)).toBe(true);
    expect(shouldRestart({ id: 't', start: () => new Recorder(), restart: 'transient' }, true)).toBe(false);
    expect(shouldRestart({ id: 't', start: () => new Recorder(), restart: 'transient' }, false)).toBe(true);
    expect(shouldRestart({ id: 'x', start: () => new Recorder(), restart: 'temporary' }, false)).toBe(false);
  });

  it('escalates to the parent when restart intensity is exceeded', () => {
    const rt = new Runtime({ seed: 1 });
    const inner = { id: 'inner', start: () => new Supervisor([{ id: 'w', start: () => new Recorder() }], { intensity: 2, period: 10_000 }) };
    rt.spawn({ id: 'outer', start: () => new Supervisor([inner], { intensity: 5, period: 10_000 }) });
    for (let i = 0; i < 3; i++) {
      rt.crash('w');
      rt.runFor(0);
    }
    // The third crash within 10 s exceeds intensity 2: inner gives up, outer restarts it.
    expect(rt.incarnation('inner')).toBe(2);
    expect(rt.incarnation('w')).toBe(4);
    expect(rt.status('w')).toBe('running');
  });

  it('a root supervisor that gives up stops the simulation with the seed in the error', () => {
    const rt = new Runtime({ seed: 42 });
    rt.spawn({ id: 'root', start: () => new Supervisor([{ id: 'w', start: () => new Recorder() }], { intensity: 0, period: 1_000 }) }, '');
    rt.crash('w');
    expect(() => rt.runFor(0)).toThrow(/root supervisor gave up.*seed 42/);
  });
});

describe('determinism', () => {
  function run(seed: number): { trace: string; ids: string[] } {
    const sink = new MemoryTraceSink();
    const rt = new Runtime({ seed, trace: sink });
    const ids: string[] = [];
    const logic: ActorLogic = {
      start: (ctx) => { ctx.startTimer('go', 10, { type: 'go' }); },
      receive: (_env, ctx) => {
        const id = ctx.random('uid').ids('abc123', 8)();
        ids.push(id);
        if (ids.length < 5) ctx.startTimer('go', 10 + ctx.random('jitter').int(100), { type: 'go' });
      },
    };
    rt.spawn({ id: 'peer', start: () => new Recorder() });
    rt.spawn({ id: 'gen', start: () => logic });
    rt.spawn({ id: 'pinger', start: () => machineLogic(pinger) });
    rt.runUntilSettled();
    return { trace: sink.text(), ids };
  }

  it('the same seed gives a byte-identical trace; another seed gives other ids', () => {
    const a = run(5);
    const b = run(5);
    const c = run(6);
    expect(a.trace).toBe(b.trace);
    expect(a.trace.length).toBeGreaterThan(500);
    expect(a.ids).toEqual(b.ids);
    expect(c.ids).not.toEqual(a.ids);
  });

  it('snapshot() is canonical: equal states serialise equally', () => {
    const make = () => {
      const rt = new Runtime({ seed: 3 });
      rt.spawn({ id: 'r', start: () => new Recorder() });
      rt.send('a', 'r', { type: 'x', z: 1, a: 2 });
      return JSON.stringify(rt.snapshot());
    };
    expect(make()).toBe(make());
    expect(make()).toContain('"message":{"a":2,"type":"x","z":1}');
  });
});

describe('real-time pacing', () => {
  it('runRealtime advances the virtual clock by speed × wall time and stops at the duration', async () => {
    const { runRealtime } = await import('../runtime/index.ts');
    const rt = new Runtime({ seed: 1 });
    const r = new Recorder();
    rt.spawn({ id: 'r', start: () => r });
    rt.send('t', 'r', { type: 'at-one-hour' }, { delay: 3_600_000 });
    // A very high speed finishes an hour of virtual time within a few wall ticks.
    await runRealtime(rt, { duration: 3_600_000, speed: 1e9, tickMs: 1 });
    expect(rt.now()).toBe(3_600_000);
    expect(r.got).toEqual(['at-one-hour']);
  });
});

describe('runtime: standing periodic streams', () => {
  /** Keeps every message it receives (with its virtual time) and its context. */
  class Party implements ActorLogic {
    got: Array<{ at: number; message: Record<string, unknown> }> = [];
    ctx!: ActorContext;
    start(ctx: ActorContext): void {
      this.ctx = ctx;
    }
    receive(env: Envelope): void {
      this.got.push({ at: this.ctx.now(), message: env.message });
    }
  }

  function pair(opts: { standing?: boolean } = {}): { rt: Runtime; sender: Party; receiver: Party } {
    const rt = new Runtime({ seed: 3, ...opts });
    const sender = new Party();
    const receiver = new Party();
    rt.spawn({ id: 'sender', start: () => sender });
    rt.spawn({ id: 'receiver', start: () => receiver });
    return { rt, sender, receiver };
  }

  it('opens with one delivery and ends naming the last period covered when the sender crashes', () => {
    const { rt, sender, receiver } = pair();
    rt.runFor(5_000);
    const stream = sender.ctx.openStanding('receiver', { type: 'renew' }, 10_000)!;
    expect(stream).toBeGreaterThan(0);
    const stepsBefore = rt.steps;
    rt.runFor(3_600_000);
    // An hour of periods costs the delivery of the opening notice only.
    expect(rt.steps - stepsBefore).toBe(1);
    expect(receiver.got).toEqual([{ at: 5_000, message: { type: '$STANDING_OPEN', stream, message: { type: 'renew' }, start: 5_000, period: 10_000 } }]);
    rt.runFor(7_000); // now 3,612,000: the last period is 3,605,000
    rt.crash('sender');
    rt.runFor(0);
    expect(receiver.got[1]).toEqual({ at: 3_612_000, message: { type: '$STANDING_END', stream, lastTick: 3_605_000, reason: 'down' } });
    expect(rt.standingCount).toBe(0);
  });

  it('a phase in the past sets the periods; the side that closes is not told, the other is', () => {
    const { rt, sender, receiver } = pair();
    rt.runFor(42_000);
    const stream = sender.ctx.openStanding('receiver', { type: 'report' }, 300_000, 30_000)!;
    rt.runFor(700_000);
    receiver.ctx.closeStanding(stream);
    rt.runFor(0);
    expect(sender.got).toEqual([{ at: 742_000, message: { type: '$STANDING_END', stream, lastTick: 630_000, reason: 'closed' } }]);
    expect(receiver.got.map((g) => g.message.type)).toEqual(['$STANDING_OPEN']);
  });

  it('a fault hook ends every stream at once (both sides told), and no stream opens while one is installed', () => {
    const { rt, sender, receiver } = pair();
    const stream = sender.ctx.openStanding('receiver', { type: 'renew' }, 10_000)!;
    rt.runFor(25_000);
    const remove = rt.addFaultHook(() => undefined);
    rt.runFor(0);
    const end = { type: '$STANDING_END', stream, lastTick: 20_000, reason: 'fault' };
    expect(receiver.got.at(-1)!.message).toEqual(end);
    expect(sender.got.at(-1)!.message).toEqual(end);
    expect(sender.ctx.openStanding('receiver', { type: 'renew' }, 10_000)).toBeUndefined();
    remove();
    expect(sender.ctx.openStanding('receiver', { type: 'renew' }, 10_000)).toBeGreaterThan(stream);
  });

  it('is off when the runtime is told so (the model checker sees every period as a delivery)', () => {
    const { sender } = pair({ standing: false });
    expect(sender.ctx.openStanding('receiver', { type: 'renew' }, 10_000)).toBeUndefined();
  });
});

describe('runtime: cancelled timers', () => {
  it('after most of 20,000 timers are cancelled (the queue is purged of them), the rest fire in (time, sequence) order', () => {
    const rt = new Runtime({ seed: 5 });
    const fired: number[] = [];
    let ctx!: ActorContext;
    rt.spawn({ id: 'a', start: () => ({ start: (c: ActorContext) => { ctx = c; }, receive: () => {} }) });
    const handles: number[] = [];
    // Due times repeat (i % 97), so order among equal times is by sequence number.
    for (let i = 0; i < 20_000; i++) handles.push(ctx.startTimer(`t${i}`, (i % 97) * 10, () => fired.push(i)));
    for (let i = 0; i < 20_000; i++) if (i % 10 !== 0) ctx.cancelTimer(handles[i]);
    rt.runFor(1_000);
    const expected = Array.from({ length: 2_000 }, (_, k) => k * 10).sort((x, y) => (x % 97) - (y % 97) || x - y);
    expect(fired).toEqual(expected);
  });

  it('a purge while messages of the current time are pending keeps them, in order, before later timers', () => {
    const rt = new Runtime({ seed: 5 });
    const got: string[] = [];
    const handles: number[] = [];
    let ctx!: ActorContext;
    rt.spawn({
      id: 'a',
      start: () => ({
        start: (c: ActorContext) => { ctx = c; },
        receive: (env: Envelope) => {
          got.push(`${env.message.type}@${rt.now()}`);
          if (env.message.type !== 'go') return;
          // Sent now, then most timers cancelled (a purge), then more sent now.
          for (let i = 0; i < 3; i++) ctx.send('a', { type: `m${i}` });
          for (let i = 0; i < handles.length; i++) if (i % 1000 !== 0) ctx.cancelTimer(handles[i]);
          ctx.send('a', { type: 'm3' });
        },
      }),
    });
    for (let i = 0; i < 10_000; i++) handles.push(ctx.startTimer(`t${i}`, 100 + i, { type: `t${i}` }));
    ctx.send('a', { type: 'go' });
    ctx.startTimer('same-time', 0, { type: 'zero-delay-timer' });
    rt.runFor(20_000);
    expect(got).toEqual(['go@0', 'zero-delay-timer@0', 'm0@0', 'm1@0', 'm2@0', 'm3@0', ...Array.from({ length: 10 }, (_, k) => `t${k * 1000}@${100 + k * 1000}`)]);
  });
});

describe('runtime: timers of an actor', () => {
  it('a handle cancels only its own actor\'s timer, and only once; a stopped actor\'s timers neither fire nor keep the runtime busy', () => {
    const rt = new Runtime({ seed: 5 });
    const fired: string[] = [];
    const ctxs: Record<string, ActorContext> = {};
    for (const id of ['a', 'b']) rt.spawn({ id, start: () => ({ start: (c: ActorContext) => { ctxs[id] = c; }, receive: () => {} }) });
    const a1 = ctxs.a.startTimer('a1', 100, () => fired.push('a1'));
    const a2 = ctxs.a.startTimer('a2', 200, () => fired.push('a2'));
    ctxs.a.startTimer('a3', 300, () => fired.push('a3'));
    ctxs.b.startTimer('b1', 250, () => fired.push('b1'));
    // Another actor's handle is not b's to cancel.
    ctxs.b.cancelTimer(a1);
    ctxs.a.cancelTimer(a2);
    ctxs.a.cancelTimer(a2);
    rt.runFor(150);
    // A fired timer's handle cancels nothing (handles are never reused).
    ctxs.a.cancelTimer(a1);
    expect(fired).toEqual(['a1']);
    rt.stop('a');
    rt.runUntilSettled();
    expect(fired).toEqual(['a1', 'b1']);
    // a3 (due at 300) went with a: nothing is left to wait for after b1.
    expect(rt.now()).toBe(250);
  });
});

describe('runtime: initial states of XState machines', () => {
  const door = setup({
    types: { input: {} as { locked: boolean }, context: {} as { locked: boolean; opened: number } },
    guards: { isLocked: ({ context }) => context.locked },
    actions: { announce: emit(({ context }) => ({ type: 'entered', locked: context.locked })) },
  }).createMachine({
    context: ({ input }) => ({ locked: input.locked, opened: 0 }),
    initial: 'Checking',
    states: {
      Checking: { always: [{ guard: 'isLocked', target: 'Locked' }, { target: 'Closed' }] },
      Locked: { entry: 'announce' },
      Closed: { entry: 'announce', on: { OPEN: { target: 'Open', actions: assign({ opened: ({ context }) => context.opened + 1 }) } } },
      Open: { after: { 1000: 'Closed' } },
    },
  });

  it('an actor restored from a kept initial state is where a new one would be, and its listener gets what it would have emitted', () => {
    for (const locked of [false, true]) {
      const emitted: unknown[] = [];
      const fresh = createActor(door, { input: { locked } });
      fresh.on('*', (ev) => emitted.push(ev));
      fresh.start();
      const kept = initialState(door, { locked })!;
      expect(kept.emitted).toEqual(emitted);
      const restored = createActor(door, { snapshot: kept.snapshot as any, input: { locked } }).start();
      expect(restored.getSnapshot().value).toBe(fresh.getSnapshot().value);
      expect(restored.getSnapshot().context).toEqual(fresh.getSnapshot().context);
      // It goes on as the new one does.
      if (!locked) {
        restored.send({ type: 'OPEN' });
        fresh.send({ type: 'OPEN' });
        expect(restored.getSnapshot().value).toBe('Open');
        expect(restored.getSnapshot().context.opened).toBe(1);
      }
    }
    // Made once per input: the same object comes back.
    expect(initialState(door, { locked: true })).toBe(initialState(door, { locked: true }));
  });

  it('machines started from a kept initial state share one restored snapshot, which none of them changes', () => {
    const kept = initialState(door, { locked: false })!;
    const clock = { setTimeout: () => 0, clearTimeout: () => undefined }; // wall-clock-ok: a clock no test timer reaches
    const start = (from: { state?: any; persisted?: unknown }) => {
      const r = new MachineRunner(door, 'door', clock, { onEmit: () => {}, onError: (e) => { throw e; } }, from);
      r.start();
      return r;
    };
    const a = start({ state: kept.restored });
    const b = start({ state: kept.restored });
    const shared = b.getSnapshot();
    expect(a.getSnapshot()).toBe(shared);
    expect(Object.isFrozen(shared)).toBe(true);
    a.send({ type: 'OPEN' });
    expect(a.getSnapshot().value).toBe('Open');
    expect(a.getSnapshot().context.opened).toBe(1);
    // The other machine and the shared snapshot are as they were.
    expect(b.getSnapshot()).toBe(shared);
    expect(shared.value).toBe('Closed');
    expect(shared.context.opened).toBe(0);
    // Any other snapshot restores as XState restores it.
    const other = start({ persisted: a.getPersistedSnapshot() });
    expect(other.getSnapshot().value).toBe('Open');
    expect(other.getSnapshot()).not.toBe(shared);
    for (const r of [a, b, other]) r.stop();
  });

  it('an initial state that arms a timer is not kept: the timer would not survive as data', () => {
    const blinking = setup({}).createMachine({ initial: 'On', states: { On: { after: { 500: 'Off' } }, Off: {} } });
    expect(initialState(blinking, {})).toBeUndefined();
  });
});

describe('runtime: machines run without an XState Actor (MachineRunner)', () => {
  const job = setup({
    types: { context: {} as { runs: number }, events: {} as { type: 'START' } | { type: 'PING' } | { type: 'STOP' } | { type: 'BAD' } },
    guards: { broken: () => { throw new Error('guard failed'); } },
    actions: {
      started: emit(({ context }) => ({ type: 'started', runs: context.runs })),
      pong: emit({ type: 'pong' }),
      count: assign({ runs: ({ context }) => context.runs + 1 }),
    },
  }).createMachine({
    context: { runs: 0 },
    initial: 'Idle',
    states: {
      Idle: { on: { START: { target: 'Working', actions: 'count' } } },
      Working: {
        entry: 'started',
        after: { 1000: 'Idle' },
        on: { PING: { actions: 'pong' }, STOP: 'Done', BAD: { guard: 'broken', target: 'Idle' } },
      },
      Done: { type: 'final' },
    },
  });

  function runner(clock: ManualClock, log: string[], parent?: MachineRunner): { r: MachineRunner; errors: unknown[] } {
    const errors: unknown[] = [];
    const listeners: RunnerListeners = {
      onEmit: (ev) => {
        log.push(`emit ${ev.type}`);
        // An event sent from a listener waits for the transition under way (the actor's mailbox).
        if (ev.type === 'started') r.send({ type: 'PING' });
      },
      onChange: (s) => log.push(`state ${JSON.stringify(s.value)}`),
      onError: (e) => errors.push(e),
    };
    const r = new MachineRunner(job, 'job', clock, listeners, { input: undefined }, parent);
    return { r, errors };
  }

  it('takes the states, emits and timers an XState actor of the same machine takes, in the same order', () => {
    const viaActor: string[] = [];
    const actorClock = new ManualClock();
    const actor = createActor(job, { clock: actorClock });
    actor.on('*', (ev) => {
      viaActor.push(`emit ${ev.type}`);
      if (ev.type === 'started') actor.send({ type: 'PING' });
    });
    actor.subscribe((s) => viaActor.push(`state ${JSON.stringify(s.value)}`));
    actor.start();

    const viaRunner: string[] = [];
    const clock = new ManualClock();
    const { r } = runner(clock, viaRunner);
    r.start();

    for (const [a, step] of [[actor, actorClock], [r, clock]] as const) {
      a.send({ type: 'START' });
      step.advance(999);
      a.send({ type: 'PING' });
      step.advance(1); // the `after` timer: back to Idle
      a.send({ type: 'START' });
      a.send({ type: 'START' }); // no transition in Working: nothing changes but a snapshot
    }
    expect(viaRunner).toEqual(viaActor);
    expect(viaRunner.slice(0, 5)).toEqual(['state "Idle"', 'emit started', 'state "Working"', 'emit pong', 'state "Working"']);
    expect(r.getSnapshot().context.runs).toBe(2);
    expect(r.getSnapshot().value).toBe(actor.getSnapshot().value);
    expect(r.hasTimers()).toBe(true);
    // Its persisted snapshot is XState's, and restores as XState's does.
    expect(JSON.stringify(r.getPersistedSnapshot())).toBe(JSON.stringify(job.getPersistedSnapshot(r.getSnapshot() as any)));
    expect(JSON.stringify(r.getPersistedSnapshot())).toBe(JSON.stringify(actor.getPersistedSnapshot()));
    const again = new MachineRunner(job, 'job', clock, { onEmit: () => {}, onError: () => {} }, { persisted: r.getPersistedSnapshot() });
    again.start();
    expect(again.getSnapshot().value).toBe('Working');
    expect(again.getSnapshot().context.runs).toBe(2);
  });

  it('leaving a state cancels its timer; a final state stops the machine and tells its parent', () => {
    const clock = new ManualClock();
    const heard: string[] = [];
    const parentMachine = setup({}).createMachine({ on: { '*': { actions: ({ event }) => { heard.push(event.type); } } } });
    const parent = new MachineRunner(parentMachine, 'pod', clock, { onEmit: () => {}, onError: () => {} }, { input: undefined });
    parent.start();
    const { r } = runner(clock, [], parent);
    r.start();
    r.send({ type: 'START' });
    expect(clock.timers.size).toBe(1);
    r.send({ type: 'STOP' });
    expect(clock.timers.size).toBe(0);
    expect(r.getSnapshot().status).toBe('done');
    expect(heard).toEqual(['xstate.done.actor.job']);
    r.send({ type: 'START' });
    expect(r.getSnapshot().value).toBe('Done');
  });

  it('an error in the machine stops it, cancels its timers and reaches its owner (not a stray exception)', () => {
    const clock = new ManualClock();
    const { r, errors } = runner(clock, []);
    r.start();
    r.send({ type: 'START' });
    r.send({ type: 'BAD' });
    expect(errors.map((e) => (e as Error).message)).toEqual([expect.stringContaining('guard failed')]);
    expect(r.getSnapshot().status).toBe('error');
    expect(clock.timers.size).toBe(0);
    r.send({ type: 'STOP' });
    expect(r.getSnapshot().status).toBe('error');

    // A listener that throws fails the machine the same way.
    const failing = new MachineRunner(job, 'job', clock, { onEmit: () => { throw new Error('listener failed'); }, onError: (e) => errors.push(e) }, { input: undefined });
    failing.start();
    failing.send({ type: 'START' });
    expect((errors[1] as Error).message).toBe('listener failed');
    expect(failing.getSnapshot().status).toBe('error');
  });
});
