// Tiny benchmark harness: warm-up, then the best and median of several timed runs, with GC first.
import { createdClusters } from '../cluster/cluster.ts';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function gc(): void {
  // Clusters register themselves for the CLI (to close their traces at exit): a benchmark's
  // earlier clusters must not stay reachable while the next one is measured.
  createdClusters().splice(0);
  (globalThis as any).gc?.();
}

/** Runs `fn` (which does `ops` operations) once to warm up, then `runs` times; returns ops/s of the best and median run. */
export function measure(ops: number, fn: () => void, runs = 3): { best: number; median: number } {
  fn();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    rates.push((ops * 1000) / dt);
  }
  rates.sort((a, b) => b - a);
  return { best: rates[0], median: rates[Math.floor(rates.length / 2)] };
}

export function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(1);
}

export function print(title: string, rows: Array<[string, string]>): void {
  console.log(`\n## ${title}`);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}
