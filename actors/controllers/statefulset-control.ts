// The decision half of pkg/controller/statefulset/stateful_set_control.go updateStatefulSet, pure:
// from the set, its current and update revisions and its pods (as the informer cache holds them)
// it computes the status and the writes one sync makes, in upstream's order — replicas in
// ordinal order (processReplica), then condemned pods in reverse ordinal order (processCondemned),
// then the rolling update from the highest ordinal down (updateStatefulSetAfterInvariantEstablished,
// the MaxUnavailableStatefulSet path) — and what the set is waiting for when OrderedReady stops.
// Upstream performs each write as it goes and returns at the first blocking pod; computing the
// whole plan first is the same, because no write of one sync is seen by the cache before its end.
import type { KubeObject } from '../../api/types.ts';
import { clone } from '../../api/equal.ts';
import {
  allowsBurst, applyRevision, countReplicas, getOrdinal, getPersistentVolumeClaimName, getPersistentVolumeClaims, getPodRevision,
  getRetentionPolicy, getStartOrdinal, getStatefulSetMaxUnavailable, hasStaleOwnerRef, identityMatches, isClaimOwnerUpToDate, isCreated,
  isFailed, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating, isUnavailable, newVersionedStatefulSetPod,
  podInOrdinalRange, replicasOf, storageMatches, type StatefulSetStatus,
} from './statefulset-utils.ts';

/** One API write of a sync (StatefulPodControl's verbs). */
export type Write =
  | { op: 'createPod'; pod: KubeObject }
  | { op: 'deletePod'; pod: KubeObject; why: 'failed' | 'condemned' | 'update' }
  | { op: 'updatePod'; pod: KubeObject }
  | { op: 'createMissingClaims'; pod: KubeObject }
  | { op: 'fixClaims'; pod: KubeObject };

/** Writes run in stages; a stage's units run one after another (OrderedReady) or in slow-start batches (Parallel). */
export interface Stage {
  name: 'replicas' | 'condemnedClaims' | 'condemned' | 'update';
  units: Write[][];
  burst: boolean;
}

export type Phase = 'Idle' | 'Scaling' | 'ScalingDown' | 'RollingUpdate' | 'Terminating';

/** What the set is doing or waiting for after this sync (the StatefulSet machine's input). */
export interface Progress {
  phase: Phase;
  step?: string;
  /** The pod the set waits for, or the first pod acted on. */
  pod?: string;
  reason?: string;
  /** Every pod a write of this sync is about. */
  pods: string[];
}

export interface Plan {
  status: StatefulSetStatus;
  stages: Stage[];
  progress: Progress;
}

export interface PlanInput {
  set: KubeObject;
  currentRevision: KubeObject;
  updateRevision: KubeObject;
  collisionCount: number;
  pods: KubeObject[];
  /** The cached claim of that name in the set's namespace. */
  claim: (name: string) => KubeObject | undefined;
  nowMs: number;
  /** The epoch of the pods' timestamps (default: the simulator's). */
  epoch?: number;
}

type Verdict = { step: string; pod: string; reason: string } | undefined;

/** updateStatefulSet: the status and the writes of one sync. */
export function planStatefulSet(input: PlanInput): Plan {
  return new Planner(input).plan();
}

class Planner {
  private readonly set: KubeObject;
  private readonly updateSet: KubeObject;
  private readonly currentSet: KubeObject;
  private readonly minReady: number;
  private readonly monotonic: boolean;
  private readonly status: StatefulSetStatus;
  private readonly stages: Stage[] = [];
  private replicas: KubeObject[] = [];
  private condemned: KubeObject[] = [];
  private firstUnavailable: KubeObject | undefined;
  private readonly creates: string[] = [];
  private readonly deletes: string[] = [];

  constructor(private readonly input: PlanInput) {
    this.set = input.set;
    this.currentSet = applyRevision(input.set, input.currentRevision);
    this.updateSet = applyRevision(input.set, input.updateRevision);
    this.minReady = input.set.spec?.minReadySeconds ?? 0;
    this.monotonic = !allowsBurst(input.set);
    this.status = {
      observedGeneration: input.set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0,
      availableReplicas: 0, currentRevision: input.currentRevision.metadata.name!, updateRevision: input.updateRevision.metadata.name!,
      collisionCount: input.collisionCount,
    };
  }

