// The scheduler's volume plugins (pkg/scheduler/framework/plugins/volumebinding, volumezone,
// volumerestrictions; k8s-facts §8.1, §10.2):
// - PreFilter: every claim of the pod must exist and not be deleting; an unbound claim of an
//   Immediate class makes the pod wait ("pod has unbound immediate PersistentVolumeClaims");
//   a ReadWriteOncePod claim already used by another pod is refused (VolumeRestrictions).
// - Filter (registered in VOLUME_FILTERS, upstream order VolumeRestrictions, VolumeBinding,
//   VolumeZone): a bound volume's node affinity must admit the node; each unbound
//   WaitForFirstConsumer claim needs an Available PV that fits on the node (smallest first, as
//   FindMatchingVolume) or a provisioner that can provision in the node's topology.
// - Reserve + PreBind (BindPodVolumes): PVs chosen for the node get their claimRef; claims to
//   provision get volume.kubernetes.io/selected-node; then the binder polls every second (the
//   first poll a second after) until every claim is bound, for at most bindTimeoutSeconds (600 s).
// The VolumeBinding instance owns the PVC, PV and StorageClass informers of the scheduler.
import type { ActorContext } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/client.ts';
import { CacheInformer, type Informer } from '../../client/informer.ts';
import { CYCLE_FILTER_HOOKS, VOLUME_FILTERS, type CycleState, type FilterPlugin, type Status } from './plugins.ts';
import type { NodeInfo, SchedulerCache } from './cache.ts';
import {
  ANN, REF, ZONE_LABEL, classAllowsNode, claimClass, copyOf, findMatchingVolume, hasAnnotation, isVolumeBoundToClaim,
  podClaims, volumeClass, volumeNodeAffinityMatches,
} from '../storage/util.ts';

/** bindTimeoutSeconds (VolumeBindingArgs default). */
export const BIND_TIMEOUT_MS = 600_000;
/** BindPodVolumes' poll interval (wait.PollUntilContextTimeout with time.Second). */
export const BIND_POLL_MS = 1_000;

export const VOLUME_REASON = {
  bindConflict: "node(s) didn't find available persistent volumes to bind",
  nodeConflict: 'node(s) had volume node affinity conflict',
  pvNotExist: 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)',
  unboundImmediate: 'pod has unbound immediate PersistentVolumeClaims',
  zoneConflict: 'node(s) had no available volume zone',
  readWriteOncePodConflict: 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode',
} as const;

/** The plugins whose rejections a storage change (claim, volume, class added or updated) may lift. */
export const VOLUME_PLUGIN_NAMES: ReadonlySet<string> = new Set(['VolumeRestrictions', 'VolumeBinding', 'VolumeZone']);

interface NodeBindings {
  /** Static PVs chosen for unbound claims on this node. */
  bindings: Array<{ claim: KubeObject; pv: KubeObject }>;
  /** Claims to provision with this node as the selected node. */
  provisions: KubeObject[];
}

/** What PreFilter found out about the pod's claims (the plugin's stateData). */
interface PodVolumes {
  bound: KubeObject[];
  pvMissing: boolean;
  unbound: KubeObject[];
  classes: Map<string, KubeObject | undefined>;
  candidates: KubeObject[];
  excluded: Set<string>;
  perNode: Map<string, NodeBindings>;
}

const cycleStates = new WeakMap<CycleState, PodVolumes>();

function rejection(code: Status['code'], plugin: string, ...reasons: string[]): Status {
  return { code, plugin, reasons };
}

export class VolumeBinding {
  readonly informers: Informer[];
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  /** The last PreFilter result per pod uid (Reserve reads the chosen node's bindings). */
  private readonly lastState = new Map<string, PodVolumes>();
  /** PVs reserved for pods being bound (the assume cache): pv → pod uid. */
  private readonly assumed = new Map<string, string>();
  /** The pods whose BindPodVolumes is polling, by uid. */
  private readonly binding = new Set<string>();

  /** `onChange`: a claim, volume or class changed; pods rejected by the volume plugins may now fit. */
  constructor(private readonly ctx: ActorContext, private readonly client: ApiClient, onChange: () => void = () => {}) {
    this.claims = new CacheInformer(ctx, client, { kind: REF.pvc, name: 'scheduler-pvcs' });
    this.volumes = new CacheInformer(ctx, client, { kind: REF.pv, name: 'scheduler-pvs' });
    this.classes = new CacheInformer(ctx, client, { kind: REF.storageClass, name: 'scheduler-storageclasses' });
    this.informers = [this.claims, this.volumes, this.classes];
    for (const informer of this.informers) informer.addHandlers({ add: onChange, update: onChange });
  }

  snapshot(): unknown {
    return { assumed: Object.fromEntries([...this.assumed].sort()), binding: [...this.binding].sort() };
  }

  // ------------------------------------------------------------------ PreFilter

