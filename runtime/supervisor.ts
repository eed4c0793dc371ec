// An Erlang/OTP-style supervisor: child specs, restart strategies (one-for-one, one-for-all,
// rest-for-one), restart types (permanent, transient, temporary) and restart intensity on the
// virtual clock. Exceeding the intensity shuts the children down and escalates to the parent
// (the supervisor itself exits abnormally).
import type { ActorContext, ActorLogic, ChildSpec, Envelope, SupervisorFlags } from './types.ts';
import type { ExitSignal } from './runtime.ts';

export const DEFAULT_FLAGS: SupervisorFlags = { strategy: 'oneForOne', intensity: 1, period: 5_000 };

export class Supervisor implements ActorLogic {
  private specs: ChildSpec[];
  private running = new Set<string>();
  private restarts: number[] = [];
  private readonly flags: SupervisorFlags;

  constructor(children: ChildSpec[], flags: Partial<SupervisorFlags> = {}) {
    this.specs = [...children];
    this.flags = { ...DEFAULT_FLAGS, ...flags };
  }

  /** Children start left to right. */
  start(ctx: ActorContext): void {
    for (const spec of this.specs) this.startOne(spec, ctx);
  }

  /** Adds and starts a child at run time (supervisor:start_child). */
  startChild(spec: ChildSpec, ctx: ActorContext): void {
    this.specs = this.specs.filter((s) => s.id !== spec.id).concat(spec);
    this.startOne(spec, ctx);
  }

  /** Stops a child and forgets its spec (supervisor:terminate_child + delete_child). */
  deleteChild(id: string, ctx: ActorContext): void {
    ctx.stopChild(id);
    this.running.delete(id);
    this.specs = this.specs.filter((s) => s.id !== id);
  }

  receive(env: Envelope, ctx: ActorContext): void {
    if (env.message.type !== '$EXIT') return;
    this.onChildExit(env.message as ExitSignal, ctx);
  }

  snapshot(): unknown {
    return { children: this.specs.map((s) => s.id), running: [...this.running].sort(), restarts: this.restarts };
  }

  private onChildExit(exit: ExitSignal, ctx: ActorContext): void {
    const index = this.specs.findIndex((s) => s.id === exit.child);
    if (index < 0 || !this.running.has(exit.child)) return;
    this.running.delete(exit.child);
    const spec = this.specs[index];
    if (!shouldRestart(spec, exit.normal)) {
      if ((spec.restart ?? 'permanent') === 'temporary') this.specs.splice(index, 1);
      return;
    }
    if (this.intensityExceeded(ctx.now())) {
      this.shutdownAll(ctx);
      throw new Error(`reached_max_restart_intensity: ${this.flags.intensity} restarts in ${this.flags.period} ms (last: ${exit.child}: ${exit.reason})`);
    }
    this.restartAccordingToStrategy(index, ctx);
  }

  /** OTP: more than `intensity` restarts within `period` makes the supervisor give up. */
  private intensityExceeded(now: number): boolean {
    this.restarts.push(now);
    this.restarts = this.restarts.filter((t) => now - t < this.flags.period || this.flags.period === 0 && t === now);
    return this.restarts.length > this.flags.intensity;
  }

  private restartAccordingToStrategy(index: number, ctx: ActorContext): void {
    const { strategy } = this.flags;
    if (strategy === 'oneForOne') {
      this.startOne(this.specs[index], ctx);
      return;
    }
    const affected = strategy === 'oneForAll' ? this.specs.slice() : this.specs.slice(index);
    for (let i = affected.length - 1; i >= 0; i--) this.stopOne(affected[i].id, ctx);
    for (const spec of affected) this.startOne(spec, ctx);
  }

  private shutdownAll(ctx: ActorContext): void {
    for (let i = this.specs.length - 1; i >= 0; i--) this.stopOne(this.specs[i].id, ctx);
  }

  private startOne(spec: ChildSpec, ctx: ActorContext): void {
    ctx.spawn(spec);
    this.running.add(spec.id);
  }

  private stopOne(id: string, ctx: ActorContext): void {
    if (!this.running.has(id)) return;
    ctx.stopChild(id);
    this.running.delete(id);
  }
}

/** OTP's restart table: permanent always, transient on abnormal exit, temporary never. */
export function shouldRestart(spec: ChildSpec, normal: boolean): boolean {
  switch (spec.restart ?? 'permanent') {
    case 'permanent': return true;
    case 'transient': return !normal;
    case 'temporary': return false;
  }
}
