// The scheduling queue, after pkg/scheduler/backend/queue/scheduling_queue.go (PriorityQueue):
// activeQ ordered by PrioritySort (higher spec.priority first, then the earlier queue timestamp),
// backoffQ ordered by back-off expiry (1 s doubling per attempt up to 10 s), and unschedulablePods,
// parked until a relevant cluster event moves them or they have waited 5 minutes.
// Pure: the clock is injected; the actor runs the flush loops on its timers. k8s-facts §8.3.
import type { KubeObject } from '../../api/types.ts';
import { podPriority } from './cache.ts';

export const POD_INITIAL_BACKOFF_MS = 1_000;
export const POD_MAX_BACKOFF_MS = 10_000;
/** DefaultPodMaxInUnschedulablePodsDuration. */
export const POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;
/** flushBackoffQCompleted runs every second, flushUnschedulablePodsLeftover every 30 s. */
export const BACKOFF_FLUSH_MS = 1_000;
export const UNSCHEDULABLE_FLUSH_MS = 30_000;
/** How many pod names snapshot() lists per queue. */
const SNAPSHOT_NAMES_MAX = 100;

export interface QueuedPodInfo {
  uid: string;
  pod: KubeObject;
  priority: number;
  /** When the pod was last added to the queue or last failed (QueuedPodInfo.Timestamp). */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Filter plugins that rejected the pod in its last attempt (empty after an error). */
  unschedulablePlugins: Set<string>;
  seq: number;
  /** Its slot in the heap it is in (internal to the queue). */
  heapIndex?: number;
}

type Where = 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inflight';

/**
 * A binary heap with removal by uid. An item's position lives on the item (it is in one heap at
 * a time), so a sift moves array slots and numbers, not map entries.
 */
class KeyedHeap {
  private readonly items: QueuedPodInfo[] = [];
  private readonly byUid = new Map<string, QueuedPodInfo>();
  constructor(private readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean) {}

  get size(): number {
    return this.items.length;
  }
  peek(): QueuedPodInfo | undefined {
    return this.items[0];
  }
  push(p: QueuedPodInfo): void {
    this.byUid.set(p.uid, p);
    this.place(p, this.items.length);
    this.up(p.heapIndex!);
  }
  pop(): QueuedPodInfo | undefined {
    const top = this.items[0];
    if (top) this.removeAt(0);
    return top;
  }
  remove(uid: string): QueuedPodInfo | undefined {
    const p = this.byUid.get(uid);
    if (p === undefined) return undefined;
    this.removeAt(p.heapIndex!);
    return p;
  }
  /** Items in heap order (for inspection; not sorted). */
  values(): readonly QueuedPodInfo[] {
    return this.items;
  }
  private removeAt(i: number): void {
    const it = this.items;
    const removed = it[i];
    const last = it.pop()!;
    this.byUid.delete(removed.uid);
    removed.heapIndex = undefined;
    if (i < it.length) {
      this.place(last, i);
      this.down(i);
      this.up(last.heapIndex!);
    }
  }
  private place(p: QueuedPodInfo, i: number): void {
    this.items[i] = p;
    p.heapIndex = i;
  }
  private up(i: number): void {
    const it = this.items;
    const p = it[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(p, it[parent])) break;
      this.place(it[parent], i);
      i = parent;
    }
    this.place(p, i);
  }
  private down(i: number): void {
    const it = this.items;
    const p = it[i];
    const n = it.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.less(it[r], it[l]) ? r : l;
      if (!this.less(it[m], p)) break;
      this.place(it[m], i);
      i = m;
    }
    this.place(p, i);
  }
}

/** PrioritySort's Less: higher priority first, then earlier timestamp. */
function activeLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

/** Back-off duration after `attempts` attempts: 1 s, 2 s, 4 s, 8 s, 10 s, 10 s … */
export function backoffDuration(attempts: number): number {
  let d = POD_INITIAL_BACKOFF_MS;
  for (let i = 1; i < attempts && d < POD_MAX_BACKOFF_MS; i++) d *= 2;
  return Math.min(d, POD_MAX_BACKOFF_MS);
}

export function backoffExpiry(p: QueuedPodInfo): number {
  return p.timestamp + backoffDuration(p.attempts);
}

function backoffLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const ea = backoffExpiry(a);
  const eb = backoffExpiry(b);
  return ea !== eb ? ea < eb : activeLess(a, b);
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap(activeLess);
  private readonly backoff = new KeyedHeap(backoffLess);
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  private readonly inflight = new Map<string, QueuedPodInfo>();
  private readonly where = new Map<string, Where>();
  private seq = 0;

  constructor(private readonly now: () => number) {}

  get activeSize(): number {
    return this.active.size;
  }
  get backoffSize(): number {
    return this.backoff.size;
  }
  has(uid: string): boolean {
    return this.where.has(uid);
  }
  location(uid: string): Where | undefined {
    return this.where.get(uid);
  }

  /** Add: a new pending pod (gated pods wait in the unschedulable pool until their gates go). */
  add(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    if (this.where.has(uid)) return;
    const p: QueuedPodInfo = { uid, pod, priority: podPriority(pod), timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), seq: this.seq++ };
    this.put(p, isGated(pod) ? 'gated' : 'active');
  }

  /** Update: refreshes the queued pod; an unschedulable pod whose spec or labels changed is retried. */
  update(old: KubeObject, pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    const w = this.where.get(uid);
    if (!w) return;
    const p = this.take(uid)!;
    p.pod = pod;
    p.priority = podPriority(pod);
    if (w === 'gated') this.put(p, isGated(pod) ? 'gated' : 'active');
    else if (w === 'unschedulable' && podUpdated(old, pod)) this.put(p, this.isBackingOff(p) ? 'backoff' : 'active');
    else this.put(p, w);
  }

  delete(uid: string): void {
    this.take(uid);
  }

  /** Pop: the next pod to schedule (its attempt is counted); it stays in flight until requeued or done. */
  pop(): QueuedPodInfo | undefined {
    const p = this.active.pop();
    if (!p) return undefined;
    this.where.delete(p.uid);
    p.attempts++;
    p.initialAttemptTimestamp ??= this.now();
    this.put(p, 'inflight');
    return p;
  }

  /** Done: the in-flight pod left the queue (bound, assumed or gone). */
  done(uid: string): void {
    if (this.where.get(uid) === 'inflight') this.take(uid);
  }

  /**
   * AddUnschedulableIfNotPresent: a rejected pod parks in unschedulablePods; a pod that failed
   * with an error (no rejecting plugin) goes to backoffQ.
   */
  requeue(p: QueuedPodInfo, pod: KubeObject, rejectedBy: Set<string> | undefined): void {
    this.take(p.uid);
    p.pod = pod;
    p.priority = podPriority(pod);
    p.timestamp = this.now();
    p.unschedulablePlugins = rejectedBy ?? new Set();
    this.put(p, rejectedBy ? 'unschedulable' : 'backoff');
  }

  /** MoveAllToActiveOrBackoffQueue: unschedulable pods the event may help go to backoffQ or activeQ. */
  moveAllToActiveOrBackoff(mayHelp: (p: QueuedPodInfo) => boolean): number {
    if (this.unschedulable.size === 0) return 0;
    const movers: QueuedPodInfo[] = [];
    for (const p of this.unschedulable.values()) if (mayHelp(p)) movers.push(p);
    for (const p of movers) {
      this.take(p.uid);
      this.put(p, this.isBackingOff(p) ? 'backoff' : 'active');
    }
    return movers.length;
  }

  /** flushBackoffQCompleted: pods whose back-off expired move to activeQ. */
  flushBackoffCompleted(): number {
    let moved = 0;
    const now = this.now();
    for (let p = this.backoff.peek(); p && backoffExpiry(p) <= now; p = this.backoff.peek()) {
      this.take(p.uid);
      this.put(p, 'active');
      moved++;
    }
    return moved;
  }

  /** flushUnschedulablePodsLeftover: pods parked longer than 5 minutes are retried. */
  flushUnschedulableLeftover(): number {
    const now = this.now();
    return this.moveAllToActiveOrBackoff((p) => now - p.timestamp > POD_MAX_IN_UNSCHEDULABLE_MS);
  }

  isBackingOff(p: QueuedPodInfo): boolean {
    return backoffExpiry(p) > this.now();
  }

  snapshot(): unknown {
    const names = (ps: Iterable<QueuedPodInfo>) => [...ps].map(keyOf).sort().slice(0, SNAPSHOT_NAMES_MAX);
    return {
      activeQ: { size: this.active.size, pods: names(this.active.values()) },
      backoffQ: { size: this.backoff.size, pods: names(this.backoff.values()) },
      unschedulablePods: { size: this.unschedulable.size, pods: names(this.unschedulable.values()) },
      gated: { size: this.gated.size, pods: names(this.gated.values()) },
      inFlight: names(this.inflight.values()),
    };
  }

  private put(p: QueuedPodInfo, w: Where): void {
    this.where.set(p.uid, w);
    if (w === 'active') this.active.push(p);
    else if (w === 'backoff') this.backoff.push(p);
    else if (w === 'unschedulable') this.unschedulable.set(p.uid, p);
    else if (w === 'gated') this.gated.set(p.uid, p);
    else this.inflight.set(p.uid, p);
  }

  private take(uid: string): QueuedPodInfo | undefined {
    const w = this.where.get(uid);
    if (!w) return undefined;
    this.where.delete(uid);
    switch (w) {
      case 'active': return this.active.remove(uid);
      case 'backoff': return this.backoff.remove(uid);
      case 'unschedulable': return takeFrom(this.unschedulable, uid);
      case 'gated': return takeFrom(this.gated, uid);
      case 'inflight': return takeFrom(this.inflight, uid);
    }
  }
}

function takeFrom(m: Map<string, QueuedPodInfo>, uid: string): QueuedPodInfo | undefined {
  const p = m.get(uid);
  m.delete(uid);
  return p;
}

function keyOf(p: QueuedPodInfo): string {
  return `${p.pod.metadata.namespace}/${p.pod.metadata.name}`;
}

export function isGated(pod: KubeObject): boolean {
  return (pod.spec?.schedulingGates ?? []).length > 0;
}

/** isPodUpdated: anything but status, resourceVersion, generation and managed fields changed. */
function podUpdated(old: KubeObject, pod: KubeObject): boolean {
  const strip = (p: KubeObject) => JSON.stringify({ labels: p.metadata.labels, annotations: p.metadata.annotations, spec: p.spec });
  return strip(old) !== strip(pod);
}
