// Planted bug: a ReplicaSet controller whose informers, after a watch disconnect, start a new watch
// "from now" (resourceVersion "") instead of re-listing or resuming from the last resourceVersion
// they saw (client-go reflector.go resumes from lastSyncResourceVersion and re-lists on 410).
// A watch from "" begins with synthetic ADDED events for the objects that exist, so an object
// deleted while the watch was down never leaves the cache: the controller keeps counting a pod
// that is gone and never replaces it. Everything else is the real controller and informer.
import { ReplicaSetController } from '../../actors/controllers/replicaset.ts';
import type { Informer } from '../../client/informer.ts';

interface InformerInternals {
  watchId: string | undefined;
  onClosed(): void;
  startWatch(rv: string): void;
}

/** Makes an informer re-watch from the newest version when its watch closes (the bug). */
export function rewatchFromNow(inf: Informer): void {
  const i = inf as unknown as InformerInternals;
  i.onClosed = () => {
    i.watchId = undefined;
    i.startWatch('');
  };
}

export class ReplicaSetControllerRewatchFromNow extends ReplicaSetController {
  protected override setup(): void {
    super.setup();
    for (const inf of this.informers) rewatchFromNow(inf);
  }
}
