// DefaultPreemption (PostFilter), after pkg/scheduler/framework/plugins/defaultpreemption and
// framework/preemption/preemption.go: for a pod no node fits, find nodes where evicting
// lower-priority pods makes it fit (a dry run on a copy of each node), keep as few and as
// unimportant victims as possible (reprieve the most important first), and pick the node by
// upstream's criteria. Pure: the actor deletes the victims and nominates the node.
// PodDisruptionBudgets are not consulted yet (every victim counts as non-violating).
import type { RandomStream } from '../../runtime/index.ts';
import type { NodeInfo, PodInfo, SchedulerCache } from './cache.ts';
import { fitErrorMessage, type Diagnosis } from './framework.ts';
import { runFilters, REASON, type CycleState, type FilterPlugin, type Status } from './plugins.ts';

/** DefaultPreemptionArgs defaults: minCandidateNodesPercentage 10, minCandidateNodesAbsolute 100. */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface PreemptionResult {
  /** The node the pod is nominated to (victims are evicted there). */
  nominatedNode?: string;
  victims: PodInfo[];
  /** The PostFilter message appended to the FitError (`preemption: …`), empty on success. */
  message: string;
  /** Clear the pod's nominatedNodeName (preemption cannot help). */
  clearNomination: boolean;
}

const NO_VICTIMS: Status = Object.freeze({ code: 'UnschedulableAndUnresolvable', plugin: 'DefaultPreemption', reasons: [REASON.noVictims] });

/** Evaluator.Preempt. */
export function preempt(cache: SchedulerCache, state: CycleState, diagnosis: Diagnosis, plugins: FilterPlugin[], random: RandomStream): PreemptionResult {
  const notEligible = podEligibleToPreemptOthers(cache, state, diagnosis);
  if (notEligible) return { victims: [], message: `preemption: ${notEligible}`, clearNomination: false };
  const numAllNodes = cache.numNodes;
  const potential = cache.nodeList().filter((n) => diagnosis.statuses.get(n.name)?.code === 'Unschedulable');
  const statuses = new Map<string, Status>();
  const candidates: Array<{ node: string; victims: PodInfo[] }> = [];
  if (potential.length > 0) {
    const offset = random.int(potential.length);
    const want = numCandidates(potential.length);
    for (let i = 0; i < potential.length && candidates.length < want; i++) {
      const n = potential[(offset + i) % potential.length];
      const r = selectVictimsOnNode(state, n.clone(), plugins);
      if ('victims' in r) candidates.push({ node: n.name, victims: r.victims });
      else statuses.set(n.name, r.status);
    }
  }
  if (candidates.length === 0) {
    const msg = fitErrorMessage(numAllNodes, statuses.values(), REASON.preemptionNotHelpful);
    return { victims: [], message: `preemption: ${msg}`, clearNomination: true };
  }
  const best = pickOneNodeForPreemption(candidates);
  return { nominatedNode: best.node, victims: best.victims, message: '', clearNomination: false };
}

/** PodEligibleToPreemptOthers: the reason the pod may not preempt, or undefined. */
function podEligibleToPreemptOthers(cache: SchedulerCache, state: CycleState, diagnosis: Diagnosis): string | undefined {
  if (state.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nominated = state.pod.status?.nominatedNodeName;
  if (!nominated) return undefined;
  if (diagnosis.statuses.get(nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
  const n = cache.nodes.get(nominated);
  for (const p of n?.pods.values() ?? []) {
    if (p.priority < state.info.priority && terminatingByPreemption(p)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.pod.metadata.deletionTimestamp) return false;
  const c = (p.pod.status?.conditions ?? []).find((x: any) => x.type === 'DisruptionTarget');
  return c?.status === 'True' && c.reason === 'PreemptionByScheduler';
}

function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE);
  return Math.min(n, numNodes);
}

/** MoreImportantPod: higher priority, then the earlier start time. */
export function moreImportantPod(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.startTime < b.startTime;
}

/**
 * SelectVictimsOnNode: remove every lower-priority pod; if the pod then fits, add them back from
 * the most important down, keeping out only those without which it does not fit.
 */
export function selectVictimsOnNode(state: CycleState, node: NodeInfo, plugins: FilterPlugin[]): { victims: PodInfo[] } | { status: Status } {
  const potential = [...node.pods.values()].filter((p) => p.priority < state.info.priority);
  if (potential.length === 0) return { status: NO_VICTIMS };
  for (const p of potential) node.removePod(p.uid);
  const st = runFilters(state, node, plugins);
  if (st) return { status: st };
  potential.sort((a, b) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : a.uid < b.uid ? -1 : 1));
  const victims: PodInfo[] = [];
  for (const p of potential) {
    node.addPod(p);
    if (runFilters(state, node, plugins)) {
      node.removePod(p.uid);
      victims.push(p);
    }
  }
  return { victims };
}

/**
 * pickOneNodeForPreemption: fewest PDB violations, lowest highest-priority victim, smallest sum of
 * priorities, fewest victims, latest start of the highest-priority victims, then the first.
 */
export function pickOneNodeForPreemption<C extends { node: string; victims: PodInfo[] }>(candidates: C[]): C {
  const scoreFuncs: Array<(c: C) => number> = [
    () => 0,
    (c) => -(c.victims[0]?.priority ?? 0),
    (c) => -c.victims.reduce((s, p) => s + p.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfHighestPriority(c.victims),
  ];
  let all = candidates;
  for (const f of scoreFuncs) {
    let max = -Infinity;
    let selected: C[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > max) {
        max = s;
        selected = [];
      }
      if (s === max) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    all = selected;
  }
  return all[0];
}

function earliestStartOfHighestPriority(victims: PodInfo[]): number {
  if (victims.length === 0) return -Infinity;
  const top = victims[0].priority;
  let earliest = Infinity;
  for (const v of victims) if (v.priority === top) earliest = Math.min(earliest, v.startTime);
  return earliest;
}
