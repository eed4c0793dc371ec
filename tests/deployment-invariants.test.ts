// RollingUpdate's guarantees checked at every runtime step, for a grid of replicas, maxSurge and
// maxUnavailable (k8s-facts §1.1 rounding and fenceposts, §1.4; docs concepts/workloads/controllers/
// deployment "Max Surge" / "Max Unavailable"): never more than replicas + maxSurge pods that are
// not terminating, never fewer than replicas − maxUnavailable available pods once the first
// rollout is complete, and the rollout completes.
import { describe, expect, it } from 'vitest';
import { createCluster, type KubeObject } from 'kubesim';

const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** A kubectl watch of the pods: the pod set as each write left it. */
function podView(c: Awaited<ReturnType<typeof createCluster>>, selector: string) {
  const pods = new Map<string, KubeObject>();
  c.watch('pods', (ev) => {
    if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
    else pods.set(ev.object.metadata.name!, ev.object);
  }, { labelSelector: selector });
  const live = () => [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return { live, available: () => live().filter(isReady) };
}

const GRID: Array<[replicas: number, maxSurge: number | string, maxUnavailable: number | string, surge: number, unavailable: number]> = [
  [3, '25%', '25%', 1, 0],   // the documented example
  [4, 0, 1, 0, 1],           // no surge at all
  [5, 2, 0, 2, 0],           // maxUnavailable = 0
  [10, '30%', '30%', 3, 3],  // percentages that round (3.0 and 3.0)
  [7, '10%', '10%', 1, 0],   // 0.7 rounds up to 1 and down to 0
  [2, 0, '1%', 0, 1],        // both resolve to 0: maxUnavailable forced to 1
  [1, 0, 1, 0, 1],           // a single replica may go away
];

describe('rolling update bounds at every step', () => {
  for (const [replicas, surgeV, unavailV, surge, unavail] of GRID) {
    it(`replicas=${replicas} maxSurge=${surgeV} maxUnavailable=${unavailV}: at most ${replicas + surge} pods, at least ${replicas - unavail} available, and it completes`, async () => {
      const c = await createCluster({ seed: replicas * 7 + 1 });
      const name = `web-${replicas}`;
      c.create({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
        spec: {
          replicas, selector: { matchLabels: { app: name } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surgeV, maxUnavailable: unavailV } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] } },
        },
      });
      const view = podView(c, `app=${name}`);
      await c.runUntil((cl) => cl.get('deployment', name).status?.availableReplicas === replicas && view.available().length === replicas, { timeout: '2m' });
      c.patch('deployment', name, { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.16.1' }] } } } });
      const end = c.now() + 5 * 60_000;
      let maxLive = 0;
      let minAvailable = Infinity;
      const done = () => view.available().length === replicas && view.live().length === replicas && view.live().every((p) => p.spec.containers[0].image === 'nginx:1.16.1');
      while (!done()) {
        expect(c.runtime.step()).toBe(true);
        expect(c.now()).toBeLessThanOrEqual(end);
        maxLive = Math.max(maxLive, view.live().length);
        minAvailable = Math.min(minAvailable, view.available().length);
        expect(view.live().length).toBeLessThanOrEqual(replicas + surge);
        expect(view.available().length).toBeGreaterThanOrEqual(replicas - unavail);
      }
      // The bounds are reached, not just respected (a surge is used when allowed).
      expect(maxLive).toBe(replicas + surge);
      expect(minAvailable).toBe(replicas - unavail);
    });
  }
});
