// Explainability: the record of one scheduling attempt (which filter rejected each node and why,
// each node's scores, the choice) and a pure renderer of it as readable lines, for the inspector
// and for `kubectl describe`-style output. Mirrors what kube-scheduler logs at -v=10.
import type { Code } from './plugins.ts';

export interface NodeVerdict {
  node: string;
  /** The filter plugin that rejected the node (absent: every filter passed). */
  rejectedBy?: string;
  code?: Code;
  reasons?: string[];
  /** Normalized 0–100 scores, aligned with `SchedulingDecision.scorePlugins` (absent: not scored). */
  scores?: number[];
  /** Σ score × weight. */
  total?: number;
}

export interface SchedulingDecision {
  /** namespace/name */
  pod: string;
  uid: string;
  attempt: number;
  /** Virtual ms of the attempt. */
  time: number;
  outcome: 'Scheduled' | 'Unschedulable' | 'SchedulerError';
  node?: string;
  /** The FailedScheduling message (or the error). */
  message?: string;
  numAllNodes: number;
  evaluatedNodes: number;
  feasibleNodes: number;
  filterPlugins: string[];
  /** Score plugins that ran for this pod (skipped ones are left out), with their weights. */
  scorePlugins: Array<{ name: string; weight: number }>;
  /** Every node evaluated, in evaluation order. */
  nodes: NodeVerdict[];
  preemption?: { nominatedNode?: string; victims: string[]; message?: string };
}

/**
 * The verdicts of one attempt as the scheduler records them: a feasible node is its name and a
 * column entry per score plugin (no object per node), a rejected node its NodeVerdict. The
 * decision's `nodes` are built from it when somebody reads them; after FULL_DECISIONS newer
 * attempts only a summary is kept. A 1,000-node cluster evaluates about 420 nodes per pod.
 */
export class VerdictLog {
  private order: Array<string | NodeVerdict> = [];
  /**
   * 1 where `order` holds a rejected node's verdict: the summary tells feasible from rejected
   * nodes without reading the strings (a cache miss each, 420 a pod in a 1,000-node cluster).
   */
  private rejected = new Uint8Array(0);
  /** Entries of `order` used (it is sized ahead for the nodes the attempt will evaluate). */
  private count = 0;
  private feasible = 0;
  /** The chosen node's index among the feasible ones (-1: none chosen, or not told). */
  private chosen = -1;
  /** Each feasible entry's name rank (NodeInfo.nameRank; -1: unknown), to break ties by name. */
  private ranks = new Int32Array(0);
  /** One column per score plugin; a reused column may be longer than `feasible`. */
  private readonly columns: Array<ArrayLike<number>> = [];
  /** Columns of an earlier attempt, kept for this one's scores (recycle). */
  private readonly spareColumns: Int16Array[] = [];
  /** Σ score × weight per feasible node, in evaluation order (longer than `feasible` when reused). */
  private totals: Float64Array | undefined;
  private spareTotals: Float64Array | undefined;

  /**
   * Empties the log for another attempt and keeps its storage. The scheduler hands a log back
   * once its decision keeps only a summary, so in a steady stream of pods an attempt's verdicts
   * allocate nothing (≈13 KB a pod otherwise, which the young generation copied while the newest
   * hundred decisions kept them).
   */
  recycle(): void {
    this.count = 0;
    this.feasible = 0;
    this.chosen = -1;
    for (const c of this.columns) if (c instanceof Int16Array) this.spareColumns.push(c);
    this.columns.length = 0;
    if (this.totals) this.spareTotals = this.totals;
    this.totals = undefined;
  }

  /**
   * Room for the `n` nodes the attempt expects to evaluate, made at once: grown push by push, the
   * list would be copied seven times on its way to the ~420 nodes of a 1,000-node cluster.
   */
  reserve(n: number): void {
    if (this.count === 0 && n > this.order.length) this.order = new Array(n);
    if (this.count === 0 && n > this.rejected.length) {
      this.rejected = new Uint8Array(n);
      this.ranks = new Int32Array(n);
    }
  }

  /** A node every filter passed; `rank`: its name's place in sorted order, when known. */
  pass(node: string, rank = -1): void {
    this.mark(0);
    this.ranks[this.count] = rank;
    this.order[this.count++] = node;
    this.feasible++;
  }

  reject(v: NodeVerdict): void {
    this.mark(1);
    this.order[this.count++] = v;
  }

  /** The node chosen, by its index among the feasible nodes (their evaluation order). */
  choose(feasibleIndex: number): void {
    this.chosen = feasibleIndex;
  }

