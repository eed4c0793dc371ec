// ReplicaSetControllerRefManager (pkg/controller/controller_ref_manager.go) for the Deployment
// controller: the same claim rules as controller-ref.ts's PodControllerRefManager (which is
// written for pods), applied to ReplicaSets. Owned and matching: kept; owned and no longer
// matching: released; matching orphans: adopted after RecheckDeletionTimestamp. Writes are
// asynchronous: `done` runs once every adopt/release has answered.
import type { KubeObject } from '../../api/types.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import type { ApiClient } from '../../client/client.ts';
import type { CanAdopt } from './controller-ref.ts';
import { getControllerOf, newControllerRef } from './controller-utils.ts';

const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const SMP = 'application/strategic-merge-patch+json' as const;

/** ClaimReplicaSets: the ReplicaSets `owner` controls after adoption and release, and the first error. */
export function claimReplicaSets(client: ApiClient, owner: KubeObject, selector: LabelSelector, canAdopt: CanAdopt,
  rsList: KubeObject[], done: (claimed: KubeObject[], err?: string) => void): void {
  const claimed: Array<KubeObject | undefined> = new Array(rsList.length);
  const errors: string[] = [];
  let pending = 1;
  let adoptVerdict: Array<(err: string | undefined) => void> | string | null | undefined = null;
  const once = (cb: (err: string | undefined) => void) => {
    if (adoptVerdict === undefined || typeof adoptVerdict === 'string') return cb(adoptVerdict);
    if (Array.isArray(adoptVerdict)) return void adoptVerdict.push(cb);
    adoptVerdict = [cb];
    canAdopt((err) => {
      const waiters = adoptVerdict as Array<(e: string | undefined) => void>;
      adoptVerdict = err;
      for (const w of waiters) w(err);
    });
  };
  const finish = () => {
    if (--pending === 0) done(claimed.filter((r): r is KubeObject => r !== undefined), errors[0]);
  };
  rsList.forEach((rs, i) => {
    const ref = getControllerOf(rs);
    const matches = selector.matches(rs.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) return;
      if (matches) {
        claimed[i] = rs;
        return;
      }
      if (owner.metadata.deletionTimestamp) return;
      pending++;
      const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: rs.metadata.uid } };
      client.patch(RS_KIND, rs.metadata.namespace, rs.metadata.name!, patch, SMP, (r) => {
        if (!r.ok && r.status.code !== 404 && r.status.code !== 422) errors.push(r.status.message);
        finish();
      });
      return;
    }
    if (owner.metadata.deletionTimestamp || !matches || rs.metadata.deletionTimestamp) return;
    pending++;
    once((reason) => {
      if (reason) {
        errors.push(`can't adopt ReplicaSet ${rs.metadata.namespace}/${rs.metadata.name} (${rs.metadata.uid}): ${reason}`);
        finish();
        return;
      }
      const patch = { metadata: { ownerReferences: [newControllerRef(owner)], uid: rs.metadata.uid } };
      client.patch(RS_KIND, rs.metadata.namespace, rs.metadata.name!, patch, SMP, (r) => {
        if (r.ok) claimed[i] = r.object;
        else if (r.status.code !== 404) errors.push(r.status.message);
        finish();
      });
    });
  });
  finish();
}