  plan(): Plan {
    this.count(this.input.pods);
    this.partition();
    if (this.set.metadata.deletionTimestamp) return this.done({ phase: 'Terminating', reason: 'the StatefulSet is being deleted: status only', pods: [] });
    const blockedOnReplica = this.runForAll('replicas', this.replicas, (i) => this.processReplica(i));
    if (blockedOnReplica.exit) return this.finish(blockedOnReplica.verdict, 'replica');
    const blockedOnClaims = this.runForAll('condemnedClaims', this.condemned, (i) => this.fixPodClaim(i));
    if (blockedOnClaims.exit) return this.finish(undefined, 'replica');
    const blockedOnCondemned = this.runForAll('condemned', this.condemned, (i) => this.processCondemned(i));
    if (blockedOnCondemned.exit) return this.finish(blockedOnCondemned.verdict, 'condemned');
    this.count(this.replicas, this.condemned);
    if (this.set.spec?.updateStrategy?.type === 'OnDelete') return this.finish(undefined, 'replica');
    return this.rollingUpdate();
  }

  private count(...lists: KubeObject[][]): void {
    countReplicas(this.status, this.minReady, this.input.nowMs, this.input.epoch, ...lists);
  }

  /** Replicas by ordinal (placeholders for missing ones, at the right revision) and condemned pods, highest first. */
  private partition(): void {
    const start = getStartOrdinal(this.set);
    const n = replicasOf(this.set);
    const replicas: Array<KubeObject | undefined> = new Array(n);
    for (const pod of this.input.pods) {
      if (podInOrdinalRange(pod, this.set)) replicas[getOrdinal(pod) - start] = pod;
      else if (getOrdinal(pod) >= 0) this.condemned.push(pod);
    }
    this.replicas = Array.from({ length: n }, (_, i) => replicas[i] ?? newVersionedStatefulSetPod(this.currentSet, this.updateSet,
      this.status.currentRevision, this.status.updateRevision, start + i));
    this.condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
    const now = this.input.nowMs;
    this.firstUnavailable = this.replicas.find((p) => isUnavailable(p, this.minReady, now, this.input.epoch))
      ?? [...this.condemned].reverse().find((p) => isUnavailable(p, this.minReady, now, this.input.epoch));
  }

  /** runForAll: OrderedReady stops at the first unit that says so; Parallel runs them all (in batches). */
  private runForAll(name: Stage['name'], pods: KubeObject[], fn: (i: number) => { exit: boolean; writes: Write[]; verdict?: Verdict }): { exit: boolean; verdict?: Verdict } {
    const stage: Stage = { name, units: [], burst: !this.monotonic };
    this.stages.push(stage);
    for (let i = 0; i < pods.length; i++) {
      const r = fn(i);
      if (r.writes.length) stage.units.push(r.writes);
      if (this.monotonic && r.exit) return { exit: true, verdict: r.verdict };
    }
    return { exit: false };
  }

  /** processReplica: recreate failed pods, create missing ones, and in OrderedReady wait for each to be Running, Ready and Available. */
  private processReplica(i: number): { exit: boolean; writes: Write[]; verdict?: Verdict } {
    const pod = this.replicas[i];
    const name = pod.metadata.name!;
    if (isFailed(pod) || isSucceeded(pod)) {
      if (isTerminating(pod)) return { exit: true, writes: [], verdict: { step: 'WaitingForTermination', pod: name, reason: `${pod.status.phase}: waiting for it to be removed before it is recreated` } };
      this.deletes.push(name);
      return { exit: true, writes: [{ op: 'deletePod', pod, why: 'failed' }], verdict: { step: 'RecreatingFailedPod', pod: name, reason: `${pod.status.phase}: deleted, to be recreated` } };
    }
    if (!isCreated(pod)) {
      if (this.podClaimIsStale(pod)) return { exit: true, writes: [], verdict: { step: 'WaitingForStaleClaim', pod: name, reason: 'a claim still belongs to the previous pod' } };
      this.creates.push(name);
      return { exit: this.monotonic, writes: [{ op: 'createPod', pod }], verdict: { step: 'CreatingOrdinal', pod: name, reason: 'missing' } };
    }
    const writes: Write[] = [];
    if (isPending(pod) && this.claimsMissing(pod)) writes.push({ op: 'createMissingClaims', pod });
    const wait = this.monotonic ? this.replicaWait(pod) : undefined;
    if (wait) return { exit: true, writes, verdict: wait };
    const retentionMatch = this.claimsMatchRetentionPolicy(this.updateSet, pod);
    if (!identityMatches(this.set, pod) || !storageMatches(this.set, pod)) writes.push({ op: 'updatePod', pod: clone(pod) });
    if (!retentionMatch) writes.push({ op: 'fixClaims', pod });
    return { exit: false, writes };
  }

