// The storage behind the simulated CSI driver: every volume's contents and where it is
// attached. It outlives pods and nodes (a cloud disk), unlike a NodeHost's emptyDirs.
// The controller side (CreateVolume, ControllerPublishVolume) is csi.ts; the node side
// (NodeStageVolume, NodePublishVolume) is mount.ts.
import type { VolumeStore } from '../../cri/types.ts';

export interface BackendVolume {
  handle: string;
  capacityBytes: number;
  /** Topology: the zone a zonal disk lives in (undefined: reachable from every node). */
  zone?: string;
  store: VolumeStore;
  /** Nodes the volume is attached to (ControllerPublishVolume). */
  attachedTo: Set<string>;
  /** Nodes where it is staged (NodeStageVolume: the global mount). */
  stagedOn: Set<string>;
  /** Publish targets (NodePublishVolume: one per pod volume) → node. */
  publishedAt: Map<string, string>;
}

export class VolumeBackend {
  readonly volumes = new Map<string, BackendVolume>();

  create(handle: string, capacityBytes: number, zone?: string): BackendVolume {
    let v = this.volumes.get(handle);
    if (!v) {
      v = { handle, capacityBytes, zone, store: { files: new Map() }, attachedTo: new Set(), stagedOn: new Set(), publishedAt: new Map() };
      this.volumes.set(handle, v);
    }
    return v;
  }

  get(handle: string): BackendVolume | undefined {
    return this.volumes.get(handle);
  }

  delete(handle: string): void {
    this.volumes.delete(handle);
  }

  /** NodeStageVolume + NodePublishVolume: the volume's contents, mounted for `target` on `node`. */
  publish(handle: string, node: string, target: string): VolumeStore | undefined {
    const v = this.volumes.get(handle);
    if (!v) return undefined;
    v.stagedOn.add(node);
    v.publishedAt.set(target, node);
    return v.store;
  }

  /** NodeUnpublishVolume for `target`, and NodeUnstageVolume when it was the node's last one. */
  unpublish(target: string): void {
    for (const v of this.volumes.values()) {
      const node = v.publishedAt.get(target);
      if (node === undefined) continue;
      v.publishedAt.delete(target);
      if (![...v.publishedAt.values()].includes(node)) v.stagedOn.delete(node);
    }
  }
}
