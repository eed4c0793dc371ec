/* eslint-disable no-restricted-globals, no-restricted-properties -- pacing mode is the one place wall time is used */
// Real-time pacing: the only place wall time is used. Advances the virtual clock in step with
// the wall clock times a speed factor, so a person (or the inspector) can watch a run live.
import type { Runtime } from './runtime.ts';

export interface PacingOptions {
  /** Virtual milliseconds to run. */
  duration: number;
  /** Virtual time per wall time; 1 = real time, 60 = a minute per second. */
  speed?: number;
  /** Wall milliseconds between advances. */
  tickMs?: number;
  /** Stops early when aborted. */
  signal?: AbortSignal;
}

export async function runRealtime(rt: Runtime, opts: PacingOptions): Promise<void> {
  const speed = opts.speed ?? 1;
  const tick = opts.tickMs ?? 50;
  const end = rt.now() + opts.duration;
  const wallStart = performance.now(); // wall-clock-ok: pacing mode
  const virtualStart = rt.now();
  while (rt.now() < end && !opts.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, tick)); // wall-clock-ok: pacing mode
    const elapsed = performance.now() - wallStart; // wall-clock-ok: pacing mode
    const target = Math.min(end, virtualStart + Math.floor(elapsed * speed));
    if (target > rt.now()) rt.runFor(target - rt.now());
  }
}
