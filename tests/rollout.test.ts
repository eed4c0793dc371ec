// `kubectl rollout status|history|undo|pause|resume|restart` texts and errors, as kubectl prints
// them (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go, history.go,
// rollback.go, objectpauser.go, objectresumer.go, objectrestarter.go; docs
// concepts/workloads/controllers/deployment; k8s-facts §1.5, §1.9).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from 'kubesim';

const setImage = (c: Cluster, image: string, cause?: string) => c.patch('deployment', 'nginx-deployment', {
  ...(cause ? { metadata: { annotations: { 'kubernetes.io/change-cause': cause } } } : {}),
  spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } },
});
const failure = async (p: Promise<string>) => {
  try {
    await p;
  } catch (e) {
    return e as Error & { output?: string };
  }
  throw new Error('expected the command to fail');
};

async function nginx(seed: number): Promise<Cluster> {
  const c = await createCluster({ seed });
  await c.apply('manifests/nginx-deployment.yaml');
  return c;
}

describe('kubectl rollout status', () => {
  it('waits on the virtual clock, printing each state of the rollout, until "successfully rolled out"', async () => {
    const c = await nginx(11);
    const out = (await c.rollout('status', 'deployment/nginx-deployment')).split('\n');
    expect(out.at(-1)).toBe('deployment "nginx-deployment" successfully rolled out');
    expect(out).toContain('Waiting for deployment "nginx-deployment" rollout to finish: 0 of 3 updated replicas are available...');
    setImage(c, 'nginx:1.16.1');
    const lines = [...new Set((await c.rollout('status', 'deploy/nginx-deployment')).split('\n'))];
    expect(lines).toEqual([
      'Waiting for deployment spec update to be observed...',
      // The new ReplicaSet exists before its controller reports its first pod.
      'Waiting for deployment "nginx-deployment" rollout to finish: 0 out of 3 new replicas have been updated...',
      'Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "nginx-deployment" rollout to finish: 2 out of 3 new replicas have been updated...',
      'Waiting for deployment "nginx-deployment" rollout to finish: 1 old replicas are pending termination...',
      'deployment "nginx-deployment" successfully rolled out',
    ]);
    // A finished rollout answers at once, without waiting.
    const t = c.now();
    expect(await c.rollout('status', 'deployment.apps/nginx-deployment')).toBe('deployment "nginx-deployment" successfully rolled out');
    expect(c.now()).toBe(t);
  });

  it('fails with "exceeded its progress deadline" for the mistyped image, and honours --timeout', async () => {
    const c = await nginx(12);
    await c.rollout('status', 'deployment/nginx-deployment');
    setImage(c, 'nginx:1.161');
    const t = c.now();
    const timedOut = await failure(c.rollout('status', 'deployment/nginx-deployment', { timeout: '30s' }));
    expect(timedOut.message).toBe('error: timed out waiting for the condition');
    expect(timedOut.output).toContain('Waiting for deployment "nginx-deployment" rollout to finish: 1 out of 3 new replicas have been updated...');
    expect(c.now() - t).toBe(30_000);
    const stalled = await failure(c.rollout('status', 'deployment/nginx-deployment'));
    expect(stalled.message).toBe('error: deployment "nginx-deployment" exceeded its progress deadline');
    expect((c.now() - t) / 1000).toBeGreaterThan(600);
    expect((c.now() - t) / 1000).toBeLessThan(603);
  });

  it('answers NotFound and unsupported kinds as kubectl does', async () => {
    const c = await nginx(13);
    expect((await failure(c.rollout('status', 'deployment/nope'))).message).toBe('Error from server (NotFound): deployments.apps "nope" not found');
    expect((await failure(c.rollout('status', 'pod/nope'))).message).toBe('error: no status viewer has been implemented for "Pod"');
  });
});

