// Planted bug (the class Sieve, OSDI 2022, and Anvil, OSDI 2024, report for stateful-set operators:
// state lost across a restart is replaced by an assumption): a StatefulSet controller that, on its
// first sync of a set after it (re)started, trusts that every existing pod already passed the
// OrderedReady gate — "the previous incarnation only created pods in order, so what exists was
// checked" — and plans as if those pods were Running and Ready. The reasoning is wrong: creating
// ordinal N only required N−1 to be Ready, never N itself. Crash the controller after web-0 was
// created and before it is Ready, and the restarted controller creates web-1 at once.
// Upstream (stateful_set_control.go) reads readiness from the informer cache on every sync.
// Everything else is the real controller.
import type { KubeObject } from '../../api/types.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { StatefulSetController } from '../../actors/controllers/statefulset.ts';

interface SyncInternals {
  getPodsForStatefulSet(set: KubeObject, selector: LabelSelector, cb: (pods: KubeObject[], err?: string) => void): void;
}

/** A pod as the buggy "resume" assumes it: Running, with the Ready condition True. */
function assumedReady(pod: KubeObject): KubeObject {
  if (pod.metadata.deletionTimestamp) return pod;
  const conditions = (pod.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'Ready');
  return { ...pod, status: { ...pod.status, phase: 'Running', conditions: [...conditions, { type: 'Ready', status: 'True' }] } };
}

export class StatefulSetControllerTrustsPredecessor extends StatefulSetController {
  /** Sets synced at least once by this incarnation (in-memory: empty after a restart). */
  private readonly resumed = new Set<string>();

  protected override setup(): void {
    super.setup();
    const self = this as unknown as SyncInternals;
    const claimPods = self.getPodsForStatefulSet.bind(this);
    self.getPodsForStatefulSet = (set, selector, cb) => claimPods(set, selector, (pods, err) => {
      const key = `${set.metadata.namespace}/${set.metadata.name}`;
      const first = !this.resumed.has(key);
      this.resumed.add(key);
      // The bug: the first sync after a start does not check readiness.
      cb(first ? pods.map(assumedReady) : pods, err);
    });
  }
}
