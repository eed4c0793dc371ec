// The API server's watch history, one per resource, as the apiserver's watch cache keeps it
// (staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go): a window of the latest
// events that grows from 100 to 102,400 while it holds less than 75 s of history and shrinks
// when its newest quarter is older than that. A watch that resumes from a resourceVersion the
// window no longer holds gets 410 Expired and re-lists. Events are not cached upstream (their
// watches go to etcd), so their history is etcd's: everything since the last compaction.
import type { KubeObject, WatchEventType } from './types.ts';

/** etcd's compaction interval (kube-apiserver --etcd-compaction-interval, 5 m). k8s-facts §13.5. */
export const WATCH_HISTORY_MS = 5 * 60_000;
/** defaultLowerBoundCapacity: the window's initial and smallest size. */
export const WATCH_CACHE_MIN = 100;
/** defaultUpperBoundCapacity: the window's largest size. */
export const WATCH_CACHE_MAX = 100 * 1024;
/** DefaultEventFreshDuration: the history the window grows to hold (a bookmark period plus 15 s). */
export const WATCH_CACHE_FRESH_MS = 75_000;

export interface HistoryEntry {
  rv: number;
  time: number;
  resource: string;
  type: WatchEventType;
  object: KubeObject;
  old: KubeObject | undefined;
}

export class WatchHistory {
  private entries: HistoryEntry[] = [];
  private head = 0;
  private capacity: number;
  /** The resourceVersion of the last event dropped (0: none yet, every version since start resumes). */
  private droppedThrough = 0;

  /** `cached`: the resource has a watch cache (every resource but events). */
  constructor(private readonly cached: boolean) {
    this.capacity = cached ? WATCH_CACHE_MIN : Infinity;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  add(e: HistoryEntry): void {
    this.compact(e.time);
    if (this.cached) {
      this.resize(e.time);
      if (this.size >= this.capacity) this.drop(1);
    }
    this.entries.push(e);
  }

  /** resizeCacheLocked: double while the whole window is fresh, halve once its newest quarter is stale. */
  private resize(now: number): void {
    if (this.size < this.capacity) return;
    if (now - this.entries[this.head].time < WATCH_CACHE_FRESH_MS) {
      this.capacity = Math.min(this.capacity * 2, WATCH_CACHE_MAX);
    } else if (now - this.entries[this.entries.length - this.capacity / 4].time > WATCH_CACHE_FRESH_MS) {
      const smaller = Math.max(this.capacity / 2, WATCH_CACHE_MIN);
      this.drop(this.size - smaller);
      this.capacity = smaller;
    }
  }

  /** Drops events older than etcd's last compaction. */
  compact(now: number): void {
    const horizon = now - WATCH_HISTORY_MS;
    let n = 0;
    while (n < this.size && this.entries[this.head + n].time < horizon) n++;
    if (n > 0) this.drop(n);
  }

  private drop(n: number): void {
    if (n <= 0) return;
    this.head += n;
    this.droppedThrough = this.entries[this.head - 1].rv;
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The newest version a watch must have seen to resume here: the version just before the oldest
   * event held (upstream's `oldest-1`); 0 while nothing was ever dropped.
   */
  get oldestResumable(): number {
    if (this.droppedThrough === 0) return 0;
    return this.size > 0 ? this.entries[this.head].rv - 1 : this.droppedThrough;
  }

  /** Events after `rv`, oldest first (the caller checked rv against oldestResumable). */
  since(rv: number): HistoryEntry[] {
    const h = this.entries;
    let lo = this.head, hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }
}
