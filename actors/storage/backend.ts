// The storage behind the simulated CSI driver: every volume's contents and where it is
// attached. It outlives pods and nodes (a cloud disk), unlike a NodeHost's emptyDirs.
import type { VolumeStore } from '../../cri/types.ts';

export interface BackendVolume {
  handle: string;
  capacityBytes: number;
  /** Topology: the zone a zonal disk lives in (undefined: reachable from every node). */
  zone?: string;
  store: VolumeStore;
  /** Nodes the volume is attached to (ControllerPublishVolume). */
  attachedTo: Set<string>;
}

export class VolumeBackend {
  readonly volumes = new Map<string, BackendVolume>();

  create(handle: string, capacityBytes: number, zone?: string): BackendVolume {
    let v = this.volumes.get(handle);
    if (!v) {
      v = { handle, capacityBytes, zone, store: { files: new Map() }, attachedTo: new Set() };
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
}
