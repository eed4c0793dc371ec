// The shape every controller follows, after client-go's workqueue and controller-runtime's
// Reconciler: event handlers only map events to keys; reconcile(key) reads informer caches and
// writes through the API; failures requeue the key with per-item exponential back-off
// (client-go DefaultControllerRateLimiter: 5 ms doubling to 1000 s) on the virtual clock.
import type { ActorContext, ActorLogic, Envelope } from '../../runtime/index.ts';
import type { UserInfo } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import { ApiClient, type ResultCallback } from '../../client/client.ts';
import { CLIENT_RATE_LIMITS, TokenBucket, type RateLimit } from '../../client/rate-limiter.ts';
import { CacheInformer, type Informer, type InformerOptions } from '../../client/informer.ts';
import { HANDLER_ERROR, type SharedInformerFactory } from '../../client/shared-informers.ts';
import { KeyedSync, type KeyedSyncOptions } from './keyed-sync.ts';

export interface ReconcileResult {
  /** Run again after this many virtual ms (requeueAfter). */
  requeueAfter?: number;
  /** Run again with rate-limited back-off (an error). */
  requeue?: boolean;
}

/** Per-item exponential back-off: 5 ms × 2^failures, at most 1000 s. */
export const RATE_LIMIT_BASE_MS = 5;
export const RATE_LIMIT_MAX_MS = 1_000_000;

export abstract class Controller implements ActorLogic {
  protected ctx!: ActorContext;
  protected client!: ApiClient;
  protected readonly informers: Informer[] = [];
  /** The work queue, FIFO: keys from `head` on (a shift per key would move the whole array). */
  private queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly failures = new Map<string, number>();
  private workScheduled = false;
  /** The controller's queue of syncs of several round trips, if it has one: a key waits while all its workers sync. */
  private keyedSyncs: KeyedSync | undefined;
  /**
   * kube-controller-manager's shared informers, when the controller runs there: its informers
   * are views of them (one list and watch per resource for all the manager's controllers).
   */
  sharedInformers: SharedInformerFactory | undefined;
  /** The client's rate limit (kube-controller-manager's --kube-api-qps / --kube-api-burst). */
  rateLimit: RateLimit = CLIENT_RATE_LIMITS.controllerManager;

  /** The controller's identity (system:serviceaccount:kube-system:<name>-controller in upstream). */
  protected abstract readonly user: UserInfo;
  /** Creates informers and their handlers. */
  protected abstract setup(): void;
  /** Drives one object towards its desired state. */
  protected abstract reconcile(key: string): ReconcileResult | void;

  start(ctx: ActorContext): void {
    this.ctx = ctx;
    this.client = new ApiClient(ctx, this.user, { rateLimiter: TokenBucket.of(this.rateLimit, ctx.now()) });
    this.setup();
    for (const inf of this.informers) inf.start();
  }

  receive(env: Envelope): void {
    if (this.client.handle(env)) {
      this.kickIfSynced();
      return;
    }
    for (const inf of this.informers) if (inf.handle(env)) return;
    const m = env.message;
    if (m.type === 'controller.synced') {
      this.kickIfSynced();
    } else if (m.type === HANDLER_ERROR) {
      throw new Error(m.error as string);
    } else if (m.type === 'controller.work') {
      this.workScheduled = false;
      // WaitForCacheSync: a work message from a crashed predecessor may arrive before the caches filled.
      if (!this.synced) return;
      this.processNext();
    } else if (m.type === 'controller.requeue') {
      this.enqueue(m.key as string);
    }
  }

  snapshot(): unknown {
    return { queue: this.queue.slice(this.head), failures: Object.fromEntries([...this.failures].sort()) };
  }

  /** Stops hearing the shared informers (a crash or a stop). */
  stop(): void {
    for (const inf of this.informers) inf.close?.();
  }

  /**
   * The queue for syncs of several API round trips, whose timeout waits for the client's
   * throttled requests to go out (see KeyedSync).
   */
  protected keyedSync(opts: Omit<KeyedSyncOptions, 'throttledUntil' | 'onWorkerFree'>): KeyedSync {
    this.keyedSyncs = new KeyedSync(this.ctx, { ...opts, throttledUntil: () => this.client.throttledUntil, onWorkerFree: () => this.kickIfSynced() });
    return this.keyedSyncs;
  }

  protected informer(opts: InformerOptions): Informer {
    const inf = this.sharedInformers ? this.sharedInformers.view(this.ctx, opts) : new CacheInformer(this.ctx, this.client, opts);
    this.informers.push(inf);
    return inf;
  }

  /** Adds a key to the work queue (deduplicated, FIFO). */
  protected enqueue(key: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.scheduleWork();
  }

  protected enqueueAfter(key: string, delay: number): void {
    this.ctx.startTimer(`requeue ${key}`, delay, { type: 'controller.requeue', key });
  }

  /** Requeues with the key's back-off and counts a failure (AddRateLimited). */
  protected requeueRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.enqueueAfter(key, Math.min(RATE_LIMIT_BASE_MS * 2 ** (n - 1), RATE_LIMIT_MAX_MS));
  }

  /** Forgets a key's failures (queue.Forget). */
  protected forget(key: string): void {
    this.failures.delete(key);
  }

  /** A callback for a write made while reconciling `key`: a failure requeues the key. */
  protected onWrite(key: string, also?: ResultCallback): ResultCallback {
    return (r: ApiResult) => {
      also?.(r);
      if (!r.ok && r.status.code !== 404) this.requeueRateLimited(key);
    };
  }

  private get synced(): boolean {
    return this.informers.every((i) => i.synced);
  }

  private kickIfSynced(): void {
    if (this.queue.length > this.head && this.synced) this.scheduleWork();
  }

  private scheduleWork(): void {
    if (this.workScheduled || !this.synced) return;
    this.workScheduled = true;
    this.ctx.send(this.ctx.self, { type: 'controller.work' });
  }

  /** Processes one key per delivery, so other actors' messages interleave between keys. */
  private processNext(): void {
    if (this.head >= this.queue.length || this.keyedSyncs?.busy) return;
    const key = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.queued.delete(key);
    const result = this.reconcile(key) ?? {};
    if (result.requeue) this.requeueRateLimited(key);
    else {
      this.forget(key);
      if (result.requeueAfter !== undefined) this.enqueueAfter(key, result.requeueAfter);
    }
    if (this.queue.length > this.head) this.scheduleWork();
  }
}

/** The identity of a kube-controller-manager controller. */
export function controllerUser(name: string): UserInfo {
  return { username: `system:serviceaccount:kube-system:${name}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };
}
