// kubectl apply's client-side logic: create when absent; otherwise a three-way merge between
// the last applied configuration (annotation kubectl.kubernetes.io/last-applied-configuration),
// the new configuration and the live object, sent as a strategic merge patch.
import type { KubeObject } from '../api/types.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The configuration as kubectl records it in the annotation (without the annotation itself). */
export function lastAppliedText(config: KubeObject): string {
  const copy = structuredClone(config);
  const ann = copy.metadata?.annotations;
  if (ann) {
    delete ann[LAST_APPLIED];
    if (Object.keys(ann).length === 0) delete copy.metadata.annotations;
  }
  return JSON.stringify(copy) + '\n';
}

/** The object to create: the configuration plus its last-applied annotation. */
export function withLastApplied(config: KubeObject): KubeObject {
  const obj = structuredClone(config);
  obj.metadata = { ...obj.metadata, annotations: { ...(obj.metadata?.annotations ?? {}), [LAST_APPLIED]: lastAppliedText(config) } };
  return obj;
}

/**
 * The patch that takes the live object to the new configuration: every field of the new
 * configuration, and null for every field the last configuration set that the new one drops.
 */
export function threeWayPatch(last: KubeObject | undefined, config: KubeObject): Record<string, unknown> {
  const patch = diffMaps(last ?? {}, config) as Record<string, unknown>;
  const meta = (patch.metadata ?? {}) as Record<string, any>;
  meta.annotations = { ...(meta.annotations ?? {}), [LAST_APPLIED]: lastAppliedText(config) };
  patch.metadata = meta;
  return patch;
}

function diffMaps(last: Record<string, any>, next: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(next)) {
    const n = next[k];
    const l = last?.[k];
    out[k] = isMap(n) && isMap(l) ? diffMaps(l, n) : n;
  }
  for (const k of Object.keys(last ?? {})) if (!(k in next)) out[k] = null;
  return out;
}

function isMap(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseLastApplied(live: KubeObject): KubeObject | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    return undefined;
  }
}
