// A fixed-size LRU keyed by number, as golang-lru's simplelru (the event correlator's caches):
// a hash map onto a doubly linked list in use order. A Map alone (delete and re-insert on each
// hit, evict through keys().next()) walks the holes its deletions leave at the front: at 4,096
// entries and one eviction per event that was 2% of a large cluster's bring-up.

interface Entry<V> {
  key: number;
  value: V;
  prev: Entry<V>;
  next: Entry<V>;
}

export class LruCache<V> {
  private readonly map = new Map<number, Entry<V>>();
  /** Sentinel: `head.next` is the least recently used entry, `head.prev` the most recent. */
  private readonly head: Entry<V>;

  constructor(private readonly capacity: number) {
    const head = { key: 0, value: undefined as V } as Entry<V>;
    head.prev = head.next = head;
    this.head = head;
  }

  get size(): number {
    return this.map.size;
  }

  /** The value under `key`, which becomes the most recently used. */
  get(key: number): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.moveToBack(e);
    return e.value;
  }

  /** Puts `value` under `key` as the most recently used; drops the least recently used beyond capacity. */
  set(key: number, value: V): void {
    let e = this.map.get(key);
    if (e !== undefined) {
      e.value = value;
      this.moveToBack(e);
      return;
    }
    const head = this.head;
    if (this.map.size >= this.capacity) {
      // Reuse the evicted entry: a full cache allocates nothing per insert.
      e = head.next;
      this.map.delete(e.key);
      unlink(e);
      e.key = key;
      e.value = value;
    } else {
      e = { key, value, prev: head, next: head };
    }
    this.map.set(key, e);
    linkBefore(e, head);
  }

  private moveToBack(e: Entry<V>): void {
    if (e.next === this.head) return;
    unlink(e);
    linkBefore(e, this.head);
  }
}

function unlink<V>(e: Entry<V>): void {
  e.prev.next = e.next;
  e.next.prev = e.prev;
}

function linkBefore<V>(e: Entry<V>, at: Entry<V>): void {
  e.prev = at.prev;
  e.next = at;
  at.prev.next = e;
  at.prev = e;
}
