// Search strategies over executions (stateless model checking, as CHESS and Coyote do: a state is
// reached again by replaying its choice prefix from the initial state, since actor state lives in
// closures and cannot be restored). A visited set of fingerprints prunes states seen before.
//  - bfs: breadth-first over choice points: the first violation found has the fewest choices.
//  - dfs: depth-first with iterative deepening, optional sleep sets (partial-order reduction).
//  - random: seeded random walks.  - pct: probabilistic concurrency testing (priorities, d-1 change points).
//  - replay: one given schedule.
import { Random } from '../runtime/index.ts';
import { DEFAULT_CHOICE, Execution, type ChoiceOption, type ExecutionOptions } from './execution.ts';
import { toKey, type Hash64 } from './hash.ts';
import { FingerprintSet } from './visited.ts';
import type { CheckDefinition, CheckResult, Choice, CoverageRow, Violation } from './types.ts';

export type StrategyName = 'bfs' | 'dfs' | 'random' | 'pct' | 'replay';

export interface ExploreOptions {
  strategy: StrategyName;
  /** Stop after this many executions / this much wall time (the result says `truncated`). */
  maxExecutions?: number;
  maxMs?: number;
  /** Random walk and PCT seed. */
  seed?: number;
  /** PCT depth d (d-1 priority change points). Default 3. */
  pctDepth?: number;
  /** Sleep-set partial-order reduction (dfs). */
  por?: boolean;
  /** Node symmetry reduction in fingerprints. */
  symmetry?: boolean;
  /** dfs: iterative deepening step (choice points). Default: depth (plain DFS). */
  deepeningStep?: number;
  /** replay: the schedule. */
  schedule?: Choice[];
  /** Count coverage triples (costs a little per step). Default true. */
  coverage?: boolean;
  /** random/pct: keep walking after a violation (the first one is reported; benchmarks). Default true. */
  stopAtViolation?: boolean;
}

interface Stats {
  states: number;
  transitions: number;
  executions: number;
  depth: number;
  distinct: FingerprintSet;
  coverage: Map<string, number> | undefined;
  start: number;
  truncated: boolean;
}

export async function explore(def: CheckDefinition, opts: ExploreOptions): Promise<CheckResult> {
  const stats: Stats = {
    states: 0, transitions: 0, executions: 0, depth: 0, distinct: new FingerprintSet(),
    coverage: opts.coverage === false ? undefined : new Map(), start: performance.now(), truncated: false,
  };
  const ctx = new Ctx(def, opts, stats);
  let violation: Violation | undefined;
  switch (opts.strategy) {
    case 'bfs': violation = await bfs(ctx); break;
    case 'dfs': violation = await dfs(ctx); break;
    case 'random': violation = await randomWalks(ctx, false); break;
    case 'pct': violation = await randomWalks(ctx, true); break;
    case 'replay': violation = await replayOnce(ctx, opts.schedule ?? []); break;
  }
  return {
    check: def.name, strategy: opts.strategy, states: stats.states, distinctStates: stats.distinct.size,
    transitions: stats.transitions, executions: stats.executions, depth: stats.depth,
    wallMs: Math.round(performance.now() - stats.start), violation, coverage: coverageRows(stats.coverage), truncated: stats.truncated,
  };
}

/** Shared plumbing: executions, budgets, statistics. */
class Ctx {
  private readonly counted = new WeakMap<Execution, number>();
  constructor(readonly def: CheckDefinition, readonly opts: ExploreOptions, readonly stats: Stats) {}

  get execOptions(): ExecutionOptions {
    return { symmetry: this.opts.symmetry, coverage: this.stats.coverage };
  }

  outOfBudget(): boolean {
    const s = this.stats;
    if (this.opts.maxExecutions !== undefined && s.executions >= this.opts.maxExecutions) return (s.truncated = true);
    if (this.opts.maxMs !== undefined && performance.now() - s.start >= this.opts.maxMs) return (s.truncated = true);
    return false;
  }

  /** A fresh execution driven along `prefix`; returns it with the options at the state reached. */
  async replay(prefix: readonly Choice[]): Promise<{ exec: Execution; options: ChoiceOption[] }> {
    const exec = await Execution.start(this.def, this.execOptions);
    this.stats.executions++;
    let options = exec.advance();
    for (const c of prefix) {
      if (options.length === 0) break;
      exec.choose(options, c);
      options = exec.advance();
    }
    return { exec, options };
  }

  /** Records a state at a choice point; returns its fingerprint and whether it is new. */
  see(exec: Execution): { fp: Hash64; fresh: boolean } {
    const fp = exec.fingerprint();
    this.stats.states++;
    if (exec.depth > this.stats.depth) this.stats.depth = exec.depth;
    return { fp, fresh: this.stats.distinct.add(fp) };
  }

