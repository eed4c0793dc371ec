// Shrinking a counterexample: delta debugging (Zeller & Hildebrandt, "Simplifying and Isolating
// Failure-Inducing Input", TSE 2002) over the schedule's choices. A candidate is any sub-list of
// the choices; replayed from the initial state, a choice that is not enabled falls back to the
// default, and after the list the default schedule runs on. A candidate "fails" when it violates
// the same property. Then each remaining choice is tried as the default ('.'), and the schedule is
// cut at the violation, so its length is the number of choice points up to the violation.
import { DEFAULT_CHOICE, Execution } from './execution.ts';
import { runSchedule } from './explore.ts';
import type { CheckDefinition, Choice, Violation } from './types.ts';

export interface ShrinkStats {
  tests: number;
  transitions: number;
}

/** Replays a schedule; the violation it ends in, if any. */
export async function replaySchedule(def: CheckDefinition, schedule: readonly Choice[], stats?: ShrinkStats): Promise<Violation | undefined> {
  const exec = await Execution.start(def);
  const v = runSchedule(exec, schedule);
  if (stats) {
    stats.tests++;
    stats.transitions += exec.steps;
  }
  return v;
}

export async function shrink(def: CheckDefinition, violation: Violation, stats: ShrinkStats = { tests: 0, transitions: 0 }): Promise<Violation> {
  const same = async (s: Choice[]) => {
    const v = await replaySchedule(def, s, stats);
    return v && v.property === violation.property ? v : undefined;
  };
  let best = violation;
  let c = trimDefaults(violation.schedule);
  let n = 2;
  while (c.length >= 2) {
    const chunks = split(c, n);
    let reduced = false;
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const v = await same(chunks[i]);
      if (v) {
        [c, best, n, reduced] = [chunks[i], shorter(best, v), 2, true];
      }
    }
    for (let i = 0; i < chunks.length && !reduced && n > 2; i++) {
      const complement = chunks.filter((_, j) => j !== i).flat();
      const v = await same(complement);
      if (v) {
        [c, best, n, reduced] = [complement, shorter(best, v), Math.max(n - 1, 2), true];
      }
    }
    if (reduced) continue;
    if (n >= c.length) break;
    n = Math.min(c.length, 2 * n);
  }
  if (c.length === 1) {
    const v = await same([]);
    if (v) [c, best] = [[], shorter(best, v)];
  }
  // Prefer the default where it makes no difference (the schedule then names only the deviations).
  for (let i = 0; i < c.length; i++) {
    if (c[i] === DEFAULT_CHOICE) continue;
    const candidate = c.map((x, j) => (j === i ? DEFAULT_CHOICE : x));
    const v = await same(candidate);
    if (v && v.schedule.length <= best.schedule.length) [c, best] = [candidate, v];
  }
  return best;
}

function shorter(a: Violation, b: Violation): Violation {
  return b.schedule.length < a.schedule.length || (b.schedule.length === a.schedule.length && b.steps <= a.steps) ? b : a;
}

function split<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(xs.length / n);
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Drops trailing defaults: after its list, a schedule continues with the default anyway. */
export function trimDefaults(s: readonly Choice[]): Choice[] {
  let end = s.length;
  while (end > 0 && s[end - 1] === DEFAULT_CHOICE) end--;
  return s.slice(0, end);
}
