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
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** A deep copy of a JSON value (objects from outside the store are copied in). */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Freezes a JSON value deeply, so shared stored objects cannot be mutated by readers. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (typeof x === 'string') {
        if (x.length <= INTERN_MAX_LENGTH && k !== 'resourceVersion') o[k] = intern(x);
      } else if (x && typeof x === 'object') deepFreeze(x);
    }
    Object.freeze(v);
  }
  return v;
}

/**
 * Stored objects repeat the same short strings thousands of times (namespaces, kinds, node
 * names, timestamps, "True", image names, uids in owner references and events), each a copy
 * when it came through a clone or a patch. Freezing an object for the store also makes each
 * of its short strings the one shared copy.
 */
const INTERN_MAX_LENGTH = 64;
const INTERN_TABLE_MAX = 1_000_000;
let internTable = new Map<string, string>();

function intern(s: string): string {
  const hit = internTable.get(s);
  if (hit !== undefined) return hit;
  if (internTable.size >= INTERN_TABLE_MAX) internTable = new Map();
  internTable.set(s, s);
  return s;
}