  /** Finishes an execution: liveness at a leaf, counts its steps. */
  finish(exec: Execution, leaf: boolean): Violation | undefined {
    if (leaf && !exec.violation) exec.checkLiveness();
    this.stats.transitions += exec.steps - (this.counted.get(exec) ?? 0);
    this.counted.set(exec, exec.steps);
    if (exec.depth > this.stats.depth) this.stats.depth = exec.depth;
    return exec.violation;
  }
}

// -------------------------------------------------------------------- BFS

async function bfs(ctx: Ctx): Promise<Violation | undefined> {
  const root = await ctx.replay([]);
  if (root.exec.violation || root.options.length === 0) return ctx.finish(root.exec, true);
  ctx.see(root.exec);
  ctx.finish(root.exec, false);
  let frontier: Choice[][] = [[]];
  while (frontier.length) {
    const next: Choice[][] = [];
    for (const prefix of frontier) {
      let { exec, options } = await ctx.replay(prefix);
      ctx.finish(exec, false);
      const choices = options.map((o) => o.choice);
      for (let i = 0; i < choices.length; i++) {
        if (ctx.outOfBudget()) return undefined;
        if (i > 0) ({ exec, options } = await ctx.replay(prefix));
        exec.choose(options, choices[i]);
        const after = exec.advance();
        const path = [...prefix, choices[i]];
        if (exec.violation) return ctx.finish(exec, false);
        if (after.length === 0) {
          const v = ctx.finish(exec, true);
          if (v) return v;
          continue;
        }
        const { fresh } = ctx.see(exec);
        if (fresh) {
          next.push(path);
          // ESR from every state after the last fault (checks with faults); otherwise at the leaves.
          if (ctx.def.faults && exec.faults > 0 && exec.faultsExhausted() && ctx.def.liveness?.length) {
            const v = ctx.finish(exec, true);
            if (v) return v;
            continue;
          }
        }
        ctx.finish(exec, false);
      }
    }
    frontier = next;
  }
  return undefined;
}

// -------------------------------------------------------------------- DFS (iterative deepening, sleep sets)

interface Frame {
  options: { choice: Choice; footprint: string[] }[];
  taken: number;
  sleep: Map<Choice, string[]>;
}

async function dfs(ctx: Ctx): Promise<Violation | undefined> {
  const full = ctx.def.depth;
  const step = ctx.opts.deepeningStep ?? full;
  for (let limit = Math.min(step, full); ; limit = Math.min(limit + step, full)) {
    const v = await dfsTo(ctx, limit);
    if (v || ctx.stats.truncated || limit >= full) return v;
  }
}

async function dfsTo(ctx: Ctx, limit: number): Promise<Violation | undefined> {
  const def = { ...ctx.def, depth: limit };
  const inner = new Ctx(def, ctx.opts, ctx.stats);
  // fingerprint → sleep set it was explored with (POR); null = explored with an empty sleep set.
  const visited = new Map<number, Choice[] | null>();
  const path: Frame[] = [];
  const por = ctx.opts.por === true;
  while (true) {
    if (inner.outOfBudget()) return undefined;
    const { exec, options: first } = await inner.replay(path.map((f) => f.options[f.taken].choice));
    let options = first;
    // Go down greedily from the end of the path.
    while (true) {
      if (exec.violation) return inner.finish(exec, false);
      if (options.length === 0) {
        const v = inner.finish(exec, true);
        if (v) return v;
        break;
      }
      const parent = path[path.length - 1];
      const sleep = parent ? childSleep(parent, exec) : new Map<Choice, string[]>();
      const { fp } = inner.see(exec);
      const key = toKey(fp);
      if (visited.has(key)) {
        const stored = visited.get(key) ?? [];
        if (stored.every((c) => sleep.has(c))) {
          inner.finish(exec, false);
          break;
        }
        visited.set(key, stored.filter((c) => sleep.has(c)));
      } else visited.set(key, por && sleep.size ? [...sleep.keys()] : null);
      const frame: Frame = { options: options.map((o) => ({ choice: o.choice, footprint: o.footprint })), taken: -1, sleep: por ? sleep : new Map() };
      frame.taken = frame.options.findIndex((o) => !frame.sleep.has(o.choice));
      if (frame.taken < 0) {
        inner.finish(exec, false);
        break;
      }
      path.push(frame);
      exec.choose(options, frame.options[frame.taken].choice);
      options = exec.advance();
    }
    // Backtrack to the deepest frame with an option left that is not asleep.
    while (path.length) {
      const f = path[path.length - 1];
      const done = f.options[f.taken];
      if (por) f.sleep.set(done.choice, done.footprint);
      let next = f.taken + 1;
      while (next < f.options.length && f.sleep.has(f.options[next].choice)) next++;
      if (next < f.options.length) {
        f.taken = next;
        break;
      }
      path.pop();
    }
    if (path.length === 0) return undefined;
  }
}

