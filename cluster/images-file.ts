// `--images FILE`: images a scenario's registry has (or lacks), as YAML or JSON:
//   images:
//   - ref: myorg/app:v1          # added (or changed) image
//     sizeBytes: 120000000
//     pullMs: 8000               # pull time, overriding size/throughput
//     behavior: { startupMs: 5000, exitAfterMs: 60000, exitCode: 1 }
//   - ref: myorg/app:v2
//     missing: true              # does not exist: ErrImagePull
//   - ref: myorg/private
//     private: regcred           # needs this imagePullSecret
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ImageRegistry } from '../cri/images.ts';
import type { ProcessBehavior } from '../cri/types.ts';

export interface ImageEntry {
  ref: string;
  sizeBytes?: number;
  pullMs?: number;
  missing?: boolean;
  private?: string;
  behavior?: ProcessBehavior;
  entrypoint?: string[];
  cmd?: string[];
  ports?: number[];
}

export function applyImageEntries(registry: ImageRegistry, entries: ImageEntry[]): void {
  for (const e of entries) {
    if (!e || typeof e.ref !== 'string') throw new Error('every image entry needs a "ref" (e.g. myorg/app:v1)');
    if (e.missing) {
      registry.setMissing(e.ref);
      continue;
    }
    const info: Record<string, unknown> = { ref: e.ref };
    if (e.sizeBytes !== undefined) info.sizeBytes = e.sizeBytes;
    if (e.entrypoint) info.entrypoint = e.entrypoint;
    if (e.cmd) info.cmd = e.cmd;
    if (e.ports) info.ports = e.ports;
    registry.addImage(info as any);
    if (e.pullMs !== undefined) registry.setPullTime(e.ref, e.pullMs);
    if (e.behavior) registry.setBehavior(e.ref, e.behavior);
    if (e.private) registry.setPrivate(e.ref, e.private);
  }
}

export function loadImagesFile(registry: ImageRegistry, path: string): void {
  let doc: any;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`error reading --images file "${path}": ${e instanceof Error ? e.message : String(e)}`);
  }
  const entries = Array.isArray(doc) ? doc : doc?.images;
  if (!Array.isArray(entries)) throw new Error(`--images file "${path}" must hold a list of images (or an "images:" list)`);
  applyImageEntries(registry, entries);
}
