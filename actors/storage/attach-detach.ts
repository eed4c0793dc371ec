// The attach/detach controller (K:pkg/controller/volume/attachdetach/attach_detach_controller.go,
// reconciler/reconciler.go, k8s-facts §10.3): the desired state is every attachable volume of
// every scheduled, not terminated pod, per node; the actual state is the VolumeAttachment objects
// (`csi-<sha256(handle+driver+node)>`) the CSI attacher acts on. It creates a VolumeAttachment
// for each desired (volume, node), refuses a second node for a ReadWriteOnce volume (Warning
// FailedAttachVolume "Multi-Attach error …", reported once), reports SuccessfulAttachVolume and
// attach failures to the pods, and deletes the VolumeAttachments no pod needs any more — at once
// from a healthy node, after maxWaitForUnmountDuration (6 min) from one that is not Ready or gone.
import type { KubeObject } from '../../api/types.ts';
import { nodeReadyStatus } from '../../api/podutil.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../../client/events.ts';
import { Controller, controllerUser, type ReconcileResult } from '../controllers/controller.ts';
import { CSI_DRIVER, REF, attachmentName, csiSource, isMultiAttachAllowed, isPodTerminalPhase, podClaims } from './util.ts';

/** ReconcilerMaxWaitForUnmountDuration: force detach from an unhealthy node after this long. */
export const MAX_WAIT_FOR_UNMOUNT_MS = 6 * 60_000;
export const ADC_COMPONENT = 'attachdetach-controller';
const KEY = 'reconcile';

interface Desired {
  pv: KubeObject;
  node: string;
  pods: KubeObject[];
}

/** IsPodTerminated: a terminal phase, or deleted with no container still running. */
export function isPodTerminated(pod: KubeObject): boolean {
  if (isPodTerminalPhase(pod)) return true;
  if (!pod.metadata.deletionTimestamp) return false;
  return (pod.status?.containerStatuses ?? []).every((s: any) => !s.state?.running);
}

/** GenerateMsg: `<prefix> for volume "<pv>" <suffix>` (trailing space when the suffix is empty). */
export function volumeMessage(prefix: string, pv: string, suffix: string): string {
  return `${prefix} for volume "${pv}" ${suffix}`;
}

/** reconcilerLoopPeriod of the attach-detach controller. */
export const RECONCILER_LOOP_PERIOD_MS = 100;

