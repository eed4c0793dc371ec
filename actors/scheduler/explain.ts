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
