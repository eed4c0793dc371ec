// The HorizontalPodAutoscaler controller end to end (seed 1): real nodes run the pods, the
// metrics-server scrapes their CPU curves, the HPA scales the target through its scale
// subresource. Sources: kubernetes/website concepts/workloads/autoscaling/horizontal-pod-autoscale.md,
// tasks/run-application/horizontal-pod-autoscale-walkthrough.md, k8s-facts.md §5 and §16,
// pkg/controller/podautoscaler/horizontal.go. Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';

const SEED = 1;
const CPU_TARGET = 'cpu resource utilization (percentage of request)';


/** The walkthrough's php-apache as a ReplicaSet: 200m cpu request, a CPU curve per pod. */
function phpApache(replicas: number, cpu: Array<[number, number]>, opts: { kind?: string; request?: boolean } = {}): KubeObject {
  const resources = opts.request === false ? {} : { requests: { cpu: '200m' }, limits: { cpu: '500m' } };
  return {
    apiVersion: 'apps/v1', kind: opts.kind ?? 'ReplicaSet', metadata: { name: 'php-apache' },
    spec: {
      replicas, selector: { matchLabels: { run: 'php-apache' } },
      ...(opts.kind === 'StatefulSet' ? { serviceName: 'php-apache' } : {}),
      template: {
        metadata: { labels: { run: 'php-apache' }, annotations: { 'kubesim.io/behavior': JSON.stringify({ cpu }) } },
        spec: { containers: [{ name: 'php-apache', image: 'registry.k8s.io/hpa-example', resources }] },
      },
    },
  };
}

function hpa(opts: { kind?: string; name?: string; min?: number; max?: number; target?: number; behavior?: object } = {}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'php-apache' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: opts.kind ?? 'ReplicaSet', name: opts.name ?? 'php-apache' },
      minReplicas: opts.min ?? 1, maxReplicas: opts.max ?? 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: opts.target ?? 50 } } }],
      ...(opts.behavior ? { behavior: opts.behavior } : {}),
    },
  };
}

async function cluster(): Promise<Cluster> {
  const c = await createCluster({ seed: SEED });
  return c;
}

function hpaEvents(c: Cluster, reason?: string): string[] {
  return c.events().filter((e) => e.source?.component === 'horizontal-pod-autoscaler' && (!reason || e.reason === reason)).map((e) => e.message);
}

function condition(h: KubeObject, type: string): { status: string; reason: string; message: string } {
  return h.status.conditions.find((x: any) => x.type === type);
}

function replicas(c: Cluster, kind = 'rs'): number {
  return c.get(kind, 'php-apache').spec.replicas;
}

