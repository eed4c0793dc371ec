// Real-time pacing with pause, step and speed for a runtime that a scenario drives synchronously
// (cluster.runFor, runUntil). It runs in the recorder's worker thread: before each queue entry it
// waits (Atomics.wait on shared memory the server writes) until the wall clock, times the speed,
// has reached the entry's virtual time, or, when paused, until a step is granted. The server's
// thread stays free to serve the page meanwhile.
import type { Runtime } from '../runtime/index.ts';

/** Slots of the shared control block. */
export const CTRL = { paused: 0, budget: 1, version: 2, stop: 3 } as const;
const SPEED_OFFSET = 32;

/** The shared control block: written by the server (commands), read by the pacer. */
export class Controls {
  readonly ints: Int32Array;
  readonly speeds: Float64Array;
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(64)) {
    this.ints = new Int32Array(buffer, 0, 8);
    this.speeds = new Float64Array(buffer, SPEED_OFFSET, 1);
  }
  get paused(): boolean { return Atomics.load(this.ints, CTRL.paused) === 1; }
  get speed(): number { return this.speeds[0]; }
  get version(): number { return Atomics.load(this.ints, CTRL.version); }
  get stopped(): boolean { return Atomics.load(this.ints, CTRL.stop) === 1; }
  private bump(): void {
    Atomics.add(this.ints, CTRL.version, 1);
    Atomics.notify(this.ints, CTRL.version);
  }
  pause(): void { Atomics.store(this.ints, CTRL.paused, 1); this.bump(); }
  play(): void { Atomics.store(this.ints, CTRL.budget, 0); Atomics.store(this.ints, CTRL.paused, 0); this.bump(); }
  step(count = 1): void { Atomics.store(this.ints, CTRL.paused, 1); Atomics.add(this.ints, CTRL.budget, Math.max(1, Math.floor(count))); this.bump(); }
  setSpeed(speed: number): void { this.speeds[0] = speed > 0 ? speed : Infinity; this.bump(); }
  stop(): void { Atomics.store(this.ints, CTRL.stop, 1); this.bump(); }
}

/** Thrown inside the scenario when the server stops the run. */
export class StopRun extends Error {
  constructor() {
    super('inspector stopped the run');
  }
}

/** Longest single wait, so commands and flushes stay responsive. */
const MAX_WAIT_MS = 100;

export class Pacer {
  private seen = -1;
  private virtualAnchor = 0;
  private wallAnchor = 0;

  /** `idle` runs whenever the pacer is about to wait (flush messages, post a status). */
  constructor(private readonly rt: Runtime, private readonly controls: Controls, private readonly idle: () => void) {}

  /** Replaces the runtime's step and runFor so every entry, and every jump of the clock, is paced. */
  install(): void {
    const rt = this.rt;
    const step = rt.step.bind(rt);
    const runFor = rt.runFor.bind(rt);
    rt.step = () => {
      const due = rt.nextDue();
      if (due !== undefined) this.waitUntil(due, true);
      return step();
    };
    rt.runFor = (ms: number) => {
      const end = rt.now() + ms;
      for (let due = rt.nextDue(); due !== undefined && due <= end; due = rt.nextDue()) rt.step();
      this.waitUntil(end, false);
      runFor(Math.max(0, end - rt.now()));
    };
  }

  /** Blocks until virtual time `target` may be reached (playing) or a step is granted (paused). */
  waitUntil(target: number, isStep: boolean): void {
    const c = this.controls;
    for (;;) {
      if (c.stopped) throw new StopRun();
      const v = c.version;
      if (v !== this.seen) {
        this.seen = v;
        this.virtualAnchor = this.rt.now();
        this.wallAnchor = performance.now();
      }
      if (c.paused) {
        if (!isStep && target <= this.rt.now()) return;
        // A step delivers one queue entry, or lets the clock jump to the end of a runFor.
        if (Atomics.load(c.ints, CTRL.budget) > 0) {
          Atomics.sub(c.ints, CTRL.budget, 1);
          return;
        }
        this.idle();
        Atomics.wait(c.ints, CTRL.version, v, MAX_WAIT_MS * 10);
        continue;
      }
      const speed = c.speed;
      if (speed === Infinity) return;
      const allowed = this.virtualAnchor + (performance.now() - this.wallAnchor) * speed;
      if (target <= allowed) return;
      this.idle();
      Atomics.wait(c.ints, CTRL.version, v, Math.max(1, Math.min(MAX_WAIT_MS, (target - allowed) / speed)));
    }
  }
}
