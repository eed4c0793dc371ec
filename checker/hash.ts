// 64-bit hashing for state fingerprints, as two independent 32-bit lanes (Math.imul mixing, no
// BigInt). Objects hash as the commutative sum of their (key, value) pairs, so key order does not
// matter and no keys are sorted. Frozen objects (the API server's stored objects and watch events,
// shared by reference with informer caches and messages) are hashed once and cached by identity.

/** A 64-bit hash as two unsigned 32-bit lanes. */
export interface Hash64 {
  hi: number;
  lo: number;
}

const C1 = 0x85ebca6b;
const C2 = 0xc2b2ae35;
const C3 = 0x27d4eb2f;
const C4 = 0x165667b1;

/** Final avalanche of one lane (murmur3 fmix32). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, C1);
  h ^= h >>> 13;
  h = Math.imul(h, C2);
  h ^= h >>> 16;
  return h >>> 0;
}

// The hasher's running lanes (module state: hashing is synchronous and not re-entrant across calls).
let A = 0;
let B = 0;

function mixInt(x: number): void {
  A = Math.imul(A ^ x, C1) + 0x9e3779b9 | 0;
  A = (A << 13) | (A >>> 19);
  B = Math.imul(B ^ x, C3) + 0x7f4a7c15 | 0;
  B = (B << 17) | (B >>> 15);
}

function mixString(s: string): void {
  mixInt(s.length + 0x5bd1e995);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    A = Math.imul(A ^ c, 0x01000193);
    B = Math.imul(B ^ c, 0x5bd1e995);
  }
}

/** Rewrites strings before they are hashed (symmetry reduction: node names to canonical ones). */
export type StringCanon = (s: string) => string;

/** A hasher of JSON-like values with an identity cache for frozen objects. */
export class ValueHasher {
  private readonly cache = new WeakMap<object, Hash64>();
  hits = 0;
  misses = 0;

  constructor(readonly canon?: StringCanon, readonly skipKeys: ReadonlySet<string> = DEFAULT_SKIP) {}

  /** Hashes a value; the result is a fresh Hash64 (or a cached one: do not mutate it). */
  hash(v: unknown): Hash64 {
    return this.onFreshLanes(() => this.walk(v));
  }

  /** Runs `mix` on freshly seeded lanes and finalises them, leaving the running lanes as they were. */
  private onFreshLanes(mix: () => void): Hash64 {
    const sa = A;
    const sb = B;
    A = 0x12345678;
    B = 0x9abcdef0;
    mix();
    const out = { hi: fmix(A ^ 0x3c6ef372), lo: fmix(B ^ 0xa54ff53a) };
    A = sa;
    B = sb;
    return out;
  }

  private walk(v: unknown): void {
    switch (typeof v) {
      case 'string':
        mixString(this.canon ? this.canon(v) : v);
        return;
      case 'number':
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) mixInt((v as number) ^ 0x6a09e667);
        else mixString(String(v));
        return;
      case 'boolean':
        mixInt(v ? 0x3 : 0x5);
        return;
      case 'undefined':
        mixInt(0x7);
        return;
      case 'function':
        mixInt(0xb);
        return;
      case 'object':
        if (v === null) mixInt(0xd);
        else this.walkObject(v as object);
        return;
      default:
        mixString(String(v));
    }
  }

  private walkObject(o: object): void {
    const frozen = Object.isFrozen(o);
    if (frozen) {
      const c = this.cache.get(o);
      if (c) {
        this.hits++;
        mixInt(c.hi);
        mixInt(c.lo);
        return;
      }
      this.misses++;
    }
    if (!frozen) {
      this.walkInto(o);
      return;
    }
    const h = this.hashContents(o);
    this.cache.set(o, h);
    mixInt(h.hi);
    mixInt(h.lo);
  }

  /** Hashes an object's contents on fresh lanes (the cacheable part). */
  private hashContents(o: object): Hash64 {
    return this.onFreshLanes(() => this.walkInto(o));
  }

  /** Hashes an object's contents into the running lanes. */
  private walkInto(o: object): void {
    if (Array.isArray(o)) {
      mixInt(0x1f000000 + o.length);
      for (let i = 0; i < o.length; i++) this.walk(o[i]);
      return;
    }
    if (o instanceof Map) {
      this.walkPairs([...o.entries()]);
      return;
    }
    if (o instanceof Set) {
      this.walkPairs([...o].map((x) => [x, true] as [unknown, unknown]));
      return;
    }
    // Commutative sum of (key, value) pair hashes: independent of key order.
    let sa = 0;
    let sb = 0;
    let n = 0;
    for (const k in o) {
      if (this.skipKeys.has(k)) continue;
      const value = (o as Record<string, unknown>)[k];
      if (value === undefined) continue;
      const h = this.hashPair(k, value);
      sa = (sa + h.hi) | 0;
      sb = (sb + h.lo) | 0;
      n++;
    }
    mixInt(0x2e000000 + n);
    mixInt(sa);
    mixInt(sb);
  }

  private walkPairs(pairs: [unknown, unknown][]): void {
    let sa = 0;
    let sb = 0;
    for (const [k, v] of pairs) {
      const hk = this.hash(k);
      const hv = this.hash(v);
      sa = (sa + fmix(hk.hi ^ Math.imul(hv.hi, C4))) | 0;
      sb = (sb + fmix(hk.lo ^ Math.imul(hv.lo, C2))) | 0;
    }
    mixInt(0x3d000000 + pairs.length);
    mixInt(sa);
    mixInt(sb);
  }

  private hashPair(k: string, v: unknown): Hash64 {
    const sa = A;
    const sb = B;
    A = 0x243f6a88;
    B = 0x85a308d3;
    mixString(this.canon ? this.canon(k) : k);
    this.walk(v);
    const out = { hi: fmix(A), lo: fmix(B) };
    A = sa;
    B = sb;
    return out;
  }
}

/**
 * Keys never hashed: resourceVersion (etcd's revision counts every write, so two interleavings
 * that reach the same objects differ in it) and managedFields. Approximation, see README.
 */
export const DEFAULT_SKIP: ReadonlySet<string> = new Set(['resourceVersion', 'managedFields']);

/** Hashes a string to a Hash64. */
export function hashString(s: string): Hash64 {
  const sa = A;
  const sb = B;
  A = 0x6b43a9b5;
  B = 0x1b873593;
  mixString(s);
  const out = { hi: fmix(A), lo: fmix(B ^ 0x2545f491) };
  A = sa;
  B = sb;
  return out;
}

/** Combines two hashes in order (not commutative). */
export function combine(a: Hash64, b: Hash64): Hash64 {
  return { hi: fmix((Math.imul(a.hi, 31) ^ b.hi) + 0x9e3779b9), lo: fmix((Math.imul(a.lo, 37) ^ b.lo) + 0x7f4a7c15) };
}

/** A 53-bit number from a Hash64 (for Map keys; 64-bit sets use both lanes). */
export function toKey(h: Hash64): number {
  return (h.hi & 0x1fffff) * 4294967296 + (h.lo >>> 0);
}

/** 16 hex digits. */
export function toHex(h: Hash64): string {
  return (h.hi >>> 0).toString(16).padStart(8, '0') + (h.lo >>> 0).toString(16).padStart(8, '0');
}
