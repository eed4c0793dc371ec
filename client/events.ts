// An event recorder with client-go's EventCorrelator (tools/record/events_cache.go), in its order:
// 1. the aggregator: events alike but for their message (same source, object, type and reason)
//    are combined once ten different messages have come within 10 minutes of each other: the
//    tenth and later become one Event, "(combined from similar events): <latest message>";
// 2. the logger: an event identical to one recorded before (same source, object, field, type,
//    reason and message; no time limit, an LRU of 4,096) updates that Event's count,
//    lastTimestamp and message instead of creating another;
// 3. the spam filter: each source and object has a token bucket of 25 events, refilled one every
//    5 minutes; an event without a token is not written (the next that gets through carries the
//    count the logger kept).
// Writes go out as the broadcaster's do, in the background: a create waits for no answer; a count
// update that finds its Event gone (never written, or expired) creates it instead.
import type { KubeObject } from '../api/types.ts';
import { DEFAULT_EPOCH, formatTime } from '../api/time.ts';
import type { ApiClient, Via } from './client.ts';
import { TokenBucket } from './rate-limiter.ts';
import type { RandomStream } from '../runtime/index.ts';
import { copyOf, joined } from '../api/equal.ts';
import { LruCache } from './lru.ts';

/** The correlator's caches are LRUs of this many entries each (events_cache.go maxLruCacheEntries). */
export const EVENT_CACHE_ENTRIES = 4096;
/** defaultAggregateMaxEvents: the tenth different message of alike events is combined. */
export const EVENT_AGGREGATE_MAX_EVENTS = 10;
/** defaultAggregateIntervalInSeconds: alike events further apart than this start counting again. */
export const EVENT_AGGREGATE_INTERVAL_MS = 600_000;
/** defaultSpamBurst and defaultSpamQPS: 25 events per source and object, then one every 5 minutes. */
export const EVENT_SPAM_BURST = 25;
export const EVENT_SPAM_QPS = 1 / 300;
export const COMBINED_PREFIX = '(combined from similar events): ';

type ObjectRef = ReturnType<typeof objectReference>;

/**
 * The logger's record of an Event written (or to be written): its name, count and first time,
 * and what identifies it, to tell a hash collision from the same event. Keyed by a 53-bit hash.
 */
interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
  ref: ObjectRef;
  type: string;
  reason: string;
  /** The message, or undefined for a combined Event (its identity is the object, type and reason). */
  message: string | undefined;
}

/** The aggregator's record of alike events: the different messages seen, and when the last came. */
interface Alike {
  lastMs: number;
  /** The messages (localKeys): one string until a second arrives. */
  messages: string | Set<string>;
}

export class EventRecorder {
  private readonly seen = new LruCache<Seen>(EVENT_CACHE_ENTRIES);
  private readonly alike = new LruCache<Alike>(EVENT_CACHE_ENTRIES);
  private readonly spam = new LruCache<TokenBucket>(EVENT_CACHE_ENTRIES);
  /** The events' source, one frozen object all of this recorder's events share. */
  private readonly sourceObject: { component: string; host?: string };
  private readonly eventClient: Via | undefined;
  private readonly namer: EventNamer;

  constructor(
    private readonly client: ApiClient,
    private readonly now: () => number,
    private readonly source: { component: string; host?: string },
    /** A seeded random stream of the recording actor (for unique event names). */
    random: RandomStream,
    opts: {
      /**
       * The client events go out through, when it is not `client`: the kubelet and the scheduler
       * write events through a client (and rate limiter) of their own.
       */
      eventClient?: Via;
    } = {},
  ) {
    this.eventClient = opts.eventClient;
    this.namer = new EventNamer(random);
    this.sourceObject = Object.freeze(copyOf(source));
  }