describe('HorizontalPodAutoscaler (autoscaling/v2, resource metrics)', () => {
  it('scales to ceil(currentReplicas × currentUtilization / targetUtilization) on its first sync, 15 s after creation', async () => {
    const c = await cluster();
    // 2 pods at 150m of a 200m request: 75% against a 50% target → ceil(2 × 1.5) = 3.
    await c.apply(phpApache(2, [[0, 150]]));
    await c.runFor('45s');
    await c.apply(hpa());
    await c.runFor('14s');
    expect(replicas(c)).toBe(2);
    await c.runFor('1s');
    expect(replicas(c)).toBe(3);
    const h = c.get('hpa', 'php-apache');
    expect(h.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } }] });
    expect(h.status.lastScaleTime).toBe(c.time());
    expect(condition(h, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 3' });
    expect(condition(h, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${CPU_TARGET}` });
    expect(hpaEvents(c, 'SuccessfulRescale')).toEqual([`New size: 3; reason: ${CPU_TARGET} above target`]);
  });

  it('the walkthrough: a php-apache Deployment at 200% of its cpu request goes from 1 to 4 replicas', async () => {
    const c = await cluster();
    await c.apply(phpApache(1, [[0, 400]], { kind: 'Deployment' }));
    await c.apply(hpa({ kind: 'Deployment' }));
    await c.runFor('20s');
    expect(c.get('deployment', 'php-apache').spec.replicas).toBe(4);
    // The Deployment controller scales its ReplicaSet; the new pods are Ready before the next sync.
    await c.runFor('10s');
    expect(c.get('deployment', 'php-apache').status.readyReplicas).toBe(4);
    expect(hpaEvents(c, 'SuccessfulRescale')[0]).toBe(`New size: 4; reason: ${CPU_TARGET} above target`);
  });

  it('does not scale while the utilization is within 10% of the target', async () => {
    const c = await cluster();
    // 110m of 200m is 55% against 50%: a ratio of exactly 1.1 is still within the tolerance.
    await c.apply(phpApache(4, [[0, 110]]));
    await c.runFor('45s');
    await c.apply(hpa());
    await c.runFor('2m');
    expect(replicas(c)).toBe(4);
    const h = c.get('hpa', 'php-apache');
    expect(h.status).toMatchObject({ currentReplicas: 4, desiredReplicas: 4, currentMetrics: [{ resource: { current: { averageUtilization: 55 } } }] });
    expect(h.status.lastScaleTime).toBeUndefined();
    expect(condition(h, 'AbleToScale')).toMatchObject({ reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    expect(condition(h, 'ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
    expect(hpaEvents(c, 'SuccessfulRescale')).toEqual([]);
  });

  it('scales down only once the highest recommendation of the last 5 minutes is lower (stabilization window)', async () => {
    const c = await cluster();
    // Each pod runs at 100m (50%, on target) for 2 minutes, then idles at 10m (5%).
    await c.apply(phpApache(4, [[0, 100], [120_000, 100], [121_000, 10]]));
    await c.runFor('20s');
    await c.apply(hpa());
    // Follow every sync: the unstabilized recommendation is what the formula gives for the status's utilization.
    let lastRecommendedFour = -1;
    let firstScaleDown = -1;
    let stabilizedSeen = false;
    for (let i = 0; i < 60 && firstScaleDown < 0; i++) {
      await c.runFor('15s');
      const h = c.get('hpa', 'php-apache');
      const util = h.status.currentMetrics?.[0]?.resource?.current?.averageUtilization;
      if (util === undefined) continue;
      const current = h.status.currentReplicas;
      const ratio = util / 50;
      const recommendation = Math.abs(ratio - 1) <= 0.1 ? current : Math.ceil(current * ratio);
      if (recommendation >= 4) lastRecommendedFour = c.now();
      if (condition(h, 'AbleToScale').reason === 'ScaleDownStabilized') {
        stabilizedSeen = true;
        expect(condition(h, 'AbleToScale').message).toBe('recent recommendations were higher than current one, applying the highest recent recommendation');
      }
      if (replicas(c) < 4) firstScaleDown = c.now();
    }
    expect(stabilizedSeen).toBe(true);
    expect(firstScaleDown - lastRecommendedFour).toBeGreaterThan(300_000);
    expect(firstScaleDown - lastRecommendedFour).toBeLessThanOrEqual(315_000);
    await c.runFor('6m');
    expect(replicas(c)).toBe(1);
    expect(hpaEvents(c, 'SuccessfulRescale').at(-1)).toBe('New size: 1; reason: All metrics below target');
  });

  it('a scaleUp policy of Percent 100 per 15 s at most doubles the replicas each period', async () => {
    const c = await cluster();
    // Every pod at 400m: 200% of its request against 50% (ratio 4).
    await c.apply(phpApache(1, [[0, 400]]));
    await c.runFor('45s');
    await c.apply(hpa({ max: 10, behavior: { scaleUp: { policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } } }));
    let limited = false;
    for (let i = 0; i < 12; i++) {
      await c.runFor('15s');
      const s = condition(c.get('hpa', 'php-apache'), 'ScalingLimited');
      if (s?.reason === 'ScaleUpLimit') {
        limited = true;
        expect(s).toMatchObject({ status: 'True', message: 'the desired replica count is increasing faster than the maximum scale rate' });
      }
    }
    expect(limited).toBe(true);
    const sizes = hpaEvents(c, 'SuccessfulRescale').map((m) => Number(/New size: (\d+)/.exec(m)![1]));
    expect(sizes.at(-1)).toBe(10);
    let previous = 1;
    for (const size of sizes) {
      expect(size).toBeLessThanOrEqual(2 * previous);
      previous = size;
    }
    expect(sizes[0]).toBe(2);
  });

  it('caps at maxReplicas with ScalingLimited TooManyReplicas', async () => {
    const c = await cluster();
    await c.apply(phpApache(2, [[0, 400]]));
    await c.runFor('45s');
    await c.apply(hpa({ max: 3 }));
    await c.runFor('15s');
    expect(replicas(c)).toBe(3);
    const h = c.get('hpa', 'php-apache');
    expect(condition(h, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
  });

  it('holds minReplicas with ScalingLimited TooFewReplicas when the metrics ask for fewer', async () => {
    const c = await cluster();
    await c.apply(phpApache(3, [[0, 10]]));
    await c.runFor('45s');
    await c.apply(hpa({ min: 2, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }));
    await c.runFor('15s');
    expect(replicas(c)).toBe(2);
    const h = c.get('hpa', 'php-apache');
    expect(condition(h, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
    expect(hpaEvents(c, 'SuccessfulRescale')).toEqual(['New size: 2; reason: All metrics below target']);
  });

  it('raises a Deployment or StatefulSet below minReplicas through its scale subresource', async () => {
    for (const kind of ['Deployment', 'StatefulSet']) {
      const c = await cluster();
      await c.apply(phpApache(1, [[0, 10]], { kind }));
      await c.apply(hpa({ kind, min: 3 }));
      await c.runFor('15s');
      expect(c.get(kind.toLowerCase(), 'php-apache').spec.replicas).toBe(3);
      expect(hpaEvents(c, 'SuccessfulRescale')).toEqual(['New size: 3; reason: Current number of replicas below Spec.MinReplicas']);
    }
  });

  it('pods without a cpu request: FailedGetResourceMetric, ScalingActive False and no scaling', async () => {
    const c = await cluster();
    await c.apply(phpApache(2, [[0, 300]], { request: false }));
    await c.runFor('45s');
    await c.apply(hpa());
    await c.runFor('15s');
    expect(replicas(c)).toBe(2);
    const pod = c.list('pods')[0].metadata.name;
    const err = `failed to get cpu utilization: missing request for cpu in container php-apache of Pod ${pod}`;
    const h = c.get('hpa', 'php-apache');
    expect(condition(h, 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${err}` });
    expect(h.status.currentMetrics).toEqual([{ type: '' }]);
    expect(hpaEvents(c, 'FailedGetResourceMetric')).toEqual([err]);
    expect(hpaEvents(c, 'FailedComputeMetricsReplicas')).toEqual([`invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${err}`]);
  });

  it('a missing target: FailedGetScale and AbleToScale False', async () => {
    const c = await cluster();
    await c.apply(hpa({ name: 'nope' }));
    await c.runFor('15s');
    const h = c.get('hpa', 'php-apache');
    expect(condition(h, 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale', message: 'the HPA controller was unable to get the target\'s current scale: replicasets.apps "nope" not found' });
    expect(hpaEvents(c, 'FailedGetScale')).toEqual(['replicasets.apps "nope" not found']);
  });

  it('the same seed gives the same scaling history', async () => {
    const run = async () => {
      const c = await cluster();
      await c.apply(phpApache(1, [[0, 10], [60_000, 10], [61_000, 400], [240_000, 400], [241_000, 10]]));
      await c.apply(hpa());
      await c.runFor('12m');
      return c.events().filter((e) => e.source?.component === 'horizontal-pod-autoscaler').map((e) => `${e.lastTimestamp} ${e.reason} ${e.message}`);
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(1);
    expect(await run()).toEqual(first);
  });
});
