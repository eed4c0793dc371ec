// Structural equality of JSON values (apimachinery's equality.Semantic.DeepEqual for our purposes).

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Keys whose value is undefined do not count (as if absent). No key arrays: this runs on
  // every status write and informer update.
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const k in ao) {
    const x = ao[k];
    if (x === undefined) continue;
    defined++;
    if (!deepEqual(x, bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) defined--;
  return defined === 0;
}

/** A deep copy of a JSON value (objects from outside the store are copied in). */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clone(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  // Anything but a plain object (a Map, a Date) keeps structuredClone's semantics.
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k in o) out[k] = clone(o[k]);
  return out as T;
}

/** An empty list that many objects share (frozen: nobody adds to it), instead of a new `[]` each. */
export const NONE: readonly never[] = Object.freeze([]);

/** The character codes of the hex digits, for building hex text in one piece (no rope). */
export const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

/** Where flatten() puts the character it reads. */
const flattened = { last: 0 };

/**
 * Makes V8 store a string built by concatenation (a template literal, `+`) as one flat string:
 * flattened in place, the garbage collector then drops the rope. Stored objects keep their
 * strings for hours of simulated time; as ropes they cost several objects each and a walk on
 * every comparison.
 */
export function flatten(s: string): string {
  // V8 builds a rope only for a concatenation of 13 characters or more: shorter ones are flat.
  // Reading a character of a rope flattens it; the read goes to `flattened` so that optimized
  // code cannot drop it as unused (as it dropped a bare Number(s), whose ropes then stayed: a
  // million 26-character ropes kept 88 B each, against 50 B flattened). On a flat string the
  // read costs ≈13 ns, where Number(s) parsed the string: ≈55 ns).
  if (s.length >= 13) flattened.last = s.charCodeAt(0);
  return s;
}

/**
 * A shallow copy of a plain object, for objects the store keeps (frozen) for long. Not `{ ...o }`:
 * V8 gives a spread copy a layout that costs far more once frozen (an Event: 1,270 B against
 * 675 B with this copy, measured over 50,000), and stored objects are frozen.
 */
export function copyOf<T extends object>(o: T, extra?: Partial<T>): T {
  const out = Object.assign({}, o);
  return extra ? Object.assign(out, extra) : out;
}

/**
 * A memo of at most `max` entries that starts over once full: for values a run computes again and
 * again from a few keys (a quantity's text, a label key, a formatted second). `compute` must be a
 * pure function of the key.
 */
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number, private readonly compute: (key: K) => V) {}

  get(key: K): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = this.compute(key);
      this.map.set(key, v);
    }
    return v;
  }
}

const interned = new Map<string, string>();
/** How many distinct strings intern() shares at most (a bound on what it keeps alive). */
const INTERN_MAX = 8192;

/**
 * One shared copy of a string that many stored objects repeat (an event's "Started container
 * web", a container's field path): each would otherwise be its own copy, built by its own
 * concatenation. For recurring texts only; past INTERN_MAX distinct ones it shares nothing more.
 */
export function intern(s: string): string {
  const shared = interned.get(s);
  if (shared !== undefined) return shared;
  if (interned.size < INTERN_MAX) interned.set(s, flatten(s));
  return s;
}

/**
 * The concatenation of `parts` as one flat string from the start: Array.prototype.join builds it
 * flat, where `+` or a template literal builds a rope that flatten() can only turn into a shell
 * around a flat copy (a 20-character key: 41 B joined, 72 B flattened). For strings stored by
 * the thousand (names, ids).
 */
export function joined(...parts: string[]): string {
  return parts.join('');
}

/** Freezes a JSON value deeply, so shared stored objects cannot be mutated by readers. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    if (Array.isArray(v)) {
      // By index: for-in over an array walks its indexes as strings (a third of a pod's freeze).
      for (let i = 0; i < v.length; i++) freezeValue(v[i]);
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) freezeValue(o[k]);
    }
    Object.freeze(v);
  }
  return v;
}

function freezeValue(x: unknown): void {
  if (typeof x === 'string') flatten(x);
  else if (x && typeof x === 'object') deepFreeze(x);
}
