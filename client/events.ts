// An event recorder with upstream's aggregation (client-go tools/record events_cache.go):
// an event identical in source, involved object, type, reason and message to one recorded in
// the last 10 minutes updates that Event's count and lastTimestamp instead of creating another.
// Writes go out as the broadcaster's do, in the background: the recorder waits for no answer.
import type { KubeObject } from '../api/types.ts';
import { DEFAULT_EPOCH, formatTime } from '../api/time.ts';
import type { ApiClient } from './client.ts';
import type { TokenBucket } from './rate-limiter.ts';
import type { RandomStream } from '../runtime/index.ts';
import { copyOf, joined } from '../api/equal.ts';

export const EVENT_AGGREGATION_WINDOW_MS = 10 * 60_000;
/** The recorder's cache of recent events is an LRU of this many (events_cache.go maxLruCacheEntries). */
export const EVENT_CACHE_ENTRIES = 4096;

type ObjectRef = ReturnType<typeof objectReference>;

/**
 * What aggregation needs of an Event recorded earlier: its name, count and last time, and what
 * identifies it (the strings and the involvedObject the stored Event holds too, so they cost
 * nothing more). The cache is keyed by a 53-bit hash of the identity, not by the joined string.
 */
interface Seen {
  name: string;
  namespace: string;
  count: number;
  lastMs: number;
  ref: ObjectRef;
  type: string;
  reason: string;
  message: string;
}

export class EventRecorder {
  private readonly seen = new Map<number, Seen>();
  /** The events' source, one frozen object all of this recorder's events share. */
  private readonly sourceObject: { component: string; host?: string };

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number,
    private readonly source: { component: string; host?: string },
    /** A seeded random stream of the recording actor (for unique event names). */
    private readonly random: RandomStream,
    /**
     * The bucket of the client events go out through, when it is not `client`'s: the kubelet
     * and the scheduler write events through a client of their own.
     */
    private readonly eventClient?: { limiter: TokenBucket | undefined },
  ) {
    this.sourceObject = Object.freeze(copyOf(source));
  }

  /**
   * Records an event about `obj` (type Normal or Warning); `fieldPath` names the part of it
   * concerned, as a kubelet names a container (`spec.containers{nginx}`).
   */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const ref = objectReference(obj);
    if (fieldPath) ref.fieldPath = fieldPath;
    // getEventKey: source, involved object, type, reason and message (the source is this recorder's).
    const key = identityHash(ref, type, reason, message);
    const now = this.now();
    const t = formatTime(now);
    const cached = this.seen.get(key);
    // Another identity with the same hash (about one in 2^53) counts as not seen.
    const prior = cached && sameIdentity(cached, ref, type, reason, message) ? cached : undefined;
    if (cached) this.seen.delete(key);
    if (prior && now - prior.lastMs <= EVENT_AGGREGATION_WINDOW_MS) {
      prior.count++;
      prior.lastMs = now;
      this.seen.set(key, prior);
      this.client.post({
        verb: 'patch', apiVersion: 'v1', kind: 'Event', namespace: prior.namespace, name: prior.name,
        body: { count: prior.count, lastTimestamp: t }, patchType: 'application/merge-patch+json',
      }, this.eventClient);
      return;
    }
    const ev: KubeObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: joined(ref.name, '.', eventSuffix(now, this.random)), namespace: ref.namespace ?? 'default' },
      involvedObject: ref, reason, message, source: this.sourceObject, firstTimestamp: t, lastTimestamp: t,
      count: 1, type, eventTime: null, reportingComponent: this.source.component, reportingInstance: this.source.host ?? '',
    };
    this.seen.set(key, { name: ev.metadata.name!, namespace: ev.metadata.namespace!, count: 1, lastMs: now, ref, type, reason, message });
    // Least recently used first: drop what no longer aggregates, and beyond the LRU's size.
    for (const [k, v] of this.seen) {
      if (this.seen.size <= EVENT_CACHE_ENTRIES && now - v.lastMs <= EVENT_AGGREGATION_WINDOW_MS) break;
      this.seen.delete(k);
    }
    this.client.post({ verb: 'create', apiVersion: 'v1', kind: 'Event', namespace: ev.metadata.namespace, body: ev, transfer: true }, this.eventClient);
  }
}

function sameIdentity(s: Seen, ref: ObjectRef, type: string, reason: string, message: string): boolean {
  const r = s.ref;
  return s.message === message && s.reason === reason && s.type === type && r.uid === ref.uid && r.name === ref.name
    && r.namespace === ref.namespace && r.kind === ref.kind && r.fieldPath === ref.fieldPath;
}

/** A 53-bit hash of an event's identity: two 32-bit FNV-1a-style lanes over its fields. */
function identityHash(ref: ObjectRef, type: string, reason: string, message: string): number {
  let a = 0x811c9dc5;
  let b = 0x5bd1e995;
  const parts = [ref.kind, ref.namespace ?? '', ref.name, ref.fieldPath ?? '', ref.uid ?? '', type, reason, message];
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a = Math.imul(a ^ 0xff, 0x01000193);
    b = Math.imul(b ^ 0xff, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + (b >>> 11);
}

/**
 * Upstream names events `<object>.<UnixNano in hex>` (`%v.%x`): the virtual instant since the Unix
 * epoch, as formatTime dates it; the nanoseconds within the millisecond come from the seeded stream.
 */
function eventSuffix(nowMs: number, random: RandomStream): string {
  return (BigInt(DEFAULT_EPOCH + nowMs) * 1_000_000n + BigInt(random.int(1_000_000))).toString(16);
}

export function objectReference(obj: KubeObject): { kind: string; namespace?: string; name: string; uid?: string; apiVersion: string; resourceVersion?: string; fieldPath?: string } {
  const ref: any = { kind: obj.kind, name: obj.metadata.name, apiVersion: obj.apiVersion };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}
