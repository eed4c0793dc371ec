// The storage actors the cluster starts: kube-controller-manager's volume controllers
// (persistentvolume-binder, attachdetach, pvc-protection, pv-protection) and the simulated CSI
// driver's controller-side sidecars (csi-provisioner, which also installs the default
// StorageClass and the CSIDriver object; csi-attacher; csi-resizer).
import type { ChildSpec } from '../../runtime/index.ts';
import type { VolumeBackend } from './backend.ts';
import { PersistentVolumeController } from './binder.ts';
import { AttachDetachController } from './attach-detach.ts';
import { PVCProtectionController, PVProtectionController } from './protection.ts';
import { CSIAttacher, CSIProvisioner, CSIResizer } from './csi.ts';

export { registerDefaultStorageClass } from './admission.ts';
export { PersistentVolumeController } from './binder.ts';
export { AttachDetachController } from './attach-detach.ts';
export { PVCProtectionController, PVProtectionController } from './protection.ts';
export { CSIAttacher, CSIProvisioner, CSIResizer } from './csi.ts';

/** Child specs for kube-controller-manager (persistentvolume-binder, attachdetach, pvc/pv-protection). */
export function storageControllers(_backend: VolumeBackend): ChildSpec[] {
  return [
    { id: 'persistentvolume-binder-controller', type: 'controller', start: () => new PersistentVolumeController() },
    { id: 'persistentvolume-attach-detach-controller', type: 'controller', start: () => new AttachDetachController() },
    { id: 'persistentvolumeclaim-protection-controller', type: 'controller', start: () => new PVCProtectionController() },
    { id: 'persistentvolume-protection-controller', type: 'controller', start: () => new PVProtectionController() },
  ];
}

/** Child specs for the root supervisor (the CSI driver's controller plug-in and its sidecars). */
export function storageActors(backend: VolumeBackend): ChildSpec[] {
  return [
    { id: 'csi-provisioner', type: 'csi', start: () => new CSIProvisioner(backend) },
    { id: 'csi-attacher', type: 'csi', start: () => new CSIAttacher(backend) },
    { id: 'csi-resizer', type: 'csi', start: () => new CSIResizer(backend) },
  ];
}
