// Replay files: a kubesim trace (JSON lines) whose header's origin names the check file and the
// schedule, `{ command: 'check-replay', check, export, schedule, property }`. `kubesim replay FILE`
// re-runs the check along the schedule and compares the new trace with the file, line by line.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryTraceSink, type TraceSink } from '../runtime/index.ts';
import { Execution } from './execution.ts';
import { runSchedule } from './explore.ts';
import type { CheckDefinition, Choice, Violation } from './types.ts';

export interface CheckReplayOrigin {
  command: 'check-replay';
  /** Absolute path of the check file. */
  check: string;
  /** The export holding the definition ('default' or a name). */
  export: string;
  schedule: Choice[];
  property: string;
  [k: string]: unknown;
}

/** Loads a check definition from a file: its default export, `check`, or the named export. */
export async function loadCheck(file: string, name?: string): Promise<{ def: CheckDefinition; exportName: string }> {
  const mod = await import(pathToFileURL(resolve(file)).href);
  const exportName = name ?? (mod.default ? 'default' : 'check');
  const def = mod[exportName] as CheckDefinition | undefined;
  if (!def || typeof def !== 'object' || typeof def.depth !== 'number') throw new Error(`${file} does not export a check definition (export default defineCheck({...}))`);
  return { def, exportName };
}

/** Runs the check along the schedule with the trace going to `sink`; returns the violation. */
export async function traceSchedule(def: CheckDefinition, origin: CheckReplayOrigin, sink: TraceSink): Promise<Violation | undefined> {
  const exec = await Execution.start(def, { trace: sink, origin });
  return runSchedule(exec, origin.schedule);
}

/** Writes the replay file of a violation; returns its lines. */
export async function writeReplayFile(path: string, checkFile: string, exportName: string, def: CheckDefinition, violation: Violation): Promise<string[]> {
  const origin: CheckReplayOrigin = { command: 'check-replay', check: resolve(checkFile), export: exportName, schedule: violation.schedule, property: violation.property };
  const sink = new MemoryTraceSink();
  await traceSchedule(def, origin, sink);
  writeFileSync(path, sink.text());
  return sink.lines;
}

/** For `kubesim replay`: re-runs a check-replay origin into `sink`. */
export async function replayCheck(origin: Record<string, unknown>, sink: TraceSink): Promise<void> {
  const o = origin as CheckReplayOrigin;
  const { def } = await loadCheck(o.check, o.export);
  await traceSchedule(def, o, sink);
}
