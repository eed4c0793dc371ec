// Runtime throughput beside raw XState, measured in the same process (DEVELOPERS.md principle 6).
// The figure that matters is the ratio: the runtime's delivery and timer paths over XState alone.
import { assign, createActor, setup } from 'xstate';
import { Runtime, MemoryTraceSink, machineLogic, type ActorLogic, type TraceSink } from '../runtime/index.ts';
import { EntryHeap } from '../runtime/heap.ts';
import { fmt, measure, print } from './harness.ts';

const small = setup({ actions: { inc: assign({ count: ({ context }) => context.count + 1 }) } }).createMachine({
  context: { count: 0 }, initial: 'idle',
  states: {
    idle: { on: { START: 'running' } },
    running: { on: { TICK: { actions: 'inc' }, FINISH: 'done' } },
    done: { on: { RESET: 'idle' } },
  },
});
const CYCLE = [{ type: 'START' }, { type: 'TICK' }, { type: 'FINISH' }, { type: 'RESET' }];

const ticker = setup({}).createMachine({
  initial: 'a', states: { a: { after: { 10000: 'b' } }, b: { after: { 10000: 'a' } } },
});

/** A sink that costs what serialising costs but keeps nothing. */
class CountingSink implements TraceSink {
  bytes = 0;
  write(line: string): void {
    this.bytes += line.length;
  }
}

function rawSend(n: number): () => void {
  return () => {
    const a = createActor(small).start();
    for (let i = 0; i < n; i++) a.send(CYCLE[i & 3]);
  };
}

function busSend(n: number, trace?: TraceSink): () => void {
  return () => {
    const rt = new Runtime({ seed: 1, trace });
    rt.spawn({ id: 'm', start: () => machineLogic(small) });
    for (let i = 0; i < n; i++) {
      rt.send('bench', 'm', CYCLE[i & 3]);
      rt.step();
    }
  };
}

function busPlain(n: number): () => void {
  return () => {
    const rt = new Runtime({ seed: 1 });
    let count = 0;
    const logic: ActorLogic = { receive: () => { count++; } };
    rt.spawn({ id: 'p', start: () => logic });
    for (let i = 0; i < n; i++) {
      rt.send('bench', 'p', CYCLE[i & 3]);
      rt.step();
    }
    if (count !== n) throw new Error('lost messages');
  };
}

/** Raw XState timers on a minimal heap clock (the reference figure of xstate-perf.md 2a). */
function rawTimers(actors: number, rounds: number): () => void {
  return () => {
    let seq = 0;
    let now = 0;
    const heap = new EntryHeap<{ due: number; seq: number; fn: () => void; dead: boolean }>();
    const byId = new Map<number, { dead: boolean }>();
    const clock = {
      setTimeout: (fn: () => void, ms: number) => { const e = { due: now + ms, seq: seq++, fn, dead: false }; heap.push(e); byId.set(e.seq, e); return e.seq; },
      clearTimeout: (id: number) => { const e = byId.get(id); if (e) e.dead = true; },
    };
    for (let i = 0; i < actors; i++) createActor(ticker, { clock: clock as any }).start();
    for (let r = 0; r < rounds; r++) {
      const end = now + 10000;
      for (let e = heap.peek(); e && e.due <= end; e = heap.peek()) {
        heap.pop();
        byId.delete(e.seq);
        now = e.due;
        if (!e.dead) e.fn();
      }
      now = end;
    }
  };
}

function runtimeTimers(actors: number, rounds: number, trace?: TraceSink): () => void {
  return () => {
    const rt = new Runtime({ seed: 1, trace });
    for (let i = 0; i < actors; i++) rt.spawn({ id: `t${i}`, start: () => machineLogic(ticker) });
    rt.runFor(10000 * rounds);
  };
}

export function runtimeBench(): void {
  const N = 400_000;
  const raw = measure(N, rawSend(N));
  const bus = measure(N, busSend(N));
  const busTraced = measure(N, busSend(N, new CountingSink()));
  const busMem = measure(N, busSend(N, new MemoryTraceSink()));
  const plain = measure(N, busPlain(N));
  print('Message bus: deliveries/s (one XState actor, 4-event cycle)', [
    ['raw XState actor.send', `${fmt(raw.best)}/s (median ${fmt(raw.median)})`],
    ['runtime.send → XState actor', `${fmt(bus.best)}/s (median ${fmt(bus.median)}), ratio ${(bus.best / raw.best).toFixed(2)}`],
    ['  with trace (serialised, discarded)', `${fmt(busTraced.best)}/s, ratio ${(busTraced.best / raw.best).toFixed(2)}`],
    ['  with trace kept in memory', `${fmt(busMem.best)}/s, ratio ${(busMem.best / raw.best).toFixed(2)}`],
    ['runtime.send → plain actor', `${fmt(plain.best)}/s (runtime overhead alone)`],
  ]);
  const actors = 10_000;
  const rounds = 20;
  const fires = actors * rounds;
  const rawT = measure(fires, rawTimers(actors, rounds));
  const rtT = measure(fires, runtimeTimers(actors, rounds));
  const rtTraced = measure(fires, runtimeTimers(actors, rounds, new CountingSink()));
  print(`Virtual timers: XState \`after\` transitions/s (${actors} actors × ${rounds} rounds)`, [
    ['raw XState on a bare heap clock', `${fmt(rawT.best)}/s (median ${fmt(rawT.median)})`],
    ['runtime clock', `${fmt(rtT.best)}/s (median ${fmt(rtT.median)}), ratio ${(rtT.best / rawT.best).toFixed(2)}`],
    ['  with trace (serialised, discarded)', `${fmt(rtTraced.best)}/s, ratio ${(rtTraced.best / rawT.best).toFixed(2)}`],
  ]);
}
