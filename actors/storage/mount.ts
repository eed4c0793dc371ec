// How a kubelet mounts a PersistentVolumeClaim for a pod on its node (pkg/kubelet/volumemanager:
// the desired state populator resolves claim → volume, the reconciler waits until the
// attach/detach controller attached it here — VolumeAttachment status.attached — then
// NodeStageVolume and NodePublishVolume; WaitForAttachAndMount gives up after 2 min 3 s with
// "Unable to attach or mount volumes: …"). Everything it waits for arrives by watch, so the
// pod worker's callback runs when the volume is ready, or with the event to report.
import type { ActorContext } from '../../runtime/index.ts';
import type { KubeObject, WatchEvent } from '../../api/types.ts';
import type { ApiClient } from '../../client/client.ts';
import type { VolumeStore } from '../../cri/types.ts';
import type { VolumeBackend } from './backend.ts';
import { CSI_DRIVER, REF, attachmentName, backendHandle, csiSource, volumeNodeAffinityMatches } from './util.ts';

export interface ClaimMount {
  client: ApiClient;
  backend: VolumeBackend;
  node: string;
  namespace: string;
  claimName: string;
  readOnly: boolean;
  /** The pod's volume name (messages say `unmounted volumes=[<name>]`); default the claim name. */
  volumeName?: string;
  /** The pod's uid: one NodePublishVolume target per pod volume. */
  podUid?: string;
  /** The pod worker's context: enables the 2 min 3 s WaitForAttachAndMount timeout. */
  ctx?: ActorContext;
}

export type ClaimMountResult =
  | { ok: true; store: VolumeStore }
  | { ok: false; reason: string; message: string };

/** podAttachAndMountTimeout (volume_manager.go). */
export const POD_ATTACH_AND_MOUNT_TIMEOUT_MS = 2 * 60_000 + 3_000;

/** The kubelet's FailedMount message when WaitForAttachAndMount times out. */
export function attachAndMountTimeoutMessage(unmounted: readonly string[], unattached: readonly string[], unprocessed: readonly string[]): string {
  const list = (l: readonly string[]) => `[${l.join(' ')}]`;
  return `Unable to attach or mount volumes: unmounted volumes=${list(unmounted)}, unattached volumes=${list(unattached)}, failed to process volumes=${list(unprocessed)}: timed out waiting for the condition`;
}

/** Waits in progress, per pod worker client: unmountClaim cancels them. */
const waits = new WeakMap<ApiClient, Set<MountWait>>();

/** Mounts the claim's volume; answers with its contents or the event to report (FailedMount…). */
export function mountClaim(m: ClaimMount, done: (r: ClaimMountResult) => void): void {
  new MountWait(m, done).start();
}

/** Unmounts (NodeUnpublishVolume) and, for the node's last user, unstages the claim's volume. */
export function unmountClaim(m: ClaimMount): void {
  for (const w of [...(waits.get(m.client) ?? [])]) if (w.m.claimName === m.claimName && w.m.namespace === m.namespace) w.cancel();
  m.backend.unpublish(publishTarget(m));
}

function publishTarget(m: ClaimMount): string {
  return `${m.node}/${m.podUid ?? `${m.namespace}/${m.claimName}`}/${m.volumeName ?? m.claimName}`;
}

/** One WaitForAttachAndMount of one claim: claim bound → volume on this node's topology → attached → published. */
class MountWait {
  private claimWatch: string | undefined;
  private attachWatch: string | undefined;
  private timer: number | undefined;
  private finished = false;
  private pv: KubeObject | undefined;
  private attachment: string | undefined;

  constructor(readonly m: ClaimMount, private readonly done: (r: ClaimMountResult) => void) {}

  private get volume(): string {
    return this.m.volumeName ?? this.m.claimName;
  }

  start(): void {
    let set = waits.get(this.m.client);
    if (!set) waits.set(this.m.client, (set = new Set()));
    set.add(this);
    if (this.m.ctx) this.timer = this.m.ctx.startTimer('wait-for-attach-and-mount', POD_ATTACH_AND_MOUNT_TIMEOUT_MS, () => this.timeout());
    this.watchClaim();
  }