  /**
   * Records an event about `obj` (type Normal or Warning); `fieldPath` names the part of it
   * concerned, as a kubelet names a container (`spec.containers{nginx}`).
   */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const ref = objectReference(obj);
    if (fieldPath) ref.fieldPath = fieldPath;
    // Frozen here, while it is fresh: the Event keeps it, and the store freezes what it keeps.
    Object.freeze(ref);
    const now = this.now();
    const t = formatTime(now);
    hashObject(ref);
    // 1. EventAggregate: alike events (EventAggregatorByReasonFunc: no field path, no message).
    const combined = this.aggregate(keyHash('alike', ref, type, reason, message), message, now);
    const shown = combined ? COMBINED_PREFIX + message : message;
    // 2. eventObserve: the combined Event's identity leaves the message out (its aggregate key).
    const key = keyHash(combined ? 'combined' : 'event', ref, type, reason, message);
    const cached = this.seen.get(key);
    const prior = cached && sameIdentity(cached, ref, type, reason, combined ? undefined : message) ? cached : undefined;
    let seen: Seen;
    if (prior) {
      // The get made it the most recently used already.
      prior.count++;
      seen = prior;
    } else {
      seen = {
        name: this.namer.name(ref.name, now), namespace: ref.namespace ?? 'default', count: 1, firstTimestamp: t,
        ref, type, reason, message: combined ? undefined : message,
      };
      if (cached === undefined) this.seen.add(key, seen);
      else this.seen.set(key, seen);
    }
    // 3. The spam filter, per source and object: without a token nothing is written.
    if (!this.acceptSpam(ref, now)) return;
    if (seen.count > 1) this.update(seen, shown, t);
    else this.create(seen, shown, t);
  }

  /** EventSourceObjectSpamFilter.Filter: a token from the object's bucket, if it has one (after hashObject(ref), as event() calls it). */
  private acceptSpam(ref: ObjectRef, now: number): boolean {
    const spamKey = keyHash('spam', ref, '', '', '');
    let bucket = this.spam.get(spamKey);
    if (!bucket) this.spam.add(spamKey, (bucket = new TokenBucket(EVENT_SPAM_QPS, EVENT_SPAM_BURST, now)));
    return bucket.tryAccept(now);
  }

  /** Whether this event is combined: its alike events have reached ten different messages. */
  private aggregate(key: number, message: string, now: number): boolean {
    let rec = this.alike.get(key);
    if (!rec) this.alike.add(key, (rec = { lastMs: now, messages: message }));
    else if (now - rec.lastMs > EVENT_AGGREGATE_INTERVAL_MS) this.alike.set(key, (rec = { lastMs: now, messages: message }));
    else if (typeof rec.messages === 'string') {
      if (rec.messages !== message) rec.messages = new Set([rec.messages, message]);
    } else rec.messages.add(message);
    rec.lastMs = now;
    if (typeof rec.messages === 'string' || rec.messages.size < EVENT_AGGREGATE_MAX_EVENTS) return false;
    // PopAny: keep the set below the limit (the oldest message goes; upstream's pick is arbitrary).
    rec.messages.delete(rec.messages.values().next().value!);
    return true;
  }

  private create(seen: Seen, message: string, t: string): void {
    const ev: KubeObject = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: seen.name, namespace: seen.namespace },
      involvedObject: seen.ref, reason: seen.reason, message, source: this.sourceObject, firstTimestamp: seen.firstTimestamp, lastTimestamp: t,
      count: seen.count, type: seen.type, eventTime: null, reportingComponent: this.source.component, reportingInstance: this.source.host ?? '',
    };
    this.client.post({ verb: 'create', apiVersion: 'v1', kind: 'Event', namespace: seen.namespace, body: ev, transfer: true }, this.eventClient);
  }

  /** The count update (a patch of count, lastTimestamp and message); a 404 creates the Event instead. */
  private update(seen: Seen, message: string, t: string): void {
    const count = seen.count;
    this.client.request({
      verb: 'patch', apiVersion: 'v1', kind: 'Event', namespace: seen.namespace, name: seen.name,
      body: { count, lastTimestamp: t, message }, patchType: 'application/merge-patch+json',
    }, (r) => {
      if (!r.ok && r.status.code === 404) this.create({ ...seen, count }, message, t);
    }, this.eventClient);
  }
}

function sameIdentity(s: Seen, ref: ObjectRef, type: string, reason: string, message: string | undefined): boolean {
  const r = s.ref;
  return s.message === message && s.reason === reason && s.type === type && r.uid === ref.uid && r.name === ref.name
    && r.namespace === ref.namespace && r.kind === ref.kind && (message === undefined || r.fieldPath === ref.fieldPath);
}