  private mark(rejected: 0 | 1): void {
    if (this.count >= this.rejected.length) {
      const size = Math.max(16, this.rejected.length * 2);
      const grown = new Uint8Array(size);
      grown.set(this.rejected);
      this.rejected = grown;
      const ranks = new Int32Array(size);
      ranks.set(this.ranks.subarray(0, Math.min(this.ranks.length, size)));
      this.ranks = ranks;
    }
    this.rejected[this.count] = rejected;
  }

  /** Whether the feasible entry at `a` comes before the one at `b` by name (by rank when both are known). */
  private nameBefore(a: number, b: number): boolean {
    const ra = this.ranks[a];
    const rb = this.ranks[b];
    if (ra >= 0 && rb >= 0) return ra < rb;
    return (this.order[a] as string) < (this.order[b] as string);
  }

  get evaluated(): number {
    return this.count;
  }

  /** One score plugin's normalized scores, aligned with the feasible nodes in evaluation order. */
  addScores(scores: number[]): void {
    // Scores are integers from 0 to 100 (MaxNodeScore): two bytes each, not eight, for the
    // hundreds of nodes a large cluster's attempt scores (a float column if one ever is not).
    const n = this.feasible;
    let column = this.spareColumns.pop();
    if (!column || column.length < n) column = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const v = scores[i];
      if ((v | 0) !== v || v < -32768 || v > 32767) {
        this.spareColumns.push(column);
        this.columns.push(scores.slice(0, n));
        return;
      }
      column[i] = v;
    }
    this.columns.push(column);
  }

  /** The attempt's totals, zeroed for its `n` feasible nodes (an earlier attempt's storage when it fits). */
  startTotals(n: number): Float64Array {
    let t = this.spareTotals;
    this.spareTotals = undefined;
    if (!t || t.length < n) t = new Float64Array(n);
    else t.fill(0, 0, n);
    this.totals = t;
    return t;
  }

  /** Every node evaluated, in evaluation order. */
  verdicts(): NodeVerdict[] {
    let fi = 0;
    const out: NodeVerdict[] = [];
    for (let at = 0; at < this.count; at++) {
      const o = this.order[at];
      out.push(typeof o === 'string' ? this.feasibleVerdict(o, fi++) : o);
    }
    return out;
  }

  /**
   * The chosen node, the `best` highest-scoring feasible ones (ties by name) and one rejected node
   * per reason, in evaluation order. The chosen node is the one choose() named, else `chosen`.
   */
  summary(chosen: string | undefined, best: number): NodeVerdict[] {
    const totals = this.totals;
    const order = this.order;
    const rejected = this.rejected;
    // The best `best` so far, highest total first (ties by name): positions in `order`, feasible indexes.
    const topAt: number[] = [];
    const topI: number[] = [];
    let chosenI = chosen === undefined ? -1 : this.chosen;
    let chosenAt = -1;
    const rejectedAt: number[] = [];
    let reasons: Set<string> | undefined;
    let fi = 0;
    for (let at = 0; at < this.count; at++) {
      if (rejected[at] === 1) {
        const o = order[at] as NodeVerdict;
        const key = `${o.rejectedBy}:${(o.reasons ?? []).join(',')}`;
        reasons ??= new Set();
        if (!reasons.has(key)) {
          reasons.add(key);
          rejectedAt.push(at);
        }
        continue;
      }
      const i = fi++;
      if (i === chosenI || (chosenI < 0 && chosen !== undefined && order[at] === chosen)) {
        chosenAt = at;
        chosenI = i;
      }
      const t = totals ? totals[i] : 0;
      let k = topAt.length;
      while (k > 0) {
        const u = totals ? totals[topI[k - 1]] : 0;
        if (t > u || (t === u && this.nameBefore(at, topAt[k - 1]))) k--;
        else break;
      }
      if (k < best) {
        // Insert at k, shifting the rest down (the last falls off once `best` are kept); no splice,
        // which makes an array each time.
        let m = topAt.length < best ? topAt.length : best - 1;
        for (; m > k; m--) {
          topAt[m] = topAt[m - 1];
          topI[m] = topI[m - 1];
        }
        topAt[k] = at;
        topI[k] = i;
      }
    }
    // The positions kept, in evaluation order, each with its feasible index (-1: rejected).
    const ats = rejectedAt.slice();
    if (chosenAt >= 0 && !topAt.includes(chosenAt)) ats.push(chosenAt);
    for (const at of topAt) ats.push(at);
    ats.sort((a, b) => a - b);
    const out: NodeVerdict[] = [];
    for (const at of ats) {
      if (rejected[at] === 1) {
        out.push(order[at] as NodeVerdict);
        continue;
      }
      const k = topAt.indexOf(at);
      out.push(this.feasibleVerdict(order[at] as string, k >= 0 ? topI[k] : chosenI));
    }
    return out;
  }

  private feasibleVerdict(node: string, i: number): NodeVerdict {
    if (!this.totals) return { node };
    return { node, scores: this.columns.map((c) => c[i]), total: this.totals[i] };
  }
}

