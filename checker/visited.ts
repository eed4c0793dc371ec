// A set of 64-bit fingerprints: open addressing over two Uint32Arrays (8 bytes per slot, load
// factor at most 1/2, so about 16 bytes per visited state), growing by doubling.
import type { Hash64 } from './hash.ts';

export class FingerprintSet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  private count = 0;

  constructor(capacity = 1024) {
    const n = 1 << Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.used = new Uint8Array(n);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.used.byteLength;
  }

  has(h: Hash64): boolean {
    const mask = this.hi.length - 1;
    for (let i = (h.lo ^ h.hi) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) return false;
      if (this.hi[i] === h.hi >>> 0 && this.lo[i] === h.lo >>> 0) return true;
    }
  }

  /** Adds a fingerprint; true when it was new. */
  add(h: Hash64): boolean {
    if ((this.count + 1) * 2 > this.hi.length) this.grow();
    const mask = this.hi.length - 1;
    const hi = h.hi >>> 0;
    const lo = h.lo >>> 0;
    for (let i = (lo ^ hi) & mask; ; i = (i + 1) & mask) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.count++;
        return true;
      }
      if (this.hi[i] === hi && this.lo[i] === lo) return false;
    }
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const n = hi.length * 2;
    this.hi = new Uint32Array(n);
    this.lo = new Uint32Array(n);
    this.used = new Uint8Array(n);
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (used[i]) this.add({ hi: hi[i], lo: lo[i] });
  }
}
