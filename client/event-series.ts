// An event recorder as k8s.io/client-go/tools/events records (kube-scheduler's): it writes
// events.k8s.io/v1 Events, which core/v1 shows with eventTime, action, reportingComponent and
// reportingInstance set and source, count, firstTimestamp and lastTimestamp empty. Its
// broadcaster keeps one cached Event per isomorphic key (type, action, reason, reporting
// controller and instance, the regarding and related object references, resource version
// included; not the note):
// - the first occurrence creates the Event;
// - the second starts a series: a patch of `series` (count 2, lastObservedTime);
// - later ones only count in the cache, and the series is written every 30 minutes
//   (refreshExistingEventSeries) and once more when it has been quiet for 6 minutes
//   (finishSeries), which also drops it from the cache, so the next occurrence starts a new Event.
// A singleton leaves the cache 6 minutes after it happened. Both sweeps tick on a fixed phase
// from the recorder's start, as wait.Until runs them; a timer is armed only while the cache holds
// something. Writes are fire-and-forget, as the broadcaster's are; a series patch that finds its
// Event gone creates it, series included.
import type { KubeObject } from '../api/types.ts';
import { formatMicroTime } from '../api/time.ts';
import { EVENTS_V1 } from '../api/event-conversion.ts';
import type { ActorContext, RandomStream } from '../runtime/index.ts';
import type { ApiClient, Via } from './client.ts';
import { EventNamer, fieldsHash, objectReference } from './events.ts';

/** finishTime: a series quiet this long is written a last time and dropped; so is a singleton this old. */
export const EVENT_SERIES_FINISH_MS = 6 * 60_000;
/** refreshTime: every series in the cache is written this often. */
export const EVENT_SERIES_REFRESH_MS = 30 * 60_000;

type ObjectRef = ReturnType<typeof objectReference>;

/** A cached Event: what was written, and its series (counted here, written on the sweeps). */
interface Cached {
  /** The events.k8s.io/v1 Event created (handed to the API server: read only). */
  event: KubeObject;
  ref: ObjectRef;
  rel: ObjectRef | undefined;
  /** Virtual ms of the first occurrence (eventTime). */
  at: number;
  series: { count: number; lastObservedMs: number } | undefined;
}

export class SeriesEventRecorder {
  /** By a 53-bit hash of the isomorphic key; a hit is checked against the key's fields. */
  private readonly cache = new Map<number, Cached>();
  private readonly start: number;
  private finishTimer: number | undefined;
  private refreshTimer: number | undefined;
  private readonly namer: EventNamer;

  constructor(
    private readonly client: ApiClient,
    private readonly ctx: Pick<ActorContext, 'now' | 'startTimer'>,
    /** reportingController, e.g. default-scheduler. */
    private readonly controller: string,
    /** reportingInstance: the controller's name and its host's (`<controller>-<hostname>`). */
    private readonly instance: string,
    /** A seeded random stream of the recording actor (for unique event names). */
    random: RandomStream,
    private readonly eventClient?: Via,
  ) {
    this.start = ctx.now();
    this.namer = new EventNamer(random);
  }

  /** Eventf(regarding, related, type, reason, action, note). */
  event(regarding: KubeObject, related: KubeObject | undefined, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    const now = this.ctx.now();
    const ref = objectReference(regarding);
    const rel = related ? objectReference(related) : undefined;
    const key = isomorphicKey(type, action, reason, ref, rel);
    const hit = this.cache.get(key);
    const cached = hit && isomorphic(hit, type, action, reason, ref, rel) ? hit : undefined;
    if (cached?.series) {
      cached.series.count++;
      cached.series.lastObservedMs = now;
      return;
    }
    if (cached) {
      cached.series = { count: 2, lastObservedMs: now };
      this.writeSeries(cached);
      this.armSweeps();
      return;
    }
    const event = this.makeEvent(ref, rel, type, reason, action, note, now);
    this.cache.set(key, { event, ref, rel, at: now, series: undefined });
    this.create(event);
    this.armSweeps();
  }

