// The watch-disconnect check: a settled ReplicaSet of 3; the environment may force-delete one pod
// and one of the controller's watches may be cut. ESR: 3 active pods again within 60 s.
import type { ActorLogic } from '../../runtime/index.ts';
import type { CheckDefinition } from '../types.ts';
import { forceDeleteAPod, replicaSetCheck } from './replicaset.ts';

export function rewatchCheck(name: string, controller?: () => ActorLogic): CheckDefinition {
  return replicaSetCheck({
    name, controller, settled: true, depth: 8, horizon: 10_000,
    faults: { disconnect: { targets: ['replicaset-controller'], budget: 1 }, actions: [forceDeleteAPod()] },
  });
}