/**
 * A decision as the scheduler keeps it: `nodes` is built from the attempt's VerdictLog when first
 * read, until summarise() replaces the log by its summary. An accessor of the class, not one
 * defined on each decision (Object.defineProperty, twice a pod, took 0.4 s of a 30,000-pod
 * bring-up); toJSON (which canonical JSON honours too) shows `nodes` as a field.
 */
export class KeptDecision implements SchedulingDecision {
  outcome: SchedulingDecision['outcome'] = 'Unschedulable';
  node?: string;
  message?: string;
  evaluatedNodes = 0;
  feasibleNodes = 0;
  filterPlugins: string[] = [];
  scorePlugins: Array<{ name: string; weight: number }> = [];
  preemption?: SchedulingDecision['preemption'];
  private built: NodeVerdict[] | undefined;

  constructor(
    readonly pod: string, readonly uid: string, readonly attempt: number, readonly time: number,
    readonly numAllNodes: number, private log: VerdictLog | undefined,
  ) {}

  get nodes(): NodeVerdict[] {
    return (this.built ??= this.log ? this.log.verdicts() : []);
  }

  /** The attempt's verdicts, while they are kept in full. */
  get verdictLog(): VerdictLog | undefined {
    return this.log;
  }

  /** Keeps `summary` as the decision's nodes from now on; the log goes back to the caller for reuse. */
  summarise(summary: NodeVerdict[]): VerdictLog | undefined {
    const log = this.log;
    this.log = undefined;
    this.built = summary;
    return log;
  }

  toJSON(): SchedulingDecision {
    return {
      pod: this.pod, uid: this.uid, attempt: this.attempt, time: this.time, outcome: this.outcome, node: this.node, message: this.message,
      numAllNodes: this.numAllNodes, evaluatedNodes: this.evaluatedNodes, feasibleNodes: this.feasibleNodes,
      filterPlugins: this.filterPlugins, scorePlugins: this.scorePlugins, nodes: this.nodes, preemption: this.preemption,
    };
  }
}

/** Each filter plugin's result on a node: 'pass', its reasons, or 'not run' (after the first rejection). */
export function filterResults(d: SchedulingDecision, v: NodeVerdict): Record<string, string> {
  const out: Record<string, string> = {};
  let rejected = false;
  for (const p of d.filterPlugins) {
    if (rejected) out[p] = 'not run';
    else if (p === v.rejectedBy) {
      out[p] = (v.reasons ?? []).join(', ');
      rejected = true;
    } else out[p] = 'pass';
  }
  return out;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/** Renders a decision as readable lines: the outcome, then one line per node, best first. */
export function explainPlacement(d: SchedulingDecision): string[] {
  const lines: string[] = [];
  const head = d.outcome === 'Scheduled' ? `scheduled on ${d.node}` : d.outcome === 'Unschedulable' ? 'unschedulable' : 'scheduler error';
  lines.push(`pod ${d.pod} attempt ${d.attempt} at ${seconds(d.time)}: ${head}`);
  lines.push(`  ${d.evaluatedNodes} of ${d.numAllNodes} node(s) evaluated, ${d.feasibleNodes} feasible`);
  if (d.message) lines.push(`  ${d.message}`);
  const p = d.preemption;
  if (p?.nominatedNode) lines.push(`  preemption: nominated ${p.nominatedNode}, evicting ${p.victims.join(', ') || 'nothing'}`);
  const feasible = d.nodes.filter((v) => !v.rejectedBy).sort((a, b) => (b.total ?? 0) - (a.total ?? 0) || (a.node < b.node ? -1 : 1));
  for (const v of feasible) {
    const mark = v.node === d.node ? ' ← chosen' : '';
    if (!v.scores) {
      lines.push(`  ${v.node}: feasible${mark}`);
      continue;
    }
    const parts = d.scorePlugins.map((p, i) => `${p.name} ${v.scores![i]}×${p.weight}`);
    lines.push(`  ${v.node}: score ${v.total} (${parts.join(', ')})${mark}`);
  }
  for (const v of d.nodes) {
    if (v.rejectedBy) lines.push(`  ${v.node}: rejected by ${v.rejectedBy}: ${(v.reasons ?? []).join(', ')}`);
  }
  return lines;
}
