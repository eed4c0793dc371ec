// The storage admission plugins of kube-apiserver:
// - DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a claim created
//   without spec.storageClassName gets the default class (the newest one when several are marked;
//   none when no class is marked; "" means "no class" and is left alone).
// - StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection):
//   new claims get the kubernetes.io/pvc-protection finalizer, new PVs kubernetes.io/pv-protection.
// - PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize): a bound
//   claim may only grow when its class has allowVolumeExpansion.
import type { KubeObject } from '../../api/types.ts';
import type { AdmissionAttributes, AdmissionPlugin, ApiServer } from '../../api/server.ts';
import { newForbidden } from '../../api/errors.ts';
import { groupResource, lookupKind } from '../../api/registry.ts';
import { ANN, FINALIZER, claimClass, claimRequest, storageBytes } from './util.ts';

const storageClassInfo = () => lookupKind('storage.k8s.io/v1', 'StorageClass')!;

function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN.isDefaultClass] === 'true' || a[ANN.betaIsDefaultClass] === 'true';
}

/** GetDefaultClass: the newest class marked default (ties: by name), or undefined. */
export function getDefaultClass(server: ApiServer): KubeObject | undefined {
  let found: KubeObject | undefined;
  for (const sc of server.list(storageClassInfo(), undefined).items as KubeObject[]) {
    if (!isDefaultClass(sc)) continue;
    const newer = !found || (sc.metadata.creationTimestamp ?? '') > (found.metadata.creationTimestamp ?? '')
      || ((sc.metadata.creationTimestamp ?? '') === (found.metadata.creationTimestamp ?? '') && sc.metadata.name! < found.metadata.name!);
    if (newer) found = sc;
  }
  return found;
}

export const defaultStorageClassAdmission: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  admit({ operation, info, obj, subresource, server }: AdmissionAttributes): void {
    if (operation !== 'CREATE' || subresource || info.kind !== 'PersistentVolumeClaim' || info.group !== '' || !obj) return;
    const spec = (obj.spec ??= {});
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    if (obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
    const sc = getDefaultClass(server);
    if (sc) spec.storageClassName = sc.metadata.name;
  },
};

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const list: string[] = obj.metadata.finalizers ?? [];
  if (!list.includes(finalizer)) obj.metadata.finalizers = [...list, finalizer];
}

export const storageObjectInUseProtectionAdmission: AdmissionPlugin = {
  name: 'StorageObjectInUseProtection',
  admit({ operation, info, obj, subresource }: AdmissionAttributes): void {
    if (operation !== 'CREATE' || subresource || info.group !== '' || !obj) return;
    if (info.kind === 'PersistentVolumeClaim') addFinalizer(obj, FINALIZER.pvcProtection);
    else if (info.kind === 'PersistentVolume') addFinalizer(obj, FINALIZER.pvProtection);
  },
};

export const persistentVolumeClaimResizeAdmission: AdmissionPlugin = {
  name: 'PersistentVolumeClaimResize',
  admit({ operation, info, obj, old, subresource, server }: AdmissionAttributes): void {
    if (operation !== 'UPDATE' || subresource || info.kind !== 'PersistentVolumeClaim' || info.group !== '' || !obj || !old) return;
    if (claimRequest(obj) <= storageBytes(old.spec?.resources?.requests?.storage)) return;
    if (old.status?.phase !== 'Bound') throw newForbidden(groupResource(info), obj.metadata.name ?? '', 'Only bound persistent volume claims can be expanded');
    const sc = server.peek(storageClassInfo(), undefined, claimClass(old));
    if (!sc?.allowVolumeExpansion) {
      throw newForbidden(groupResource(info), obj.metadata.name ?? '', 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    }
  },
};

/**
 * Registers DefaultStorageClass and StorageObjectInUseProtection in the mutating chain after
 * defaulting, and PersistentVolumeClaimResize in the validating chain (idempotent).
 */
export function registerDefaultStorageClass(server: ApiServer): void {
  if (!server.mutating.some((p) => p.name === defaultStorageClassAdmission.name)) {
    const at = server.mutating.findIndex((p) => p.name === 'Defaulting') + 1;
    server.mutating.splice(at, 0, defaultStorageClassAdmission, storageObjectInUseProtectionAdmission);
  }
  if (!server.validating.some((p) => p.name === persistentVolumeClaimResizeAdmission.name)) server.validating.push(persistentVolumeClaimResizeAdmission);
}
