// `kubesim check FILE.ts`: explores a check's schedules and faults, prints the figures and the
// coverage table, and on a violation shrinks it and writes a replay file (`kubesim replay FILE`).
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { explore, type StrategyName } from './explore.ts';
import { shrink } from './shrink.ts';
import { loadCheck, writeReplayFile } from './replay-file.ts';
import { parseDuration } from '../cluster/duration.ts';
import type { CheckResult } from './types.ts';

/** For `kubesim replay`: re-runs a trace whose origin is `{ command: 'check-replay', ... }`. */
export { replayCheck } from './replay-file.ts';

export const CHECK_HELP = `Explore the schedules and faults of a check file (model checking) and report violations.

Usage:
  kubesim check FILE.ts [options]

Options:
      --strategy S        bfs (default: shortest counterexample), dfs, random, pct
      --depth N           choice points per execution (default: the check's)
      --max-executions N  stop after N executions
      --max-time D        stop after D of wall time (default 60s)
      --seed N            seed of random walks and PCT (default 1)
      --pct-depth D       PCT's bug depth d (default 3)
      --por               partial-order reduction (sleep sets; dfs)
      --symmetry          node symmetry reduction in fingerprints
      --deepening N       dfs: iterative deepening step
      --no-shrink         report the counterexample as found
      --replay FILE       where the replay file goes (default: NAME.replay.jsonl)
      --coverage          print the (actor type, state, event) coverage table

A check file exports a definition: export default defineCheck({ name, setup, focus, faults, invariants, liveness, depth }).

Examples:
  kubesim check checker/checks/rs-no-expectations.check.ts
  kubesim check checker/checks/rs-rewatch-from-now.check.ts --strategy random --max-time 30s
  kubesim replay web.replay.jsonl`;

export async function checkCommand(args: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: {
      strategy: { type: 'string' }, depth: { type: 'string' }, 'max-executions': { type: 'string' }, 'max-time': { type: 'string' },
      seed: { type: 'string' }, 'pct-depth': { type: 'string' }, por: { type: 'boolean' }, symmetry: { type: 'boolean' },
      deepening: { type: 'string' }, 'no-shrink': { type: 'boolean' }, replay: { type: 'string' }, coverage: { type: 'boolean' },
      export: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(CHECK_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new Error('kubesim check takes one check file (see kubesim check --help)');
  const file = positionals[0];
  const { def: loaded, exportName } = await loadCheck(file, values.export);
  const def = values.depth ? { ...loaded, depth: int(values.depth, '--depth') } : loaded;
  const strategy = (values.strategy ?? 'bfs') as StrategyName;
  if (!['bfs', 'dfs', 'random', 'pct'].includes(strategy)) throw new Error(`unknown strategy "${strategy}" (bfs, dfs, random, pct)`);
  const result = await explore(def, {
    strategy, seed: values.seed ? int(values.seed, '--seed') : 1, pctDepth: values['pct-depth'] ? int(values['pct-depth'], '--pct-depth') : undefined,
    maxExecutions: values['max-executions'] ? int(values['max-executions'], '--max-executions') : undefined,
    maxMs: parseDuration(values['max-time'] ?? '60s'), por: values.por, symmetry: values.symmetry,
    deepeningStep: values.deepening ? int(values.deepening, '--deepening') : undefined,
  });
  out(formatResult(result));
  if (values.coverage) out(formatCoverage(result));
  if (!result.violation) return 0;
  const v = values['no-shrink'] ? result.violation : await shrink(def, result.violation);
  const path = values.replay ?? `${basename(file).replace(/(\.check)?\.[mc]?ts$/, '')}.replay.jsonl`;
  const lines = await writeReplayFile(path, file, exportName, def, v);
  out(`\ncounterexample${values['no-shrink'] ? '' : ' (shrunk)'}: ${v.schedule.length} choice points, ${v.steps} steps, at ${v.time} ms of virtual time\n`);
  v.schedule.forEach((c, i) => { if (c !== '.') out(`  ${String(i + 1).padStart(3)}. ${c}\n`); });
  out(`replay file: ${path} (${lines.length} trace lines); replay it with: kubesim replay ${path}\n`);
  return 1;
}

export function formatResult(r: CheckResult): string {
  const secs = r.wallMs / 1000;
  const lines = [
    `check ${r.check} (${r.strategy})${r.truncated ? ' — budget exhausted before the bounded space' : ''}`,
    `  executions ${r.executions}, states ${r.states}, distinct ${r.distinctStates}, transitions ${r.transitions}, depth ${r.depth}`,
    `  wall ${secs.toFixed(1)} s: ${Math.round(r.transitions / Math.max(secs, 1e-3))} transitions/s, ${Math.round(r.distinctStates / Math.max(secs, 1e-3))} distinct states/s`,
    r.violation ? `  VIOLATION ${r.violation.property} (${r.violation.kind}): ${r.violation.message}` : '  no violation',
  ];
  return lines.join('\n') + '\n';
}

export function formatCoverage(r: CheckResult): string {
  const rows = r.coverage.map((c) => `  ${c.actorType.padEnd(34)} ${c.state.slice(0, 40).padEnd(40)} ${c.event.padEnd(28)} ${c.count}`);
  return `\ncoverage: ${r.coverage.length} (actor type, state, event) triples\n${rows.join('\n')}\n`;
}

function int(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid argument "${s}" for "${flag}": must be a non-negative integer`);
  return n;
}
