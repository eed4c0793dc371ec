// Read-only access to the API server's store for the model checker: objects, the watch history
// (the store's log of accepted writes) and open watches, read without sending a request, so that
// checking a property at every state neither changes the state nor adds a trace line.
import type { Cluster } from '../cluster/cluster.ts';
import type { ApiServer } from '../api/server.ts';
import type { KubeObject } from '../api/types.ts';
import type { HistoryEntry } from '../api/watch-cache.ts';
import { lookupResource, type KindInfo } from '../api/registry.ts';

/** The API server's private fields the checker reads (never writes, except removeWatch for a disconnect fault). */
interface ServerInternals {
  objects: Map<string, Map<string, KubeObject>>;
  watchById: Map<string, { actor: string; watchId: string }>;
}

/** The cluster's API server (read-only use). */
export function serverOf(cluster: Cluster): ApiServer {
  return cluster.apiServer;
}

const kinds = new Map<string, KindInfo>();

function kindInfo(kind: string): KindInfo {
  let info = kinds.get(kind);
  if (!info) {
    info = lookupResource(kind);
    if (!info) throw new Error(`checker: unknown kind ${kind}`);
    kinds.set(kind, info);
  }
  return info;
}

export class StoreReader {
  private readonly internals: ServerInternals;

  constructor(readonly server: ApiServer) {
    this.internals = server as unknown as ServerInternals;
  }

  /** Objects of a kind (shared, frozen), in a stable order. */
  objects(kind: string, namespace?: string): readonly KubeObject[] {
    return this.server.list(kindInfo(kind), namespace).items as KubeObject[];
  }

  find(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.server.peek(kindInfo(kind), namespace, name);
  }

  /** Every (resource, key, object) in the store, in map order (for hashing; order-independent users only). */
  forEachObject(fn: (resource: string, key: string, obj: KubeObject) => void): void {
    for (const [resource, m] of this.internals.objects) {
      if (m.size === 0) continue;
      for (const [key, obj] of m) fn(resource, key, obj);
    }
  }

  /** History entries with rv > `after`, oldest first (the store's log of accepted writes). */
  historySince(after: number): HistoryEntry[] {
    return this.server.changesSince(after, undefined, true);
  }

  get resourceVersion(): number {
    return this.server.resourceVersion;
  }

  /** Open watches of an actor, by watch id, sorted. */
  watchesOf(actor: string): string[] {
    const out: string[] = [];
    for (const w of this.internals.watchById.values()) if (w.actor === actor) out.push(w.watchId);
    return out.sort();
  }
}
