// A clock run by hand for tests of machines: XState's `clock` option and a MachineRunner both take
// its setTimeout/clearTimeout.

export class ManualClock {
  now = 0;
  private next = 1;
  readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number { // wall-clock-ok: a test clock, run by hand
    this.timers.set(this.next, { at: this.now + ms, fn });
    return this.next++;
  }

  clearTimeout(handle: number): void {
    this.timers.delete(handle);
  }

  /** Fires what is due within `ms`, in time order (then in the order armed), each at its own instant. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!first || e[1].at < first[1].at)) first = e;
      if (!first) break;
      this.timers.delete(first[0]);
      this.now = Math.max(this.now, first[1].at);
      first[1].fn();
    }
    this.now = end;
  }

  /** The pending timers' delays from now, shortest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }
}