describe('kubectl rollout history and undo', () => {
  it('lists REVISION and CHANGE-CAUSE, shows one revision\'s pod template, and undo goes back to the previous revision', async () => {
    const c = await nginx(14);
    await c.rollout('status', 'deployment/nginx-deployment');
    setImage(c, 'nginx:1.16.1', 'kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1');
    await c.rollout('status', 'deployment/nginx-deployment');
    expect(await c.rollout('history', 'deployment/nginx-deployment')).toBe([
      'deployment.apps/nginx-deployment',
      'REVISION  CHANGE-CAUSE',
      '1         <none>',
      '2         kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1',
    ].join('\n'));
    const rev2 = await c.rollout('history', 'deployment/nginx-deployment', { revision: 2 });
    expect(rev2.split('\n').slice(0, 2)).toEqual(['deployment.apps/nginx-deployment with revision #2', 'Pod Template:']);
    expect(rev2).toMatch(/Labels: +app=nginx\n +pod-template-hash=[a-z0-9]+\n/);
    expect(rev2).toMatch(/Image: +nginx:1\.16\.1/);
    expect((await failure(c.rollout('history', 'deployment/nginx-deployment', { revision: 9 }))).message).toBe('error: unable to find the specified revision');

    expect(await c.rollout('undo', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment rolled back');
    await c.rollout('status', 'deployment/nginx-deployment');
    expect(c.get('deployment', 'nginx-deployment').spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
    expect(await c.rollout('history', 'deployment/nginx-deployment')).toBe([
      'deployment.apps/nginx-deployment',
      'REVISION  CHANGE-CAUSE',
      '2         kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1',
      '3         <none>',
    ].join('\n'));
    expect(await c.rollout('undo', 'deployment/nginx-deployment', { toRevision: 3 })).toBe('deployment.apps/nginx-deployment skipped rollback (current template already matches revision 3)');
    expect((await failure(c.rollout('undo', 'deployment/nginx-deployment', { toRevision: 7 }))).message).toBe('error: unable to find specified revision 7 in history');
  });

  it('undo with a single revision has no history to go back to', async () => {
    const c = await nginx(15);
    await c.rollout('status', 'deployment/nginx-deployment');
    expect((await failure(c.rollout('undo', 'deployment/nginx-deployment'))).message).toBe('error: no rollout history found for deployment "nginx-deployment"');
  });
});

describe('kubectl rollout pause, resume and restart', () => {
  it('prints "paused"/"resumed"/"restarted", refuses what kubectl refuses, and restart rolls out a new ReplicaSet', async () => {
    const c = await nginx(16);
    await c.rollout('status', 'deployment/nginx-deployment');
    expect((await failure(c.rollout('resume', 'deployment/nginx-deployment'))).message).toBe('error: deployments.apps "nginx-deployment" is not paused');
    expect(await c.rollout('pause', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment paused');
    expect((await failure(c.rollout('pause', 'deployment/nginx-deployment'))).message).toBe('error: deployments.apps "nginx-deployment" is already paused');
    expect((await failure(c.rollout('restart', 'deployment/nginx-deployment'))).message).toBe('error: deployments.apps "nginx-deployment" can\'t restart paused deployment (run rollout resume first)');
    expect((await failure(c.rollout('undo', 'deployment/nginx-deployment'))).message).toBe('error: no rollout history found for deployment "nginx-deployment"');
    expect(await c.rollout('resume', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment resumed');
    await c.runFor('5s');
    const before = c.list('pods').map((p) => p.metadata.name);
    expect(await c.rollout('restart', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment restarted');
    expect(c.get('deployment', 'nginx-deployment').spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(c.time());
    await c.rollout('status', 'deployment/nginx-deployment');
    await c.runFor('1m');
    const after = c.list('pods').map((p) => p.metadata.name);
    expect(after).toHaveLength(3);
    expect(after.filter((n) => before.includes(n))).toEqual([]);
  });

  it('rollout status and restart work for StatefulSets and DaemonSets with kubectl\'s messages', async () => {
    // staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go (StatefulSet and DaemonSet viewers)
    const c = await createCluster({ seed: 21 });
    c.create({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
      spec: { replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    });
    c.create({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }] } } },
    });
    const sts = await c.rollout('status', 'statefulset/web');
    expect(sts.split('\n').at(-1)).toMatch(/^statefulset rolling update complete 2 pods at revision web-[a-z0-9]+\.\.\.$/);
    const ds = await c.rollout('status', 'ds/agent');
    expect(ds.split('\n').at(-1)).toBe('daemon set "agent" successfully rolled out');
    expect(await c.rollout('restart', 'statefulset/web')).toBe('statefulset.apps/web restarted');
    const restarted = await c.rollout('status', 'statefulset/web');
    expect(restarted).toMatch(/waiting for statefulset rolling update to complete|Waiting for 1 pods to be ready/);
    await expect(c.rollout('history', 'statefulset/web')).rejects.toThrow('error: no history viewer has been implemented for "StatefulSet.apps"');
  });
});
