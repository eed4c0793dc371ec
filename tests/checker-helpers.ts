// Shared by the model-checker tests: a counterexample's replay file must reproduce its run.
import { expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayCheck, writeReplayFile } from '../checker/replay-file.ts';
import { MemoryTraceSink, diffTraces } from '../runtime/index.ts';
import type { CheckDefinition, Violation } from '../checker/types.ts';

/** Writes the replay file of a violation, re-runs it as `kubesim replay` does, and compares the traces. */
export async function replaysIdentically(file: string, def: CheckDefinition, violation: Violation, exportName = 'default'): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-check-'));
  const lines = await writeReplayFile(join(dir, 'cex.replay.jsonl'), file, exportName, def, violation);
  const origin = JSON.parse(lines.find((l) => l.includes('"what":"cluster"'))!).origin;
  expect(origin).toMatchObject({ command: 'check-replay', schedule: violation.schedule, property: violation.property });
  const sink = new MemoryTraceSink();
  await replayCheck(origin, sink);
  expect(diffTraces(lines, sink.lines)).toBeNull();
  return lines;
}