/** Sleep set of the child: the parent's sleeping choices independent of the one taken. */
function childSleep(parent: Frame, exec: Execution): Map<Choice, string[]> {
  const taken = parent.options[parent.taken];
  const out = new Map<Choice, string[]>();
  for (const [c, fp] of parent.sleep) if (independent(fp, taken.footprint, exec)) out.set(c, fp);
  return out;
}

/**
 * Two options commute when they touch different actors that are not ancestors of one another
 * (a supervisor restarts its children; a kubelet shares its node with its pod workers). Timers
 * ('*') depend on everything. Sound for actors that share no memory outside messages.
 */
export function independent(a: string[], b: string[], exec: Execution): boolean {
  for (const x of a) {
    for (const y of b) {
      if (x === '*' || y === '*' || x === y) return false;
      if (isAncestor(x, y, exec) || isAncestor(y, x, exec)) return false;
    }
  }
  return true;
}

function isAncestor(a: string, b: string, exec: Execution): boolean {
  for (let p = exec.runtime.parentOf(b); p; p = exec.runtime.parentOf(p)) if (p === a) return true;
  return false;
}

// -------------------------------------------------------------------- random walks and PCT

async function randomWalks(ctx: Ctx, pct: boolean): Promise<Violation | undefined> {
  const rng = new Random(ctx.opts.seed ?? 1).stream(pct ? 'pct' : 'random-walk');
  const d = ctx.opts.pctDepth ?? 3;
  let first: Violation | undefined;
  while (!ctx.outOfBudget()) {
    const exec = await Execution.start(ctx.def, ctx.execOptions);
    ctx.stats.executions++;
    const priorities = new Map<string, number>();
    const changeAt = new Set<number>();
    for (let i = 0; i < d - 1; i++) changeAt.add(rng.int(Math.max(1, ctx.def.depth)));
    let lowered = 0;
    for (let options = exec.advance(); options.length; options = exec.advance()) {
      ctx.see(exec);
      let pick: ChoiceOption;
      if (!pct) pick = options[rng.int(options.length)];
      else {
        pick = options[0];
        let best = -1;
        for (const o of options) {
          const t = threadOf(o);
          let p = priorities.get(t);
          if (p === undefined) priorities.set(t, (p = d + rng.next()));
          if (p > best) {
            best = p;
            pick = o;
          }
        }
        if (changeAt.has(exec.depth)) priorities.set(threadOf(pick), (d - 1 - lowered++) / d);
      }
      exec.choose(options, pick.choice);
    }
    const v = ctx.finish(exec, true);
    if (v && ctx.opts.stopAtViolation !== false) return v;
    first ??= v;
  }
  return first;
}

/** PCT's "thread" of an option: the receiving actor for deliveries, the fault itself otherwise. */
function threadOf(o: ChoiceOption): string {
  return o.choice.startsWith('d:') ? `actor:${o.footprint[0]}` : o.choice;
}

// -------------------------------------------------------------------- replay

async function replayOnce(ctx: Ctx, schedule: Choice[]): Promise<Violation | undefined> {
  const exec = await Execution.start(ctx.def, ctx.execOptions);
  ctx.stats.executions++;
  return runSchedule(exec, schedule, (e) => ctx.see(e), (e) => ctx.finish(e, true));
}

/**
 * Drives an execution along a schedule (then the default), to its end; checks liveness at the end.
 * Used by replay, shrinking and the replay file.
 */
export function runSchedule(exec: Execution, schedule: readonly Choice[], onState?: (e: Execution) => void, onEnd?: (e: Execution) => Violation | undefined): Violation | undefined {
  let i = 0;
  const live = (exec.def.liveness?.length ?? 0) > 0;
  for (let options = exec.advance(); options.length; options = exec.advance()) {
    // With liveness goals, the schedule's end is where ESR starts: the default schedule from there
    // (invariants still checked at every step).
    if (live && i >= schedule.length) break;
    onState?.(exec);
    exec.choose(options, i < schedule.length ? schedule[i++] : DEFAULT_CHOICE);
  }
  if (onEnd) return onEnd(exec);
  if (!exec.violation) exec.checkLiveness();
  return exec.violation;
}

function coverageRows(cov: Map<string, number> | undefined): CoverageRow[] {
  if (!cov) return [];
  return [...cov].map(([k, count]) => {
    const [actorType, state, event] = k.split('\u0000');
    return { actorType, state, event, count };
  }).sort((a, b) => (a.actorType < b.actorType ? -1 : a.actorType > b.actorType ? 1 : a.state < b.state ? -1 : a.state > b.state ? 1 : a.event < b.event ? -1 : 1));
}
