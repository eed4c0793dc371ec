// STUB (issue 5 replaces it): how a kubelet mounts a PersistentVolumeClaim for a pod on its node
// (NodeStageVolume / NodePublishVolume after the attach-detach controller attached the volume).
import type { ApiClient } from '../../client/client.ts';
import type { VolumeStore } from '../../cri/types.ts';
import type { VolumeBackend } from './backend.ts';

export interface ClaimMount {
  client: ApiClient;
  backend: VolumeBackend;
  node: string;
  namespace: string;
  claimName: string;
  readOnly: boolean;
}

export type ClaimMountResult =
  | { ok: true; store: VolumeStore }
  | { ok: false; reason: string; message: string };

/** Mounts the claim's volume; answers with its contents or the event to report (FailedMount…). */
export function mountClaim(m: ClaimMount, done: (r: ClaimMountResult) => void): void {
  m.client.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, m.namespace, m.claimName, (r) => {
    if (!r.ok) return done({ ok: false, reason: 'FailedMount', message: `persistentvolumeclaim "${m.claimName}" not found` });
    done({ ok: true, store: { files: new Map() } });
  });
}

/** Unmounts and unstages the claim's volume on the node when the pod is gone. */
export function unmountClaim(_m: ClaimMount): void {}