  /** PreFilter of VolumeRestrictions and VolumeBinding: a rejection for every node, or undefined. */
  preFilter(state: CycleState, cache?: SchedulerCache): Status | undefined {
    const pod = state.pod;
    const refs = podClaims(pod);
    this.lastState.delete(pod.metadata.uid!);
    if (refs.length === 0) return undefined;
    const pv: PodVolumes = { bound: [], pvMissing: false, unbound: [], classes: new Map(), candidates: [], excluded: new Set(), perNode: new Map() };
    for (const { claim: name } of refs) {
      const claim = this.claims.get(pod.metadata.namespace, name);
      if (!claim) return rejection('UnschedulableAndUnresolvable', 'VolumeBinding', `persistentvolumeclaim "${name}" not found`);
      if (claim.metadata.deletionTimestamp) return rejection('UnschedulableAndUnresolvable', 'VolumeBinding', `persistentvolumeclaim "${name}" is being deleted`);
      if (cache && this.readWriteOncePodInUse(claim, pod, cache)) return rejection('UnschedulableAndUnresolvable', 'VolumeRestrictions', VOLUME_REASON.readWriteOncePodConflict);
      if (this.isFullyBound(claim)) {
        const volume = this.volumes.get(undefined, claim.spec.volumeName);
        if (volume) pv.bound.push(volume);
        else pv.pvMissing = true;
        continue;
      }
      const className = claimClass(claim);
      const sc = className ? this.classes.get(undefined, className) : undefined;
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return rejection('UnschedulableAndUnresolvable', 'VolumeBinding', VOLUME_REASON.unboundImmediate);
      pv.unbound.push(claim);
      pv.classes.set(className, sc);
    }
    for (const [pvName, uid] of this.assumed) if (uid !== pod.metadata.uid) pv.excluded.add(pvName);
    // ListPVs(class), less the volumes bound to other claims: FindMatchingVolume skips those on
    // every node, and with thousands of provisioned volumes they were most of each node's check.
    if (pv.unbound.length) {
      pv.candidates = this.volumes.list().filter((v) => pv.classes.has(volumeClass(v))
        && (!v.spec?.claimRef || pv.unbound.some((c) => isVolumeBoundToClaim(v, c))));
    }
    cycleStates.set(state, pv);
    this.lastState.set(pod.metadata.uid!, pv);
    return undefined;
  }

  private isFullyBound(claim: KubeObject): boolean {
    return Boolean(claim.spec?.volumeName) && hasAnnotation(claim, ANN.bindCompleted);
  }

