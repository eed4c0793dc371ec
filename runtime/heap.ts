// The runtime's queue of entries ordered by (due time, sequence number): a binary min-heap, and
// in front of it a FIFO lane for entries due at the time last taken out. The sequence number makes
// the order total, so equal due times fire in insertion order.
//
// Most entries are messages sent with no delay: due now, and later in sequence than anything
// queued. They join the lane in order (O(1)) and leave it from the front, where the heap would
// sift each one down past ≈17 levels of a 100,000-entry queue (a 30,000-pod bring-up: 1.1M
// entries, ≈1.6 s of a 60 s run). Timers and delayed messages go to the heap; the next entry is
// whichever of the two fronts comes first.

export interface HeapEntry {
  due: number;
  seq: number;
}

export class EntryHeap<T extends HeapEntry> {
  private items: T[] = [];
  /**
   * The lane: entries of one due time in sequence order, at [laneHead, laneEnd). Its storage is
   * kept when it empties (emptied slots are cleared), so the steady flow allocates nothing.
   */
  private lane: Array<T | undefined> = [];
  private laneHead = 0;
  private laneEnd = 0;
  /** The due time of the entry last taken out: the lane takes entries due then. */
  private now = -Infinity;

  get size(): number {
    return this.items.length + this.laneEnd - this.laneHead;
  }

  peek(): T | undefined {
    return this.nextInLane() ? this.lane[this.laneHead] : this.items[0];
  }

  push(entry: T): void {
    const end = this.laneEnd;
    if (end === this.laneHead) {
      if (entry.due === this.now) {
        this.laneHead = 0;
        this.lane[0] = entry;
        this.laneEnd = 1;
        return;
      }
    } else {
      const last = this.lane[end - 1]!;
      if (entry.due === last.due && entry.seq > last.seq) {
        this.lane[end] = entry;
        this.laneEnd = end + 1;
        return;
      }
    }
    this.pushHeap(entry);
  }

  pop(): T | undefined {
    if (this.nextInLane()) {
      const first = this.lane[this.laneHead]!;
      this.lane[this.laneHead++] = undefined;
      this.now = first.due;
      return first;
    }
    const e = this.popHeap();
    if (e !== undefined) this.now = e.due;
    return e;
  }

  /** Whether the next entry is the lane's first (the lane is not empty and the heap's top is not before it). */
  private nextInLane(): boolean {
    if (this.laneHead === this.laneEnd) return false;
    const top = this.items[0];
    return top === undefined || !before(top, this.lane[this.laneHead]!);
  }

  private pushHeap(entry: T): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = entry;
  }

  private popHeap(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      let i = 0;
      const n = items.length;
      while (true) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(items[r], items[l]) ? r : l;
        if (!before(items[c], last)) break;
        items[i] = items[c];
        i = c;
      }
      items[i] = last;
    }
    return top;
  }

  /** All entries in (due, seq) order; for snapshots and inspection, not hot paths. */
  sorted(): T[] {
    return [...this.items, ...this.laneEntries()].sort((a, b) => (before(a, b) ? -1 : 1));
  }

  /** The first entry (in no particular order) for which `match` holds; O(n). */
  find(match: (e: T) => boolean): T | undefined {
    for (let i = this.laneHead; i < this.laneEnd; i++) if (match(this.lane[i]!)) return this.lane[i];
    return this.items.find(match);
  }

  /** Removes every entry for which keep() is false (O(n), rebuilds the heap). */
  filter(keep: (e: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.items = [];
    for (const e of kept.sort((a, b) => (before(a, b) ? -1 : 1))) this.items.push(e);
    this.lane = this.laneEntries().filter(keep);
    this.laneHead = 0;
    this.laneEnd = this.lane.length;
  }

  private laneEntries(): T[] {
    return this.lane.slice(this.laneHead, this.laneEnd) as T[];
  }
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
