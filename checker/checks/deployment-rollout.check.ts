// The real Deployment controller through a rolling update (nginx:1.25 → nginx:1.26, replicas 3,
// maxSurge 25% → 1, maxUnavailable 25% → 0) while it may crash once and one of its watch streams
// or connections may lag 2 s (a stale read). Properties: the rollout bounds (at most 4 pods, at
// least 3 available, once the first rollout completed), no pod on a missing node, nothing
// accepted lost; ESR: every controller's objects reconciled within 120 s of the last fault.
//   kubesim check checker/checks/deployment-rollout.check.ts --strategy random
import { defineCheck } from '../define.ts';
import type { KubeObject } from '../../api/types.ts';
import { controllersReconcile, noAcceptedObjectLost, noPodOnMissingNode, rolloutWithinBounds } from '../properties.ts';

export const DEPLOYMENT = 'web';

export function deployment(image = 'nginx:1.25'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: DEPLOYMENT, namespace: 'default' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: DEPLOYMENT } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: DEPLOYMENT } }, spec: { containers: [{ name: 'nginx', image }] } },
    },
  };
}

export default defineCheck({
  name: 'deployment-rollout',
  seed: 1,
  nodes: 2,
  async setup(cluster) {
    cluster.create(deployment());
    await cluster.runUntil((c) => {
      const d = c.find('deployment', DEPLOYMENT, 'default');
      return d?.status?.availableReplicas === 3 && d.status.updatedReplicas === 3 && d.status.replicas === 3;
    }, { timeout: '2m' });
    // The rolling update: exploration starts at the template change.
    cluster.patch('deployment', DEPLOYMENT, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } }, { namespace: 'default' });
  },
  focus: ['deployment-controller'],
  faults: {
    crash: { targets: ['deployment-controller'], budget: 1 },
    delay: { budget: 1, targets: ['deployment-controller'] },
  },
  invariants: [rolloutWithinBounds(), noPodOnMissingNode(), noAcceptedObjectLost()],
  liveness: [controllersReconcile(120_000)],
  depth: 40,
  horizon: 60_000,
});