/**
 * One of the correlator's keys: `event` is getEventKey (everything), `alike` the aggregate key (no
 * field path, no message), `combined` the logger's key of a combined Event (the aggregate key),
 * `spam` getSpamKey (the source and object only; the source is the recorder's own, so it is left
 * out of all of them).
 */
function keyHash(which: 'event' | 'alike' | 'combined' | 'spam', ref: ObjectRef, type: string, reason: string, message: string): number {
  const whole = which === 'event';
  const spam = which === 'spam';
  // The object's fields were hashed once for the event (hashObject); then the key's own, one by
  // one (no list of them made per event).
  laneA = objectA;
  laneB = objectB;
  hashField(which);
  hashField(whole ? ref.fieldPath ?? '' : '');
  hashField(spam ? '' : type);
  hashField(spam ? '' : reason);
  hashField(whole ? message : '');
  return hashEnd();
}

// The lanes after the object's fields (kind, namespace, name, uid): every key of an event starts there.
let objectA = 0;
let objectB = 0;

/** Hashes the fields of the event's object that all of its keys share. */
function hashObject(ref: ObjectRef): void {
  hashBegin();
  hashField(ref.kind);
  hashField(ref.namespace ?? '');
  hashField(ref.name);
  hashField(ref.uid ?? '');
  objectA = laneA;
  objectB = laneB;
}

/** A 53-bit hash of a key's fields: two 32-bit FNV-1a-style lanes, each field closed by a separator. */
export function fieldsHash(parts: readonly string[]): number {
  hashBegin();
  for (const p of parts) hashField(p);
  return hashEnd();
}

// The two lanes of the hash being computed (hashBegin, hashField per field, hashEnd).
let laneA = 0;
let laneB = 0;

function hashBegin(): void {
  laneA = 0x811c9dc5;
  laneB = 0x5bd1e995;
}

function hashField(p: string): void {
  let a = laneA;
  let b = laneB;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  laneA = Math.imul(a ^ 0xff, 0x01000193);
  laneB = Math.imul(b ^ 0xff, 0x5bd1e995);
}

function hashEnd(): number {
  return (laneA >>> 0) * 0x200000 + (laneB >>> 11);
}

/**
 * Upstream names events `<object>.<UnixNano in hex>` (`%v.%x`): the instant since the Unix epoch,
 * as formatTime dates it. A recorder's instants only grow, so the names of one object's events
 * sort in the order they were recorded (the order `kubectl get events` lists them), also within
 * one virtual millisecond: its first event there takes nanoseconds from the seeded stream within
 * the first 100 µs, each next one a step of 1 to 1,000 ns.
 */
export class EventNamer {
  private lastMs = Number.NaN;
  private lastNanos = 0;

  constructor(private readonly random: RandomStream) {}

  name(object: string, nowMs: number): string {
    const nanos = nowMs === this.lastMs ? Math.min(999_999, this.lastNanos + 1 + this.random.int(1000)) : this.random.int(100_000);
    this.lastMs = nowMs;
    this.lastNanos = nanos;
    return joined(object, '.', unixNanoHex(DEFAULT_EPOCH + nowMs, nanos));
  }
}

const TWO_32 = 0x1_0000_0000;

/**
 * `ms` × 10⁶ + `nanos` in hex, exactly, without a BigInt (an allocation each): the product passes
 * 2⁵³, so it is made of two 32-bit halves. `ms` below 2⁵³ / 10⁶ × 2³² holds for any date.
 */
export function unixNanoHex(ms: number, nanos: number): string {
  const msLow = ms % TWO_32;
  const low = msLow * 1_000_000 + nanos; // < 2⁵³
  const lowWord = low % TWO_32;
  const high = ((ms - msLow) / TWO_32) * 1_000_000 + (low - lowWord) / TWO_32;
  const lowHex = lowWord.toString(16);
  return high === 0 ? lowHex : high.toString(16) + '00000000'.slice(lowHex.length) + lowHex;
}

export function objectReference(obj: KubeObject): { kind: string; namespace?: string; name: string; uid?: string; apiVersion: string; resourceVersion?: string; fieldPath?: string } {
  const ref: any = { kind: obj.kind, name: obj.metadata.name, apiVersion: obj.apiVersion };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata.uid) ref.uid = obj.metadata.uid;
  if (obj.metadata.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  return ref;
}
