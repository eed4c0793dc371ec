// Planted bug: informers that re-watch "from now" after a disconnect miss a deletion for good.
import { defineCheck } from '../define.ts';
import { rewatchCheck } from './rewatch.ts';
import { ReplicaSetControllerRewatchFromNow } from '../planted/replicaset-rewatch-from-now.ts';

export default defineCheck(rewatchCheck('replicaset-rewatch-from-now', () => new ReplicaSetControllerRewatchFromNow()));
