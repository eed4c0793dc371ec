// Planted bug: a ReplicaSet controller without expectations over-creates from a stale cache.
// Found by: kubesim check checker/checks/rs-no-expectations.check.ts
import { defineCheck } from '../define.ts';
import { replicaSetCheck } from './replicaset.ts';
import { ReplicaSetControllerWithoutExpectations } from '../planted/replicaset-no-expectations.ts';

export default defineCheck(replicaSetCheck({ name: 'replicaset-no-expectations', controller: () => new ReplicaSetControllerWithoutExpectations() }));