  /** makeEvent: an events.k8s.io/v1 Event. */
  private makeEvent(ref: ObjectRef, rel: ObjectRef | undefined, type: string, reason: string, action: string, note: string, now: number): KubeObject {
    const ev: KubeObject = {
      apiVersion: EVENTS_V1, kind: 'Event',
      metadata: { name: this.namer.name(ref.name, now), namespace: ref.namespace ?? 'default' },
      eventTime: formatMicroTime(now), reportingController: this.controller, reportingInstance: this.instance, action, reason,
      regarding: ref, note, type,
    };
    if (rel) ev.related = rel;
    return ev;
  }

  private create(event: KubeObject): void {
    this.client.post({ verb: 'create', apiVersion: EVENTS_V1, kind: 'Event', namespace: event.metadata.namespace, body: event, transfer: true }, this.eventClient);
  }

  /** recordEvent for a series: patch `series`; an Event no longer there is created with it. */
  private writeSeries(c: Cached): void {
    const series = { count: c.series!.count, lastObservedTime: formatMicroTime(c.series!.lastObservedMs) };
    const ev = c.event;
    this.client.request({
      verb: 'patch', apiVersion: EVENTS_V1, kind: 'Event', namespace: ev.metadata.namespace, name: ev.metadata.name,
      body: { series }, patchType: 'application/strategic-merge-patch+json',
    }, (r) => {
      // Created again as recordEvent does, without the server's metadata of the Event that was.
      if (!r.ok && r.status.code === 404) this.create({ ...ev, metadata: { name: ev.metadata.name, namespace: ev.metadata.namespace }, series });
    }, this.eventClient);
  }

  /** Arms the sweeps on their phase from the start, while the cache holds something. */
  private armSweeps(): void {
    if (this.cache.size === 0) return;
    this.finishTimer ??= this.armOnPhase('event-series-finish', EVENT_SERIES_FINISH_MS, () => {
      this.finishTimer = undefined;
      this.finishSeries();
      this.armSweeps();
    });
    this.refreshTimer ??= this.armOnPhase('event-series-refresh', EVENT_SERIES_REFRESH_MS, () => {
      this.refreshTimer = undefined;
      this.refreshSeries();
      this.armSweeps();
    });
  }

  private armOnPhase(name: string, period: number, fn: () => void): number {
    const now = this.ctx.now();
    const next = this.start + (Math.floor((now - this.start) / period) + 1) * period;
    return this.ctx.startTimer(name, next - now, fn, { background: true });
  }

  /** finishSeries: a quiet series is written a last time and dropped; an old singleton is dropped. */
  private finishSeries(): void {
    const horizon = this.ctx.now() - EVENT_SERIES_FINISH_MS;
    for (const [key, c] of this.cache) {
      if (c.series) {
        if (c.series.lastObservedMs >= horizon) continue;
        this.writeSeries(c);
      } else if (c.at >= horizon) continue;
      this.cache.delete(key);
    }
  }

  /** refreshExistingEventSeries: every series in the cache is written. */
  private refreshSeries(): void {
    for (const c of this.cache.values()) if (c.series) this.writeSeries(c);
  }
}

/** getKey: everything but the note, the regarding and related references in full (hashed). */
function isomorphicKey(type: string, action: string, reason: string, ref: ObjectRef, rel: ObjectRef | undefined): number {
  return fieldsHash([
    type, action, reason, ref.apiVersion, ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.resourceVersion ?? '', ref.fieldPath ?? '',
    rel?.apiVersion ?? '', rel?.kind ?? '', rel?.namespace ?? '', rel?.name ?? '', rel?.uid ?? '', rel?.resourceVersion ?? '', rel?.fieldPath ?? '',
  ]);
}

/** Whether a cached Event has this key (and not only its hash). */
function isomorphic(c: Cached, type: string, action: string, reason: string, ref: ObjectRef, rel: ObjectRef | undefined): boolean {
  const ev = c.event;
  return ev.type === type && ev.action === action && ev.reason === reason && sameRef(c.ref, ref) && (c.rel === rel || (c.rel !== undefined && rel !== undefined && sameRef(c.rel, rel)));
}

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.uid === b.uid && a.name === b.name && a.namespace === b.namespace && a.kind === b.kind && a.apiVersion === b.apiVersion
    && a.resourceVersion === b.resourceVersion && a.fieldPath === b.fieldPath;
}