export class AttachDetachController extends Controller {
  protected readonly user = controllerUser('attachdetach-controller');
  private pods!: Informer;
  private claims!: Informer;
  private volumes!: Informer;
  private nodes!: Informer;
  private attachments!: Informer;
  private recorder!: EventRecorder;
  /** MultiAttachErrorReported, per desired `pv|node`. */
  private readonly multiAttachReported = new Set<string>();
  /** VolumeAttachments whose success or error was reported to their pods. */
  private readonly attachReported = new Map<string, string>();
  /** When detaching from an unhealthy node was first wanted. */
  private readonly detachRequested = new Map<string, number>();
  /** A reconciler loop is already due (events only schedule one). */
  private loopScheduled = false;

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: ADC_COMPONENT }, this.ctx.random('events'));
    // The reconciler runs in loops (reconcilerLoopPeriod, 100 ms), not once per event: a burst of
    // changes in the same instant is reconciled once.
    const kick = () => {
      if (this.loopScheduled) return;
      this.loopScheduled = true;
      this.enqueueAfter(KEY, RECONCILER_LOOP_PERIOD_MS);
    };
    const podKick = (p: KubeObject) => { if (podClaims(p).length) kick(); };
    this.pods = this.informer({ kind: REF.pod, name: 'pods' });
    this.claims = this.informer({ kind: REF.pvc, name: 'pvcs' });
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs' });
    this.nodes = this.informer({ kind: REF.node, name: 'nodes' });
    this.attachments = this.informer({ kind: REF.volumeAttachment, name: 'volumeattachments' });
    this.pods.addHandlers({ add: podKick, update: (_o, p) => podKick(p), delete: podKick });
    for (const inf of [this.claims, this.volumes, this.attachments]) inf.addHandlers({ add: kick, update: kick, delete: kick });
    this.nodes.addHandlers({ add: kick, delete: kick, update: (o, n) => { if (nodeReadyStatus(o) !== nodeReadyStatus(n)) kick(); } });
    kick();
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), multiAttachReported: [...this.multiAttachReported].sort(), detachRequested: Object.fromEntries([...this.detachRequested].sort()) };
  }

  protected reconcile(): ReconcileResult | void {
    this.loopScheduled = false;
    const desired = this.desiredStateOfWorld();
    const actual = new Map<string, KubeObject>();
    for (const va of this.attachments.list()) if (va.spec?.attacher === CSI_DRIVER) actual.set(`${va.spec.source?.persistentVolumeName}|${va.spec.nodeName}`, va);
    const wait = this.detachUndesired(desired, actual);
    this.attachDesired(desired, actual);
    for (const key of [...this.multiAttachReported]) if (!desired.has(key)) this.multiAttachReported.delete(key);
    return wait === undefined ? undefined : { requeueAfter: wait };
  }

  /** The desired state of world populator: attachable volumes of pods that are scheduled and not terminated. */
  private desiredStateOfWorld(): Map<string, Desired> {
    const out = new Map<string, Desired>();
    for (const pod of this.pods.list()) {
      const node = pod.spec?.nodeName;
      if (!node || isPodTerminated(pod) || !this.nodes.get(undefined, node)) continue;
      for (const { claim } of podClaims(pod)) {
        const pvc = this.claims.get(pod.metadata.namespace, claim);
        const pv = pvc?.spec?.volumeName ? this.volumes.get(undefined, pvc.spec.volumeName) : undefined;
        if (!pv || !csiSource(pv)) continue;
        const key = `${pv.metadata.name}|${node}`;
        const d: Desired = out.get(key) ?? { pv, node, pods: [] };
        if (!d.pods.includes(pod)) d.pods.push(pod);
        out.set(key, d);
      }
    }
    return out;
  }

  /** Detach what no pod needs: from a healthy node at once, else after maxWaitForUnmountDuration. */
  private detachUndesired(desired: Map<string, Desired>, actual: Map<string, KubeObject>): number | undefined {
    let wait: number | undefined;
    const now = this.ctx.now();
    for (const [key, va] of actual) {
      const name = va.metadata.name!;
      if (desired.has(key)) {
        this.detachRequested.delete(name);
        continue;
      }
      if (va.metadata.deletionTimestamp) continue;
      const node = this.nodes.get(undefined, va.spec.nodeName);
      if (!node || nodeReadyStatus(node) !== 'True') {
        const since = this.detachRequested.get(name) ?? now;
        this.detachRequested.set(name, since);
        const left = since + MAX_WAIT_FOR_UNMOUNT_MS - now;
        if (left > 0) {
          wait = Math.min(wait ?? left, left);
          continue;
        }
      }
      this.detachRequested.delete(name);
      this.attachReported.delete(name);
      this.client.delete(REF.volumeAttachment, undefined, name, undefined, this.onWrite(KEY));
    }
    return wait;
  }

  /** attachDesiredVolumes: create missing VolumeAttachments, unless a single-node volume is elsewhere. */
  private attachDesired(desired: Map<string, Desired>, actual: Map<string, KubeObject>): void {
    for (const [key, d] of [...desired].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const va = actual.get(key);
      if (va) {
        this.reportAttachResult(va, d);
        continue;
      }
      const pvName = d.pv.metadata.name!;
      if (!isMultiAttachAllowed(d.pv)) {
        const elsewhere = [...actual.keys()].filter((k) => k.startsWith(`${pvName}|`)).map((k) => k.slice(pvName.length + 1));
        if (elsewhere.length > 0) {
          if (!this.multiAttachReported.has(key)) this.reportMultiAttachError(d, elsewhere, desired);
          this.multiAttachReported.add(key);
          continue;
        }
      }
      this.multiAttachReported.delete(key);
      const handle = csiSource(d.pv)!.volumeHandle;
      this.client.create({
        apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment',
        metadata: { name: attachmentName(handle, CSI_DRIVER, d.node) },
        spec: { attacher: CSI_DRIVER, nodeName: d.node, source: { persistentVolumeName: pvName } },
      }, (r) => { if (!r.ok && r.status.code !== 409) this.requeueRateLimited(KEY); });
    }
  }

  /** SuccessfulAttachVolume once attached; FailedAttachVolume for each new attach error. */
  private reportAttachResult(va: KubeObject, d: Desired): void {
    const name = va.metadata.name!;
    const pv = d.pv.metadata.name!;
    if (va.status?.attached) {
      if (this.attachReported.get(name) === 'attached') return;
      this.attachReported.set(name, 'attached');
      for (const pod of d.pods) this.recorder.event(pod, 'Normal', 'SuccessfulAttachVolume', volumeMessage('AttachVolume.Attach succeeded', pv, ''));
      return;
    }
    const error = va.status?.attachError?.message;
    if (!error || this.attachReported.get(name) === error) return;
    this.attachReported.set(name, error);
    for (const pod of d.pods) this.recorder.event(pod, 'Warning', 'FailedAttachVolume', volumeMessage('AttachVolume.Attach failed', pv, `: ${error}`));
  }

  /** reportMultiAttachError: names the pods of this namespace that hold the volume on other nodes. */
  private reportMultiAttachError(d: Desired, otherNodes: string[], desired: Map<string, Desired>): void {
    const pv = d.pv.metadata.name!;
    const holders: KubeObject[] = [];
    for (const node of otherNodes) for (const p of desired.get(`${pv}|${node}`)?.pods ?? []) holders.push(p);
    for (const pod of d.pods) {
      let suffix: string;
      if (holders.length === 0) suffix = "Volume is already exclusively attached to one node and can't be attached to another";
      else {
        const local = holders.filter((h) => h.metadata.namespace === pod.metadata.namespace).map((h) => h.metadata.name);
        const others = holders.length - local.length;
        if (local.length > 0) suffix = `Volume is already used by pod(s) ${local.join(', ')}${others > 0 ? ` and ${others} pod(s) in different namespaces` : ''}`;
        else suffix = `Volume is already used by ${others} pod(s) in different namespaces`;
      }
      this.recorder.event(pod, 'Warning', 'FailedAttachVolume', volumeMessage('Multi-Attach error', pv, suffix));
    }
  }
}
