// ControllerRefManager (pkg/controller/controller_ref_manager.go): a controller claims the pods
// it should own. Pods it owns and that still match stay claimed; owned pods that no longer match
// are released (ownerReference removed); orphans that match are adopted (ownerReference added),
// but only after a live GET confirms the owner is not being deleted (RecheckDeletionTimestamp).
// Writes are asynchronous here: claimPods calls `done` once every adopt/release has answered.
import type { KubeObject } from '../../api/types.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import type { ApiClient } from '../../client/client.ts';
import type { ApiResult } from '../../api/request.ts';
import { getControllerOf, newControllerRef } from './controller-utils.ts';

const POD = { apiVersion: 'v1', kind: 'Pod' };
const SMP = 'application/strategic-merge-patch+json' as const;

/** CanAdopt: answers undefined (may adopt) or the reason it may not. */
export type CanAdopt = (cb: (err: string | undefined) => void) => void;

export class PodControllerRefManager {
  private canAdoptResult: string | undefined | null = null;
  private canAdoptWaiters: Array<(err: string | undefined) => void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly controller: KubeObject,
    private readonly selector: LabelSelector,
    private readonly canAdoptFn: CanAdopt,
  ) {}

  /** ClaimPods: the pods this controller owns after adoption and release; errors of failed writes. */
  claimPods(pods: KubeObject[], done: (claimed: KubeObject[], errors: string[]) => void): void {
    // Most syncs only find what the controller already owns: nothing to adopt or release.
    let owned = 0;
    while (owned < pods.length && this.claimObject(pods[owned]) === 'claimed') owned++;
    if (owned === pods.length) return done(pods.slice(), []);
    const claimed: Array<KubeObject | undefined> = new Array(pods.length);
    const errors: string[] = [];
    let pending = 1;
    const finish = () => {
      if (--pending === 0) done(claimed.filter((p): p is KubeObject => p !== undefined), errors);
    };
    pods.forEach((pod, i) => {
      const action = this.claimObject(pod);
      if (action === 'claimed') claimed[i] = pod;
      if (action !== 'adopt' && action !== 'release') return;
      pending++;
      const write = action === 'adopt' ? this.adoptPod.bind(this) : this.releasePod.bind(this);
      write(pod, (err, ok) => {
        if (err) errors.push(err);
        if (ok && action === 'adopt') claimed[i] = pod;
        finish();
      });
    });
    finish();
  }

  /** ClaimObject's decision for one pod. */
  private claimObject(pod: KubeObject): 'claimed' | 'ignore' | 'adopt' | 'release' {
    if (isClaimed(pod, this.controller.metadata.uid, this.selector)) return 'claimed';
    const ref = getControllerOf(pod);
    const matches = this.selector.matches(pod.metadata.labels);
    if (ref) {
      if (ref.uid !== this.controller.metadata.uid) return 'ignore';
      return this.controller.metadata.deletionTimestamp ? 'ignore' : 'release';
    }
    if (this.controller.metadata.deletionTimestamp || !matches) return 'ignore';
    if (pod.metadata.deletionTimestamp) return 'ignore';
    if (this.controller.metadata.namespace && this.controller.metadata.namespace !== pod.metadata.namespace) return 'ignore';
    return 'adopt';
  }

  /** AdoptPod: patches in the controller reference (after CanAdopt). A 404 is not an error. */
  private adoptPod(pod: KubeObject, cb: (err: string | undefined, ok: boolean) => void): void {
    this.canAdopt((reason) => {
      if (reason) {
        cb(`can't adopt Pod ${pod.metadata.namespace}/${pod.metadata.name} (${pod.metadata.uid}): ${reason}`, false);
        return;
      }
      const patch = { metadata: { ownerReferences: [newControllerRef(this.controller)], uid: pod.metadata.uid } };
      this.client.patch(POD, pod.metadata.namespace, pod.metadata.name!, patch, SMP, (r: ApiResult) => {
        if (r.ok) cb(undefined, true);
        else cb(r.status.code === 404 ? undefined : r.status.message, false);
      });
    });
  }

  /** ReleasePod: deletes our owner reference; NotFound and Invalid (already gone or recreated) are ignored. */
  private releasePod(pod: KubeObject, cb: (err: string | undefined, ok: boolean) => void): void {
    const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: this.controller.metadata.uid }], uid: pod.metadata.uid } };
    this.client.patch(POD, pod.metadata.namespace, pod.metadata.name!, patch, SMP, (r: ApiResult) => {
      if (r.ok || r.status.code === 404 || r.status.code === 422) cb(undefined, r.ok);
      else cb(r.status.message, false);
    });
  }

  /** CanAdopt runs its check once per manager (sync.Once), however many pods are adopted. */
  private canAdopt(cb: (err: string | undefined) => void): void {
    if (this.canAdoptResult !== null) {
      cb(this.canAdoptResult);
      return;
    }
    if (this.canAdoptWaiters) {
      this.canAdoptWaiters.push(cb);
      return;
    }
    this.canAdoptWaiters = [cb];
    this.canAdoptFn((err) => {
      this.canAdoptResult = err;
      const waiters = this.canAdoptWaiters!;
      this.canAdoptWaiters = undefined;
      for (const w of waiters) w(err);
    });
  }
}

/**
 * RecheckDeletionTimestamp: a live GET of the owner; adoption is refused when it is gone,
 * was replaced (another UID) or is being deleted.
 */
export function recheckDeletionTimestamp(client: ApiClient, owner: KubeObject): CanAdopt {
  const ref = { apiVersion: owner.apiVersion, kind: owner.kind };
  const where = `${owner.metadata.namespace}/${owner.metadata.name}`;
  return (cb) => client.get(ref, owner.metadata.namespace, owner.metadata.name!, (r) => {
    if (!r.ok) cb(r.status.message);
    else if (r.object.metadata.uid !== owner.metadata.uid) cb(`original ${owner.kind} ${where} is gone: got uid ${r.object.metadata.uid}, wanted ${owner.metadata.uid}`);
    else if (r.object.metadata.deletionTimestamp) cb(`${where} has just been deleted at ${r.object.metadata.deletionTimestamp}`);
    else cb(undefined);
  });
}

/** ClaimObject's "claimed": the pod's controller reference names the owner, whose selector still matches it. */
export function isClaimed(pod: KubeObject, ownerUid: string | undefined, selector: LabelSelector): boolean {
  const ref = getControllerOf(pod);
  return ref !== undefined && ref.uid === ownerUid && selector.matches(pod.metadata.labels);
}
