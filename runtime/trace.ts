// The trace: every delivery, timer, spawn, stop, crash and state change as one JSON line with
// virtual time and sequence number. Same scenario + same seed = byte-identical trace.

export type TraceKind =
  | 'header' | 'input' | 'send' | 'deliver' | 'timer' | 'drop' | 'duplicate' | 'dead-letter'
  | 'spawn' | 'stop' | 'crash' | 'restart' | 'escalate' | 'state' | 'log';

/** One trace line. `n` is the line's number, `t` the virtual time in ms. */
export interface TraceRecord {
  n: number;
  t: number;
  kind: TraceKind;
  [field: string]: unknown;
}

/** Where trace lines go: a file, an array, the inspector. */
export interface TraceSink {
  write(line: string, record: TraceRecord): void;
  close?(): void;
}

/** Keeps the lines in memory (tests, replay comparison, the inspector). */
export class MemoryTraceSink implements TraceSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  text(): string {
    return this.lines.length ? this.lines.join('\n') + '\n' : '';
  }
}

/** Compares two traces line by line; returns the first difference or null when identical. */
export function diffTraces(expected: readonly string[], actual: readonly string[]): null | { line: number; expected?: string; actual?: string } {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) return { line: i + 1, expected: expected[i], actual: actual[i] };
  }
  return null;
}
