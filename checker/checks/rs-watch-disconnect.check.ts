// The real ReplicaSet controller through a watch disconnect and a forced pod deletion: no violation.
import { defineCheck } from '../define.ts';
import { rewatchCheck } from './rewatch.ts';

export default defineCheck(rewatchCheck('replicaset-watch-disconnect'));
