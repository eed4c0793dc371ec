// Planted bug: after a restart, a StatefulSet controller trusts that existing pods passed the
// OrderedReady gate and creates ordinal N+1 before N is Running and Ready.
//   kubesim check checker/checks/sts-ordered-ready.check.ts --strategy random
// The real controller, same check and budget (no violation):
//   kubesim check checker/checks/sts-ordered-ready.check.ts --strategy random --export real
import { defineCheck } from '../define.ts';
import { statefulSetCheck } from './statefulset.ts';
import { StatefulSetControllerTrustsPredecessor } from '../planted/statefulset-trusts-predecessor.ts';

export default defineCheck(statefulSetCheck({ name: 'statefulset-ordered-ready-planted', controller: () => new StatefulSetControllerTrustsPredecessor() }));

export const real = defineCheck(statefulSetCheck({ name: 'statefulset-ordered-ready' }));
