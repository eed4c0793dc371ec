// The real ReplicaSet controller, scaling from 0 to 3: the same check as the planted bug's, no violation.
import { defineCheck } from '../define.ts';
import { replicaSetCheck } from './replicaset.ts';

export default defineCheck(replicaSetCheck({ name: 'replicaset-scale-up' }));
