// Node helpers for the node lifecycle, taint eviction and pod GC controllers, after
// component-helpers/node/topology (GetZoneKey), pkg/util/node (IsNodeReady),
// pkg/controller/util/node/controller_utils.go (RecordNodeEvent, RecordNodeStatusChange) and
// pkg/controller/nodelifecycle/scheduler/rate_limited_queue.go (RateLimitedTimedQueue with
// client-go's token bucket), all on the virtual clock. Also the two timer shapes these
// controllers need on top of Controller: a periodic pass (wait.Until) on a background timer,
// and a cancellable delayed requeue.
import type { ActorContext } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { getNodeCondition } from '../../api/podutil.ts';
import type { EventRecorder } from '../../client/events.ts';
import { TokenBucket } from '../../client/rate-limiter.ts';

export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_REGION = 'topology.kubernetes.io/region';
const LABEL_ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone';
const LABEL_REGION_BETA = 'failure-domain.beta.kubernetes.io/region';

/** GetZoneKey: `<region>:\x00:<zone>` from the node's topology labels; '' when it has neither. */
export function getZoneKey(node: KubeObject): string {
  const labels = node.metadata.labels ?? {};
  const zone = labels[LABEL_ZONE] ?? labels[LABEL_ZONE_BETA] ?? '';
  const region = labels[LABEL_REGION] ?? labels[LABEL_REGION_BETA] ?? '';
  if (zone === '' && region === '') return '';
  return `${region}:\x00:${zone}`;
}

/** IsNodeReady: the Ready condition is True. */
export function isNodeReady(node: KubeObject): boolean {
  return getNodeCondition(node, 'Ready')?.status === 'True';
}

/** A reference to a Node as RecordNodeEvent builds it (no namespace, no resourceVersion). */
function nodeRef(name: string, uid: string | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, ...(uid ? { uid } : {}) } };
}

/** RecordNodeEvent: `Node <n> event: <message>`. */
export function recordNodeEvent(recorder: EventRecorder, node: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
  recorder.event(nodeRef(node.metadata.name!, node.metadata.uid), type, reason, `Node ${node.metadata.name} event: ${message}`);
}

/** RecordNodeStatusChange: `Node <n> status is now: <status>` (Normal, reason = the status). */
export function recordNodeStatusChange(recorder: EventRecorder, node: KubeObject, newStatus: string): void {
  recorder.event(nodeRef(node.metadata.name!, node.metadata.uid), 'Normal', newStatus, `Node ${node.metadata.name} status is now: ${newStatus}`);
}

/** Delivers `controller.requeue` for `key` after `delay`: the Controller base enqueues it. */
export function requeueTimer(ctx: ActorContext, key: string, delay: number, background = false): number {
  return ctx.startTimer(`requeue ${key}`, Math.max(0, delay), { type: 'controller.requeue', key }, { background });
}

/**
 * The next pass of a periodic loop (wait.Until: the period counts from the end of a pass).
 * Background, so a cluster with nothing else to do still settles.
 */
export function schedulePass(ctx: ActorContext, key: string, period: number): number {
  return requeueTimer(ctx, key, period, true);
}

// ---------------------------------------------------------------------- rate limiting

/** EvictionRateLimiterBurst. */
export const EVICTION_RATE_LIMITER_BURST = 1;

export interface TimedValue {
  value: string;
  uid: string;
  addedAt: number;
  processAt: number;
}

/**
 * RateLimitedTimedQueue: a unique queue of node names ordered by processAt (then insertion),
 * drained by try() as fast as its rate limiter allows. A value taken by try() stays "seen"
 * until remove() (RemoveFromQueue keeps it in the set), so a node is tainted once per episode.
 */
export class RateLimitedTimedQueue {
  private readonly queue: TimedValue[] = [];
  private readonly set = new Set<string>();
  private limiter: TokenBucket;

  constructor(qps: number, now: number) {
    this.limiter = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, now);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  get length(): number {
    return this.queue.length;
  }

  /** Add: false when the value was added before and not removed. */
  add(value: string, uid: string, now: number): boolean {
    if (this.set.has(value)) return false;
    this.queue.push({ value, uid, addedAt: now, processAt: now });
    this.sort();
    this.set.add(value);
    return true;
  }

  /** Remove: forgets the value, so it may be added again. */
  remove(value: string): boolean {
    if (!this.set.delete(value)) return false;
    const i = this.queue.findIndex((v) => v.value === value);
    if (i >= 0) this.queue.splice(i, 1);
    return true;
  }

  /**
   * Try: while the limiter gives a token and the head is due, run `fn` on it; true keeps it
   * out of the queue (but in the set), false re-queues it at now + wait + 1 ns (1 ms here).
   */
  try(now: number, fn: (v: TimedValue) => { ok: boolean; waitMs?: number }): void {
    while (this.queue.length > 0) {
      if (!this.limiter.tryAccept(now)) break;
      const head = this.queue[0];
      if (now < head.processAt) break;
      const r = fn(head);
      if (r.ok) this.queue.shift();
      else {
        head.processAt = now + (r.waitMs ?? 0) + 1;
        this.sort();
      }
    }
  }

  /**
   * A value whose action was accepted by try() but whose write failed later (our writes
   * answer asynchronously): back in the queue, as try() does for an action returning false.
   */
  retry(value: string, uid: string, now: number): void {
    if (!this.set.has(value) || this.queue.some((v) => v.value === value)) return;
    this.queue.push({ value, uid, addedAt: now, processAt: now + 1 });
    this.sort();
  }

  /** Virtual ms until try() could next do something (Infinity: nothing queued or never allowed). */
  nextTryMs(now: number): number {
    if (this.queue.length === 0) return Infinity;
    return Math.max(this.limiter.waitMs(now), this.queue[0].processAt - now);
  }

  /** SwapLimiter: a new bucket for a new rate; drained if the old one had no token left. */
  swapLimiter(qps: number, now: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, now);
    if (qps > 0 && !this.limiter.tryAccept(now)) next.tryAccept(now);
    this.limiter = next;
  }

  snapshot(): unknown {
    return { qps: this.limiter.qps, queue: this.queue.map((v) => v.value) };
  }

  private sort(): void {
    // Stable: equal processAt keeps insertion order.
    this.queue.sort((a, b) => a.processAt - b.processAt);
  }
}

// ---------------------------------------------------------------------- pods by node

/** The spec.nodeName index of a pod informer (upstream's nodeNameKeyIndex): node → pod keys. */
export class PodsByNode {
  private readonly byNode = new Map<string, Set<string>>();

  /** Call from the pod informer's add/update/delete handlers. */
  observe(old: KubeObject | undefined, cur: KubeObject | undefined): void {
    // Most updates are status writes: the pod stays where it was.
    if (old && cur && old.spec?.nodeName === cur.spec?.nodeName) return;
    if (old?.spec?.nodeName) this.byNode.get(old.spec.nodeName)?.delete(podKeyOf(old));
    if (cur?.spec?.nodeName) {
      let s = this.byNode.get(cur.spec.nodeName);
      if (!s) this.byNode.set(cur.spec.nodeName, (s = new Set()));
      s.add(podKeyOf(cur));
    }
  }

  /** `<namespace>/<name>` keys of the pods bound to the node, sorted. */
  keys(nodeName: string): string[] {
    return [...(this.byNode.get(nodeName) ?? [])].sort();
  }
}

function podKeyOf(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}
