// The real ReplicaSet controller crashed once during scale-up. Finds (today) that a `controller.work`
// message sent by the crashed incarnation reaches the restarted one, which then reconciles before
// its pod informer has synced and creates 3 more pods (actors/controllers/controller.ts: the work
// loop does not wait for WaitForCacheSync when a stale work message arrives). See checker/README.md.
import { defineCheck } from '../define.ts';
import { replicaSetCheck } from './replicaset.ts';

export default defineCheck(replicaSetCheck({
  name: 'replicaset-crash-restart', depth: 40,
  faults: { crash: { targets: ['replicaset-controller'], budget: 1 } },
}));