  /** Why OrderedReady cannot go past this created pod, if it cannot. */
  private replicaWait(pod: KubeObject): Verdict {
    const name = pod.metadata.name!;
    if (isTerminating(pod)) return { step: 'WaitingForTermination', pod: name, reason: 'Terminating' };
    if (!isRunningAndReady(pod)) return { step: 'WaitingForRunningAndReady', pod: name, reason: 'not Running and Ready' };
    if (!isRunningAndAvailable(pod, this.minReady, this.input.nowMs, this.input.epoch)) {
      return { step: 'WaitingForAvailable', pod: name, reason: `not Available (Ready for less than minReadySeconds ${this.minReady})` };
    }
    return undefined;
  }

  /** fixPodClaim: condemned pods' claims get the owners the retention policy asks for. */
  private fixPodClaim(i: number): { exit: boolean; writes: Write[] } {
    const pod = this.condemned[i];
    return this.claimsMatchRetentionPolicy(this.updateSet, pod) ? { exit: false, writes: [] } : { exit: false, writes: [{ op: 'fixClaims', pod }] };
  }

  /** processCondemned: OrderedReady deletes the highest ordinal first, once it is gone, and only when its predecessors are healthy. */
  private processCondemned(i: number): { exit: boolean; writes: Write[]; verdict?: Verdict } {
    const pod = this.condemned[i];
    const name = pod.metadata.name!;
    if (isTerminating(pod)) {
      return { exit: this.monotonic, writes: [], verdict: { step: 'WaitingForTermination', pod: name, reason: 'Terminating' } };
    }
    const first = this.firstUnavailable;
    if (this.monotonic && pod !== first && first) {
      if (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, this.minReady, this.input.nowMs, this.input.epoch)) {
        const why = isRunningAndReady(first) ? 'not Available' : 'not Running and Ready';
        return { exit: true, writes: [], verdict: { step: 'WaitingForHealthyPredecessor', pod: first.metadata.name!, reason: why } };
      }
    }
    this.deletes.push(name);
    return { exit: true, writes: [{ op: 'deletePod', pod, why: 'condemned' }], verdict: { step: 'DeletingOrdinal', pod: name, reason: 'ordinal out of range' } };
  }

  /** updateStatefulSetAfterInvariantEstablished: delete up to maxUnavailable − unavailable out-of-date pods, highest ordinal first, down to the partition. */
  private rollingUpdate(): Plan {
    const ru = this.set.spec?.updateStrategy?.rollingUpdate;
    const updateMin = ru?.partition ?? 0;
    const maxUnavailable = getStatefulSetMaxUnavailable(ru?.maxUnavailable, replicasOf(this.set));
    const unavailable = this.replicas.filter((p) => isUnavailable(p, this.minReady, this.input.nowMs, this.input.epoch)).length;
    const stage: Stage = { name: 'update', units: [], burst: false };
    this.stages.push(stage);
    let budget = unavailable > maxUnavailable ? 0 : maxUnavailable - unavailable;
    const deleted: string[] = [];
    for (let t = this.replicas.length - 1; t >= updateMin && budget > 0; t--) {
      const pod = this.replicas[t];
      if (getPodRevision(pod) === this.status.updateRevision || isTerminating(pod)) continue;
      stage.units.push([{ op: 'deletePod', pod, why: 'update' }]);
      deleted.push(pod.metadata.name!);
      this.status.currentReplicas--;
      budget--;
    }
    if (deleted.length) return this.done({ phase: 'RollingUpdate', step: 'DeletingOrdinal', pod: deleted[0], reason: 'not at the update revision', pods: deleted });
    const outdated = this.replicas.slice(updateMin).some((p) => getPodRevision(p) !== this.status.updateRevision);
    if (outdated || unavailable > 0) return this.finish(this.unavailableVerdict(outdated), outdated ? 'update' : 'replica');
    return this.finish(undefined, 'replica');
  }

  private unavailableVerdict(outdated: boolean): Verdict {
    const pod = [...this.replicas].reverse().find((p) => isUnavailable(p, this.minReady, this.input.nowMs, this.input.epoch));
    if (!pod) return undefined;
    const reason = isTerminating(pod) ? 'Terminating' : !isCreated(pod) ? 'not created' : isRunningAndReady(pod) ? 'not Available' : 'not Running and Ready';
    return { step: outdated ? 'WaitingForUpdatedReady' : 'WaitingForRunningAndReady', pod: pod.metadata.name!, reason };
  }

  /** The plan's progress: the blocking verdict (OrderedReady) or what the writes do (Parallel), named after the phase it serves. */
  private finish(verdict: Verdict, where: 'replica' | 'condemned' | 'update'): Plan {
    const pods = [...this.creates, ...this.deletes];
    if (!verdict && this.creates.length) verdict = { step: 'CreatingOrdinal', pod: this.creates[0], reason: 'missing' };
    if (!verdict && this.deletes.length) verdict = { step: 'DeletingOrdinal', pod: this.deletes[0], reason: 'ordinal out of range' };
    if (!verdict) return this.done({ phase: 'Idle', pods });
    if (where === 'condemned' || (verdict.step === 'DeletingOrdinal' && !this.creates.length)) return this.done({ phase: 'ScalingDown', ...verdict, pods });
    return this.done({ phase: this.rollingOut(verdict.pod, where) ? 'RollingUpdate' : 'Scaling', ...this.rolloutStep(verdict, where), pods });
  }

  /** A wait or create serves the rolling update when the update revision is new and the pod is at or above the partition. */
  private rollingOut(podName: string, where: string): boolean {
    if (where === 'update') return true;
    if (this.status.currentRevision === this.status.updateRevision || this.set.spec?.updateStrategy?.type !== 'RollingUpdate') return false;
    const pod = this.replicas.find((p) => p.metadata.name === podName);
    const index = pod ? getOrdinal(pod) - getStartOrdinal(this.set) : -1;
    return index >= (this.set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) && isCreatedOrPlaceholderAtUpdate(pod, this.status.updateRevision);
  }

  private rolloutStep(v: NonNullable<Verdict>, where: string): NonNullable<Verdict> {
    if (!this.rollingOut(v.pod, where)) return v;
    if (v.step === 'WaitingForRunningAndReady' || v.step === 'WaitingForAvailable') return { ...v, step: 'WaitingForUpdatedReady' };
    return v;
  }

  private done(progress: Progress): Plan {
    return { status: this.status, stages: this.stages.filter((s) => s.units.length > 0), progress };
  }

  // ------------------------------------------------------------------ claims, from the cache

  /** PodClaimIsStale: with whenScaled=Delete, a claim still owned by a previous pod of that name blocks the new one. */
  private podClaimIsStale(pod: KubeObject): boolean {
    if (getRetentionPolicy(this.set).whenScaled === 'Retain') return false;
    return getPersistentVolumeClaims(this.set, pod).some(([, c]) => {
      const cached = this.input.claim(c.metadata.name!);
      return cached !== undefined && hasStaleOwnerRef(cached, pod);
    });
  }

  private claimsMissing(pod: KubeObject): boolean {
    return getPersistentVolumeClaims(this.set, pod).some(([, c]) => this.input.claim(c.metadata.name!) === undefined);
  }

  /** ClaimsMatchRetentionPolicy: a missing claim matches (it is created later). */
  private claimsMatchRetentionPolicy(set: KubeObject, pod: KubeObject): boolean {
    const ordinal = getOrdinal(pod);
    return (set.spec?.volumeClaimTemplates ?? []).every((t: KubeObject) => {
      const claim = this.input.claim(getPersistentVolumeClaimName(set, t, ordinal));
      return !claim || isClaimOwnerUpToDate(claim, set, pod);
    });
  }
}

function isCreatedOrPlaceholderAtUpdate(pod: KubeObject | undefined, updateRevision: string): boolean {
  return pod !== undefined && getPodRevision(pod) === updateRevision;
}
