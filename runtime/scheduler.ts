// An RxJS scheduler on the runtime's virtual clock: RxJS timing operators (delay, debounceTime,
// timer, interval) used inside an actor schedule their work as that actor's timers.
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { ActorContext } from './types.ts';

class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: number | undefined;

  constructor(private readonly ctx: ActorContext, private readonly work: (this: SchedulerAction<T>, state?: T) => void) {
    super(() => this.cancel());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    this.handle = this.ctx.startTimer('rxjs', delay, () => {
      this.handle = undefined;
      this.work.call(this, state);
    });
    return this;
  }

  private cancel(): void {
    if (this.handle !== undefined) this.ctx.cancelTimer(this.handle);
    this.handle = undefined;
  }
}

export function virtualScheduler(ctx: ActorContext): SchedulerLike {
  return {
    now: () => ctx.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      return new VirtualAction<T>(ctx, work).schedule(state, delay);
    },
  };
}
