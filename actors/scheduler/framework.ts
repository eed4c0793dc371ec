// The scheduling algorithm of one attempt, after pkg/scheduler/schedule_one.go: schedulePod →
// findNodesThatFitPod (the nominated node first, then nodes round-robin from where the last
// attempt stopped, until percentageOfNodesToScore feasible nodes are found) → prioritizeNodes
// (score, normalize, weight) → selectHost (highest total, ties broken with the seeded stream);
// and FitError.Error()'s message (framework/types.go). k8s-facts §8.1–8.2.
import type { RandomStream } from '../../runtime/index.ts';
import type { NodeInfo, SchedulerCache } from './cache.ts';
import { filterPlugins, passesPlainCycle, plainCycle, runFilters, SCORE_PLUGINS, type CycleState, type FilterPlugin, type Status } from './plugins.ts';
import type { SchedulingDecision, VerdictLog } from './explain.ts';

/** minFeasibleNodesToFind and minFeasibleNodesPercentageToFind (schedule_one.go). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind: all nodes below 100; else 50 − n/125 percent (at least 5 %), at least 100 nodes. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - Math.trunc(numAllNodes / 125));
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

/** Why no node fits (framework.Diagnosis): each rejected node's status and the rejecting plugins. */
export interface Diagnosis {
  statuses: Map<string, Status>;
  unschedulablePlugins: Set<string>;
}

export type ScheduleResult =
  | { kind: 'Scheduled'; node: string }
  | { kind: 'NoNodes' }
  | { kind: 'FitError'; diagnosis: Diagnosis; numAllNodes: number };

/**
 * FitError.Error(): `0/N nodes are available: ` + the sorted histogram `<count> <reason>` of
 * every rejected node's reasons (nodes absent from the map count with `absentReason`), then the
 * PostFilter (preemption) message.
 */
export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>, absentReason?: string, postFilterMsg = ''): string {
  const counts = new Map<string, number>();
  let seen = 0;
  for (const st of statuses) {
    seen++;
    for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  if (absentReason && seen < numAllNodes) counts.set(absentReason, (counts.get(absentReason) ?? 0) + numAllNodes - seen);
  let msg = `0/${numAllNodes} nodes are available:`;
  const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort(byteOrder);
  if (histogram.length) msg += ` ${histogram.join(', ')}.`;
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings order (byte-wise). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class SchedulingAlgorithm {
  /** Where the next attempt starts looking (round-robin over the node list). */
  nextStartNodeIndex = 0;
  /**
   * The feasible nodes and one score plugin's scores of the cycle running: arrays of a few hundred
   * entries a pod, reused from cycle to cycle (nothing keeps them past it).
   */
  private readonly feasibleNodes: NodeInfo[] = [];
  private readonly pluginScores: number[] = [];

  constructor(
    private readonly cache: SchedulerCache,
    private readonly tieBreak: RandomStream,
    readonly percentageOfNodesToScore = 0,
  ) {}

  /** schedulePod: filters, scores and picks a node; fills `decision` with every node's verdict. */
  schedulePod(state: CycleState, decision: SchedulingDecision, log: VerdictLog): ScheduleResult {
    const cache = this.cache;
    if (cache.numNodes === 0) return { kind: 'NoNodes' };
    const plugins = filterPluginsFor(decision);
    const diagnosis: Diagnosis = { statuses: new Map(), unschedulablePlugins: new Set() };
    let feasible = this.evaluateNominatedNode(state, plugins, log);
    if (feasible.length === 0) feasible = this.findNodesThatPassFilters(state, plugins, log, diagnosis);
    decision.feasibleNodes = feasible.length;
    decision.evaluatedNodes = log.evaluated;
    if (feasible.length === 0) return { kind: 'FitError', diagnosis, numAllNodes: cache.numNodes };
    const chosen = feasible.length === 1 ? 0 : this.selectHost(feasible, this.prioritizeNodes(state, feasible, decision, log));
    log.choose(chosen);
    return { kind: 'Scheduled', node: feasible[chosen].name };
  }

  /** The nominated node (after preemption) is tried first: it is likely the only one that fits. */
  private evaluateNominatedNode(state: CycleState, plugins: FilterPlugin[], log: VerdictLog): NodeInfo[] {
    const name = state.pod.status?.nominatedNodeName;
    const n = name ? this.cache.nodes.get(name) : undefined;
    if (!n?.node) return [];
    const st = runFilters(state, n, plugins);
    if (!st) {
      log.pass(n.name, n.nameRank);
      return [n];
    }
    return [];
  }

  /** findNodesThatPassFilters: round-robin from nextStartNodeIndex, stopping at numFeasibleNodesToFind. */
  private findNodesThatPassFilters(state: CycleState, plugins: FilterPlugin[], log: VerdictLog, diagnosis: Diagnosis): NodeInfo[] {
    const nodes = this.cache.nodeList();
    const total = nodes.length;
    const want = numFeasibleNodesToFind(total, this.percentageOfNodesToScore);
    // Filled in place: emptying the array (length = 0) would drop its backing store, and growing it
    // again to a few hundred entries allocates ≈11 KB a pod.
    const feasible = this.feasibleNodes;
    let found = 0;
    log.reserve(want);
    // Most pods ask nothing special of a node: one fused check stands for every filter's pass.
    const plain = plainCycle(state);
    let processed = 0;
    // Round the list from nextStartNodeIndex (a wrap, not a division per node).
    let at = this.nextStartNodeIndex % total;
    for (let i = 0; i < total && found < want; i++) {
      const n = nodes[at];
      if (++at === total) at = 0;
      processed++;
      const st = plain && passesPlainCycle(state, n) ? undefined : runFilters(state, n, plugins);
      if (!st) {
        feasible[found++] = n;
        log.pass(n.name, n.nameRank);
        continue;
      }
      diagnosis.statuses.set(n.name, st);
      diagnosis.unschedulablePlugins.add(st.plugin);
      log.reject({ node: n.name, rejectedBy: st.plugin, code: st.code, reasons: st.reasons });
    }
    if (feasible.length !== found) feasible.length = found;
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % total;
    return feasible;
  }

  /** prioritizeNodes: PreScore (skipping plugins with nothing to say), Score, NormalizeScore, weights. */
  private prioritizeNodes(state: CycleState, feasible: NodeInfo[], decision: SchedulingDecision, log: VerdictLog): Float64Array {
    const totals = log.startTotals(feasible.length);
    const scores = this.pluginScores;
    scores.length = feasible.length;
    for (const plugin of SCORE_PLUGINS) {
      const pre = plugin.preScore(state, this.cache, feasible);
      if (pre === undefined) continue;
      plugin.scoreAll(state, feasible, pre, this.cache, scores);
      plugin.normalize?.(scores, feasible, pre);
      decision.scorePlugins.push({ name: plugin.name, weight: plugin.weight });
      log.addScores(scores);
      for (let i = 0; i < feasible.length; i++) totals[i] += scores[i] * plugin.weight;
    }
    return totals;
  }

  /** selectHost: the highest total (its index); ties are broken uniformly at random (reservoir sampling). */
  private selectHost(feasible: NodeInfo[], totals: Float64Array): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < feasible.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best]) {
        ties++;
        if (this.tieBreak.int(ties) === 0) best = i;
      }
    }
    return best;
  }
}

function filterPluginsFor(decision: SchedulingDecision): FilterPlugin[] {
  const plugins = filterPlugins();
  decision.filterPlugins = plugins.map((p) => p.name);
  return plugins;
}