  cancel(): void {
    this.finished = true;
    this.cleanup();
  }

  private watchClaim(): void {
    const handler = { event: (ev: WatchEvent) => this.onClaim(ev), closed: () => { this.claimWatch = undefined; if (!this.finished) this.watchClaim(); } };
    this.claimWatch = this.m.client.watch(REF.pvc, this.m.namespace, { fieldSelector: `metadata.name=${this.m.claimName}`, resourceVersion: '' }, handler);
  }

  /** The desired state populator: a bound claim gives the volume; anything else keeps waiting. */
  private onClaim(ev: WatchEvent): void {
    if (this.finished || this.pv || ev.type === 'DELETED' || ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    const claim = ev.object;
    if (claim.metadata.deletionTimestamp || claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return;
    this.m.client.get(REF.pv, undefined, claim.spec.volumeName, (r) => {
      if (this.finished || this.pv || !r.ok) return;
      this.pv = r.object;
      this.checkNodeAffinity(r.object);
    });
  }

  /** MountVolume.NodeAffinity check: a zonal volume mounts only on a node of its zone. */
  private checkNodeAffinity(pv: KubeObject): void {
    this.m.client.get(REF.node, undefined, this.m.node, (r) => {
      if (this.finished) return;
      if (r.ok && !volumeNodeAffinityMatches(pv, r.object)) {
        return this.finish({ ok: false, reason: 'FailedMount', message: `MountVolume.NodeAffinity check failed for volume "${pv.metadata.name}" : no matching NodeSelectorTerms` });
      }
      const csi = csiSource(pv);
      if (!csi) return this.publish(pv);
      this.attachment = attachmentName(csi.volumeHandle, CSI_DRIVER, this.m.node);
      this.watchAttachment();
    });
  }

  private watchAttachment(): void {
    const handler = { event: (ev: WatchEvent) => this.onAttachment(ev), closed: () => { this.attachWatch = undefined; if (!this.finished) this.watchAttachment(); } };
    this.attachWatch = this.m.client.watch(REF.volumeAttachment, undefined, { fieldSelector: `metadata.name=${this.attachment}`, resourceVersion: '' }, handler);
  }

  /** VerifyControllerAttachedVolume / WaitForAttach: the attachment for this node says attached. */
  private onAttachment(ev: WatchEvent): void {
    if (this.finished || ev.type === 'DELETED' || ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    if (ev.object.status?.attached && !ev.object.metadata.deletionTimestamp) this.publish(this.pv!);
  }

  /** NodeStageVolume then NodePublishVolume. */
  private publish(pv: KubeObject): void {
    const handle = backendHandle(pv);
    if (!csiSource(pv)) this.m.backend.create(handle, 0);
    const store = this.m.backend.publish(handle, this.m.node, publishTarget(this.m));
    if (!store) {
      return this.finish({ ok: false, reason: 'FailedMount', message: `MountVolume.MountDevice failed for volume "${pv.metadata.name}" : rpc error: code = NotFound desc = volume ${handle} not found` });
    }
    this.finish({ ok: true, store });
  }

  private timeout(): void {
    this.timer = undefined;
    if (this.finished) return;
    const unattached = this.attachment ? [this.volume] : [];
    const unprocessed = this.pv ? [] : [this.volume];
    this.finish({ ok: false, reason: 'FailedMount', message: attachAndMountTimeoutMessage([this.volume], unattached, unprocessed) });
  }

  private finish(r: ClaimMountResult): void {
    if (this.finished) return;
    this.finished = true;
    this.cleanup();
    this.done(r);
  }

  private cleanup(): void {
    if (this.claimWatch) this.m.client.unwatch(this.claimWatch);
    if (this.attachWatch) this.m.client.unwatch(this.attachWatch);
    this.claimWatch = this.attachWatch = undefined;
    if (this.timer !== undefined) this.m.ctx?.cancelTimer(this.timer);
    this.timer = undefined;
    waits.get(this.m.client)?.delete(this);
  }
}
