// The workqueue guarantees the controllers with multi-step syncs rely on (ReplicaSet, Deployment,
// DaemonSet, StatefulSet, Job, CronJob, TTL-after-finished), for
// syncs that span several API round trips: at most `workers` keys sync at once (the
// controller's worker goroutines), a key is never synced twice at once (an enqueue
// during a sync marks it dirty and it runs again afterwards), a failed sync is retried with the
// controller's per-item exponential back-off, and AddAfter keeps one pending wake-up per key
// (the earliest), as client-go's delaying queue does.
import type { ActorContext } from '../../runtime/index.ts';

/**
 * A sync whose API replies never come (a dropped message) is abandoned and retried this long
 * after its last request went out (a request waiting on the client's rate limiter has not).
 */
export const SYNC_TIMEOUT_MS = 60_000;

export type SyncDone = (err?: string, requeueAfter?: number) => void;

export interface KeyedSyncOptions {
  /**
   * Starts the sync of `key`; it must call `done` exactly once. `current()` turns false once the
   * sync was abandoned (timed out): a sync of several steps stops issuing requests then.
   */
  sync: (key: string, done: SyncDone, current: () => boolean) => void;
  /** Puts the key back on the work queue. */
  enqueue: (key: string) => void;
  /** Back-off before retrying a failed sync (`failures` ≥ 1). */
  backoffMs: (failures: number) => number;
  /**
   * When the client's last throttled request goes out (ApiClient.throttledUntil): a sync is not
   * abandoned while its requests wait on the rate limiter, only SYNC_TIMEOUT_MS after that.
   */
  throttledUntil?: () => number;
  /** Log event name for sync errors. */
  logName: string;
  /**
   * How many keys sync at once: the controller's workers (kube-controller-manager's
   * --concurrent-*-syncs). While all of them sync, the other keys wait in the work queue.
   */
  workers: number;
  /** A worker became free: the controller hands it the next key of its queue. */
  onWorkerFree?: () => void;
}

export class KeyedSync {
  private readonly syncing = new Map<string, { token: number; timer: number }>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { due: number; timer: number }>();
  private nextToken = 1;

  constructor(private readonly ctx: ActorContext, private readonly opts: KeyedSyncOptions) {}

  /** Every worker is syncing a key: the next key waits in the work queue. */
  get busy(): boolean {
    return this.syncing.size >= this.opts.workers;
  }

  /** Runs a sync of `key` unless one is in flight (then it runs again when that one ends). */
  run(key: string): void {
    if (this.syncing.has(key)) {
      this.dirty.add(key);
      return;
    }
    const token = this.nextToken++;
    const entry = { token, timer: 0 };
    this.armSyncTimeout(key, entry, SYNC_TIMEOUT_MS);
    this.syncing.set(key, entry);
    this.opts.sync(key, (err, requeueAfter) => this.finish(key, token, err, requeueAfter), () => this.syncing.get(key)?.token === token);
  }

  /** The sync's deadline: put off while the client is throttled, then the sync fails. */
  private armSyncTimeout(key: string, entry: { token: number; timer: number }, ms: number): void {
    entry.timer = this.ctx.startTimer(`sync-timeout ${key}`, ms, () => {
      const resume = (this.opts.throttledUntil?.() ?? -Infinity) + SYNC_TIMEOUT_MS - this.ctx.now();
      if (resume > 0) this.armSyncTimeout(key, entry, resume);
      else this.finish(key, entry.token, 'sync timed out waiting for the API server');
    }, { background: true });
  }

  /** queue.AddRateLimited: wakes the key after the per-item back-off for one more failure. */
  addRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, this.opts.backoffMs(n));
  }

  /** queue.AddAfter: wakes the key after `delayMs`, keeping only the earliest pending wake-up. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) {
      this.opts.enqueue(key);
      return;
    }
    const due = this.ctx.now() + delayMs;
    const prior = this.delayed.get(key);
    if (prior && prior.due <= due) return;
    if (prior) this.ctx.cancelTimer(prior.timer);
    const timer = this.ctx.startTimer(`requeue ${key}`, delayMs, () => {
      this.delayed.delete(key);
      this.opts.enqueue(key);
    });
    this.delayed.set(key, { due, timer });
  }

  /** Drops the key's pending wake-up and failure count (the object is gone). */
  forget(key: string): void {
    const prior = this.delayed.get(key);
    if (prior) this.ctx.cancelTimer(prior.timer);
    this.delayed.delete(key);
    this.failures.delete(key);
  }

  snapshot(): { syncing: string[]; delayed: Record<string, number> } {
    return {
      syncing: [...this.syncing.keys()].sort(),
      delayed: Object.fromEntries([...this.delayed].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, v.due])),
    };
  }

  private finish(key: string, token: number, err?: string, requeueAfter?: number): void {
    const s = this.syncing.get(key);
    if (!s || s.token !== token) return;
    this.ctx.cancelTimer(s.timer);
    this.syncing.delete(key);
    if (err) {
      this.ctx.log(this.opts.logName, { key, error: err });
      this.addRateLimited(key);
    } else {
      this.failures.delete(key);
      if (requeueAfter !== undefined) this.addAfter(key, requeueAfter);
    }
    if (this.dirty.delete(key)) this.opts.enqueue(key);
    this.opts.onWorkerFree?.();
  }
}

/** Runs `tasks` in parallel; `done` gets the first error once all have answered. */
export function parallel(tasks: Array<(cb: (err?: string) => void) => void>, done: (err?: string) => void): void {
  if (tasks.length === 0) {
    done();
    return;
  }
  let pending = tasks.length;
  let first: string | undefined;
  for (const t of tasks) {
    t((err) => {
      if (err) first ??= err;
      if (--pending === 0) done(first);
    });
  }
}

/** workqueue.NewTypedItemExponentialFailureRateLimiter(1 s, 1 min): the Job controller's API back-off. */
export function jobApiBackoffMs(failures: number): number {
  return Math.min(1000 * 2 ** (failures - 1), 60_000);
}
