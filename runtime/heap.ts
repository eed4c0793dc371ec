// A binary min-heap of queue entries ordered by (due time, sequence number).
// The sequence number makes the order total, so equal due times fire in insertion order.

export interface HeapEntry {
  due: number;
  seq: number;
}

export class EntryHeap<T extends HeapEntry> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(entry: T): void {
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

  pop(): T | undefined {
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
    return [...this.items].sort((a, b) => (before(a, b) ? -1 : 1));
  }

  /** Removes every entry for which keep() is false (O(n), rebuilds the heap). */
  filter(keep: (e: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.items = [];
    for (const e of kept.sort((a, b) => (before(a, b) ? -1 : 1))) this.items.push(e);
  }
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