  private readWriteOncePodInUse(claim: KubeObject, pod: KubeObject, cache: SchedulerCache): boolean {
    if (!(claim.spec?.accessModes ?? []).includes('ReadWriteOncePod')) return false;
    for (const p of cache.pods.values()) {
      if (p.uid === pod.metadata.uid || p.namespace !== pod.metadata.namespace) continue;
      if (podClaims(p.pod).some((c) => c.claim === claim.metadata.name)) return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ Filter

  /** FindPodVolumes for one node: bound volumes' affinity, then a PV or a provisioner per unbound claim. */
  static filter(s: CycleState, n: NodeInfo): Status | null {
    const pv = cycleStates.get(s);
    if (!pv || !n.node) return null;
    const reasons: string[] = [];
    if (pv.pvMissing) reasons.push(VOLUME_REASON.pvNotExist);
    if (pv.bound.some((v) => !volumeNodeAffinityMatches(v, n.node!))) reasons.push(VOLUME_REASON.nodeConflict);
    const found = pv.unbound.length ? findPodVolumes(pv, n.node) : { bindings: [], provisions: [] };
    if (!found) reasons.push(VOLUME_REASON.bindConflict);
    if (reasons.length) return rejection('UnschedulableAndUnresolvable', 'VolumeBinding', ...reasons);
    pv.perNode.set(n.name, found!);
    return null;
  }

  /** VolumeZone: a bound PV labelled with a zone only fits nodes of that zone. */
  static zoneFilter(s: CycleState, n: NodeInfo): Status | null {
    const pv = cycleStates.get(s);
    if (!pv || !n.node) return null;
    for (const v of pv.bound) {
      const zone = v.metadata.labels?.[ZONE_LABEL];
      if (zone !== undefined && !zone.split('__').includes(n.labels[ZONE_LABEL] ?? '')) {
        return rejection('UnschedulableAndUnresolvable', 'VolumeZone', VOLUME_REASON.zoneConflict);
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ Reserve + PreBind

  /**
   * AssumePodVolumes + BindPodVolumes for the chosen node: claimRef on chosen PVs, selected-node
   * on claims to provision, then a check every second (from a second after) until every claim of
   * the pod is bound, for less than 600 s. `done(error)` with upstream's message on failure.
   */
  preBind(pod: KubeObject, node: string, done: (error?: string) => void): void {
    const uid = pod.metadata.uid!;
    const pv = this.lastState.get(uid);
    this.lastState.delete(uid);
    const chosen = pv?.perNode.get(node);
    if (!pv || !chosen || (chosen.bindings.length === 0 && chosen.provisions.length === 0 && pv.unbound.length === 0)) return done();
    for (const b of chosen.bindings) this.assumed.set(b.pv.metadata.name!, uid);
    for (const b of chosen.bindings) this.bindVolume(b.pv, b.claim);
    for (const c of chosen.provisions) this.selectNode(c, node);
    const start = this.ctx.now();
    this.binding.add(uid);
    const finish = (error?: string) => {
      this.binding.delete(uid);
      for (const [name, owner] of [...this.assumed]) if (owner === uid) this.assumed.delete(name);
      done(error);
    };
    // PollUntilContextTimeout: ticks on a fixed phase; the deadline wins the tick it falls on.
    const poll = () => {
      if (pv.unbound.every((c) => this.claimBound(c))) return finish();
      if (this.ctx.now() + BIND_POLL_MS >= start + BIND_TIMEOUT_MS) {
        return void this.ctx.startTimer('bind-volumes-timeout', start + BIND_TIMEOUT_MS - this.ctx.now(), () => finish('binding volumes: context deadline exceeded'));
      }
      this.ctx.startTimer('bind-volumes-poll', BIND_POLL_MS, poll);
    };
    this.ctx.startTimer('bind-volumes-poll', BIND_POLL_MS, poll);
  }

  private claimBound(claim: KubeObject): boolean {
    const live = this.claims.get(claim.metadata.namespace, claim.metadata.name!);
    if (!live || !this.isFullyBound(live)) return false;
    const volume = this.volumes.get(undefined, live.spec.volumeName);
    return Boolean(volume && isVolumeBoundToClaim(volume, live));
  }

  private bindVolume(volume: KubeObject, claim: KubeObject): void {
    if (isVolumeBoundToClaim(volume, claim) && volume.spec.claimRef.uid) return;
    const updated = copyOf(volume);
    updated.spec.claimRef = {
      kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name,
      uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion,
    };
    updated.metadata.annotations = { ...(updated.metadata.annotations ?? {}), [ANN.boundByController]: 'yes' };
    this.client.update(updated);
  }

  private selectNode(claim: KubeObject, node: string): void {
    if (claim.metadata.annotations?.[ANN.selectedNode] === node) return;
    this.client.patch(REF.pvc, claim.metadata.namespace, claim.metadata.name!, { metadata: { annotations: { [ANN.selectedNode]: node } } }, 'application/merge-patch+json');
  }
}

/** findMatchingVolumes + checkVolumeProvisions for one node; undefined when a claim cannot be satisfied. */
function findPodVolumes(pv: PodVolumes, node: KubeObject): NodeBindings | undefined {
  const out: NodeBindings = { bindings: [], provisions: [] };
  const taken = new Set(pv.excluded);
  for (const claim of pv.unbound) {
    const match = findMatchingVolume(claim, pv.candidates, node, taken, true);
    if (match) {
      taken.add(match.metadata.name!);
      if (!isVolumeBoundToClaim(match, claim) || !match.spec.claimRef.uid) out.bindings.push({ claim, pv: match });
      continue;
    }
    const sc = pv.classes.get(claimClass(claim));
    if (!sc?.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner' || !classAllowsNode(sc, node)) return undefined;
    out.provisions.push(claim);
  }
  return out;
}

/**
 * The filter plugins, in default_plugins.go order. VolumeRestrictions' ReadWriteOncePod check is
 * its PreFilter (above); its Filter only checks in-tree disks (GCE PD, EBS, RBD, iSCSI), which do
 * not exist here, so it passes. NodeVolumeLimits has no per-node attach limit to enforce.
 */
export const volumeRestrictionsFilter: FilterPlugin = { name: 'VolumeRestrictions', filter: () => null };
export const volumeBindingFilter: FilterPlugin = { name: 'VolumeBinding', filter: (s, n) => VolumeBinding.filter(s, n) };
export const volumeZoneFilter: FilterPlugin = { name: 'VolumeZone', filter: (s, n) => VolumeBinding.zoneFilter(s, n) };

/** Registers the volume filters in the scheduler's hook (idempotent). */
export function registerVolumeFilters(): void {
  if (VOLUME_FILTERS.some((p) => p.name === 'VolumeBinding')) return;
  VOLUME_FILTERS.push(volumeRestrictionsFilter, volumeBindingFilter, volumeZoneFilter);
  CYCLE_FILTER_HOOKS.push((s) => cycleStates.has(s));
}

registerVolumeFilters();

/** The FailedScheduling message when a volume PreFilter rejects the pod (FitError with PreFilterMsg). */
export function preFilterFitError(numAllNodes: number, st: Status): string {
  return `0/${numAllNodes} nodes are available: ${st.reasons.join(', ')}. preemption: 0/${numAllNodes} nodes are available: ${numAllNodes} Preemption is not helpful for scheduling.`;
}
