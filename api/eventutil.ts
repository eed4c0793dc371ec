// Reading an Event whichever library wrote it. client-go's tools/record (kubelet, controllers)
// fills core/v1's count, firstTimestamp, lastTimestamp and source; tools/events (kube-scheduler)
// writes events.k8s.io/v1, which core/v1 shows with eventTime, series, reportingComponent and
// those four empty. kubectl reads both the same way, and so does everything here.
import type { KubeObject } from './types.ts';

/** When an Event last happened: its series, lastTimestamp, eventTime, firstTimestamp, else its creation. */
export function eventTimestamp(ev: KubeObject): string {
  return ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? ev.deprecatedLastTimestamp ?? ev.firstTimestamp
    ?? ev.metadata.creationTimestamp ?? '';
}

/** When an Event first happened: firstTimestamp, else eventTime, else its creation. */
export function eventFirstTimestamp(ev: KubeObject): string {
  return ev.firstTimestamp ?? ev.deprecatedFirstTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? '';
}

/** How many times it happened: its series' count, else count, else once. */
export function eventCount(ev: KubeObject): number {
  return ev.series?.count ?? ev.count ?? ev.deprecatedCount ?? 1;
}

/** Who reported it (kubectl describe's From): source.component, else reportingComponent. */
export function eventSource(ev: KubeObject): string {
  return ev.source?.component || ev.reportingComponent || ev.reportingController || '';
}

/** Oldest first by eventTimestamp, then by resourceVersion (as `cluster.events()` orders them). */
export function compareEvents(a: KubeObject, b: KubeObject): number {
  // Parsed: a MicroTime (eventTime, series) and a Time (lastTimestamp) of one second compare right.
  const ta = Date.parse(eventTimestamp(a)) || 0;
  const tb = Date.parse(eventTimestamp(b)) || 0;
  if (ta !== tb) return ta - tb;
  return Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion);
}
