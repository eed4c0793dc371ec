// Seeded randomness: one seed per run, split into named streams (sfc32), so that adding a
// consumer of randomness never shifts the numbers another consumer draws.
import { customRandom } from 'nanoid';

/** 32-bit FNV-1a then a murmur3 finaliser: a stable hash of a string, used to derive stream seeds. */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small fast PRNG (sfc32) whose whole state is four 32-bit words, so it snapshots exactly. */
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly name: string, seed: number) {
    this.a = hash32(name, seed);
    this.b = hash32(name, seed ^ 0x9e3779b9);
    this.c = hash32(name, seed ^ 0x7f4a7c15);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fills a byte array: the random source nanoid's customRandom asks for. */
  bytes(size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i += 4) {
      let v = this.nextUint32();
      for (let j = 0; j < 4 && i + j < size; j++) {
        out[i + j] = v & 0xff;
        v >>>= 8;
      }
    }
    return out;
  }

  /** A nanoid generator over this stream: ids from `alphabet`, `size` characters long. */
  ids(alphabet: string, size: number): () => string {
    return customRandom(alphabet, size, (n) => this.bytes(n));
  }

  getState(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(s: readonly number[]): void {
    [this.a, this.b, this.c, this.d] = [s[0] | 0, s[1] | 0, s[2] | 0, s[3] | 0];
  }
}

/** The run's randomness: named streams derived from one seed. */
export class Random {
  private streams = new Map<string, RandomStream>();
  constructor(readonly seed: number) {}

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed >>> 0);
      this.streams.set(name, s);
    }
    return s;
  }

  /** The state of every stream drawn from so far, by name in sorted order. */
  snapshot(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const name of [...this.streams.keys()].sort()) out[name] = this.streams.get(name)!.getState();
    return out;
  }
}
