// The kubelet's watch-based ConfigMap and Secret managers (pkg/kubelet/util/manager/
// watch_based_manager.go): the first time a pod's volume needs an object, the kubelet starts
// watching it by name; once that watch has listed, every later pod reads it from the cache,
// kept current by the watch, instead of asking the API server again.
import type { ActorContext, Envelope } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiClient } from '../../client/client.ts';
import { CacheInformer } from '../../client/informer.ts';

export type CachedKind = 'ConfigMap' | 'Secret';

export class WatchingObjectCache {
  private readonly watches = new Map<string, CacheInformer>();

  constructor(private readonly ctx: ActorContext, private readonly client: ApiClient) {}

  /**
   * The object as the cache knows it: `{ object }` (undefined if it does not exist) once its
   * watch has listed; undefined before that (the caller asks the API itself this time).
   */
  lookup(kind: CachedKind, namespace: string, name: string): { object: KubeObject | undefined } | undefined {
    const key = `${kind} ${namespace}/${name}`;
    let watch = this.watches.get(key);
    if (!watch) {
      watch = new CacheInformer(this.ctx, this.client, { kind: { apiVersion: 'v1', kind }, namespace, fieldSelector: `metadata.name=${name}`, name: key });
      this.watches.set(key, watch);
      watch.start();
      return undefined;
    }
    return watch.synced ? { object: watch.get(namespace, name) } : undefined;
  }

  /** The watches' own timers (re-list after an error); their list and watch traffic is the client's. */
  handle(env: Envelope): boolean {
    const informer = env.message.informer;
    return typeof informer === 'string' && (this.watches.get(informer)?.handle(env) ?? false);
  }
}
