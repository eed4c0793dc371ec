// STUB (issue 5 replaces it): the storage actors the cluster starts — controllers under the
// controller manager (PV binder, attach-detach, protection) and the CSI driver's actors.
import type { ChildSpec } from '../../runtime/index.ts';
import type { VolumeBackend } from './backend.ts';

/** Child specs for kube-controller-manager (persistentvolume-binder, attachdetach, pvc/pv-protection). */
export function storageControllers(_backend: VolumeBackend): ChildSpec[] {
  return [];
}

/** Child specs for the root supervisor (the CSI driver's controller plug-in and provisioner). */
export function storageActors(_backend: VolumeBackend): ChildSpec[] {
  return [];
}
