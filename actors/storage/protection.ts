// Storage object in-use protection (K:pkg/controller/volume/pvcprotection/pvc_protection_controller.go,
// pvprotection/pv_protection_controller.go; k8s-facts §10.1, §13.1): the finalizers
// kubernetes.io/pvc-protection and kubernetes.io/pv-protection are added to claims and volumes
// that lack them, and removed from a deleted claim once no scheduled pod references it, and from
// a deleted volume once it is no longer Bound.
import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser } from '../controllers/controller.ts';
import { FINALIZER, REF, claimKey, copyOf, podClaims } from './util.ts';

function withFinalizer(obj: KubeObject, finalizer: string, present: boolean): KubeObject {
  const updated = copyOf(obj);
  const list: string[] = obj.metadata.finalizers ?? [];
  updated.metadata.finalizers = present ? [...list, finalizer] : list.filter((f) => f !== finalizer);
  return updated;
}

export class PVCProtectionController extends Controller {
  protected readonly user = controllerUser('pvc-protection-controller');
  private claims!: Informer;
  private pods!: Informer;

  protected setup(): void {
    this.claims = this.informer({ kind: REF.pvc, name: 'pvcs' });
    this.pods = this.informer({ kind: REF.pod, name: 'pods' });
    this.claims.addHandlers({ add: (c) => this.enqueue(claimKey(c)), update: (_o, c) => this.enqueue(claimKey(c)) });
    const podChanged = (p: KubeObject) => { for (const c of podClaims(p)) this.enqueue(`${p.metadata.namespace}/${c.claim}`); };
    this.pods.addHandlers({ add: podChanged, update: (_o, p) => podChanged(p), delete: podChanged });
  }

  /** processPVC: add the finalizer to a live claim; remove it from a deleted claim no pod uses. */
  protected reconcile(key: string): void {
    const [ns, name] = key.split('/');
    const pvc = this.claims.get(ns, name);
    if (!pvc) return;
    const update = protect(pvc, FINALIZER.pvcProtection, () => !this.isBeingUsed(pvc));
    if (update) this.client.update(update, this.onWrite(key));
  }

  /** podUsesPVC: a scheduled pod (whatever its phase) with a volume naming the claim. */
  private isBeingUsed(pvc: KubeObject): boolean {
    return this.pods.list(pvc.metadata.namespace).some((p) => Boolean(p.spec?.nodeName) && podClaims(p).some((c) => c.claim === pvc.metadata.name));
  }
}

export class PVProtectionController extends Controller {
  protected readonly user = controllerUser('pv-protection-controller');
  private volumes!: Informer;

  protected setup(): void {
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs' });
    this.volumes.addHandlers({ add: (pv) => this.enqueue(pv.metadata.name!), update: (_o, pv) => this.enqueue(pv.metadata.name!) });
  }

  /** processPV: add the finalizer to a live volume; remove it from a deleted volume that is not Bound. */
  protected reconcile(key: string): void {
    const pv = this.volumes.get(undefined, key);
    if (!pv) return;
    const update = protect(pv, FINALIZER.pvProtection, () => pv.status?.phase !== 'Bound');
    if (update) this.client.update(update, this.onWrite(key));
  }
}

/**
 * Both protection controllers' step: a live object gets the finalizer; a deleted one loses it
 * once `releasable()`. Returns the object to write, or undefined when nothing changes.
 */
function protect(obj: KubeObject, finalizer: string, releasable: () => boolean): KubeObject | undefined {
  const has = (obj.metadata.finalizers ?? []).includes(finalizer);
  if (!obj.metadata.deletionTimestamp) return has ? undefined : withFinalizer(obj, finalizer, true);
  return has && releasable() ? withFinalizer(obj, finalizer, false) : undefined;
}
