// events.k8s.io/v1 Event: another version of the one Event resource, stored once (as core/v1
// here) and converted at the API's edge, as pkg/apis/events/v1/conversion.go maps the fields:
// regarding ↔ involvedObject, note ↔ message, reportingController ↔ reportingComponent, and
// deprecatedSource / deprecatedFirstTimestamp / deprecatedLastTimestamp / deprecatedCount ↔
// source / firstTimestamp / lastTimestamp / count. The rest (metadata, eventTime, series, action,
// reason, type, related, reportingInstance) keeps its name.
import type { KubeObject } from './types.ts';

export const EVENTS_V1 = 'events.k8s.io/v1';

/** events.k8s.io/v1 field → core/v1 field, for the fields whose names differ. */
const RENAMED: Readonly<Record<string, string>> = {
  regarding: 'involvedObject', note: 'message', reportingController: 'reportingComponent',
  deprecatedSource: 'source', deprecatedFirstTimestamp: 'firstTimestamp', deprecatedLastTimestamp: 'lastTimestamp', deprecatedCount: 'count',
};

/** A stored core/v1 Event as events.k8s.io/v1 shows it (Go's encoding: empty structs and times kept). */
export function eventToV1(core: KubeObject): KubeObject {
  const out: KubeObject = { apiVersion: EVENTS_V1, kind: 'Event', metadata: core.metadata };
  out.eventTime = core.eventTime ?? null;
  copyIf(out, 'series', core.series);
  copyIf(out, 'reportingController', core.reportingComponent || undefined);
  copyIf(out, 'reportingInstance', core.reportingInstance || undefined);
  copyIf(out, 'action', core.action || undefined);
  copyIf(out, 'reason', core.reason || undefined);
  out.regarding = core.involvedObject ?? {};
  copyIf(out, 'related', core.related);
  copyIf(out, 'note', core.message || undefined);
  copyIf(out, 'type', core.type || undefined);
  out.deprecatedSource = core.source ?? {};
  out.deprecatedFirstTimestamp = core.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = core.lastTimestamp ?? null;
  copyIf(out, 'deprecatedCount', core.count || undefined);
  return out;
}

/** An events.k8s.io/v1 Event written by a client, as core/v1 stores it. */
export function eventFromV1(v1: KubeObject): KubeObject {
  // Not an object: left for the request's own checks to refuse.
  if (!v1 || typeof v1 !== 'object' || Array.isArray(v1)) return v1;
  const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: v1.metadata };
  for (const k in v1) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    out[RENAMED[k] ?? k] = v1[k];
  }
  // What core/v1 always carries, as Go encodes its zero values.
  out.involvedObject ??= {};
  out.source ??= {};
  out.firstTimestamp ??= null;
  out.lastTimestamp ??= null;
  out.eventTime ??= null;
  out.reportingComponent ??= '';
  out.reportingInstance ??= '';
  return out;
}

/**
 * A patch of an events.k8s.io/v1 Event, as a patch of its core/v1 form: a merge patch's top-level
 * keys, a JSON patch's first path segment.
 */
export function patchFromV1(patch: unknown): unknown {
  if (Array.isArray(patch)) {
    return patch.map((op) => (op && typeof op === 'object' ? { ...op, path: renamePath(op.path), ...(op.from !== undefined ? { from: renamePath(op.from) } : {}) } : op));
  }
  if (!patch || typeof patch !== 'object') return patch;
  return Object.fromEntries(Object.entries(patch).map(([k, v]) => [RENAMED[k] ?? k, v]));
}

/** A field selector on events.k8s.io/v1 fields, as one on the core/v1 fields stored. */
export function fieldSelectorFromV1(selector: string | undefined): string | undefined {
  if (!selector) return selector;
  return selector.split(',').map((term) => term.replace(/^([A-Za-z]+)/, (head) => RENAMED[head] ?? head)).join(',');
}

function renamePath(path: unknown): unknown {
  if (typeof path !== 'string') return path;
  const m = /^\/([^/]+)(.*)$/.exec(path);
  return m && RENAMED[m[1]] ? `/${RENAMED[m[1]]}${m[2]}` : path;
}

function copyIf(out: KubeObject, key: string, v: unknown): void {
  if (v !== undefined && v !== null) out[key] = v;
}
