// The Deployment controller end to end, with real kubelets, the scheduler and the ReplicaSet
// controller. Sources: k8s-facts §1 (defaults, naming, sync order, rolling arithmetic, the worked
// trace §1.5, Recreate §1.6, status §1.7, proportional scaling §1.8), §16 (event messages), the
// docs page concepts/workloads/controllers/deployment and pkg/controller/deployment/*.go.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';

const NGINX = 'manifests/nginx-deployment.yaml';
const setImage = (c: Cluster, name: string, image: string, cause?: string) => c.patch('deployment', name, {
  ...(cause ? { metadata: { annotations: { 'kubernetes.io/change-cause': cause } } } : {}),
  spec: { template: { spec: { containers: [{ name: 'nginx', image }] } } },
});
const ownedRS = (c: Cluster, d: string) => {
  const uid = c.get('deployment', d).metadata.uid;
  return c.list('replicasets').filter((rs) => rs.metadata.ownerReferences?.some((r: any) => r.uid === uid));
};
const revisionOf = (o: KubeObject) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];
const cond = (d: KubeObject, type: string) => d.status?.conditions?.find((x: any) => x.type === type);
const scalingEvents = (c: Cluster) => c.timeline().filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
const rolloutState = (c: Cluster, key: string) => (c.snapshot() as any).actors['deployment-controller'].state.rollouts[key]?.state;
const isReady = (p: KubeObject) => (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
const complete = (c: Cluster, name: string) => {
  const d = c.get('deployment', name);
  const r = d.spec.replicas;
  return d.status?.observedGeneration >= (d.metadata.generation ?? 0) && d.status?.updatedReplicas === r && d.status?.replicas === r && d.status?.availableReplicas === r;
};

describe('the documented nginx rollout (k8s-facts §1.5)', () => {
  it('creates nginx-deployment-<hash> and scales old and new ReplicaSets one pod at a time: 3/0 → 3/1 → 2/1 → 2/2 → 1/2 → 1/3 → 0/3', async () => {
    const c = await createCluster({ seed: 1 });
    await c.apply(NGINX);
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    const [old] = ownedRS(c, 'nginx-deployment');
    expect(old.metadata.name).toMatch(/^nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    const hash = old.metadata.labels!['pod-template-hash'];
    expect(old.metadata.name).toBe(`nginx-deployment-${hash}`);
    expect(old.spec.selector.matchLabels).toEqual({ app: 'nginx', 'pod-template-hash': hash });
    expect(old.spec.template.metadata.labels).toEqual({ app: 'nginx', 'pod-template-hash': hash });
    expect(old.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    for (const p of c.list('pods')) expect(p.metadata.name).toMatch(new RegExp(`^${old.metadata.name}-[a-z0-9]{5}$`));

    const sizes: string[] = [];
    const rsSpec = new Map<string, number>();
    c.watch('replicasets', (ev) => {
      rsSpec.set(ev.object.metadata.name!, ev.object.spec.replicas);
      const newName = [...rsSpec.keys()].find((n) => n !== old.metadata.name);
      const s = `${rsSpec.get(old.metadata.name!)}/${newName ? rsSpec.get(newName) : 0}`;
      if (sizes.at(-1) !== s) sizes.push(s);
    });
    setImage(c, 'nginx-deployment', 'nginx:1.16.1');
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '2m' });
    expect(sizes).toEqual(['3/0', '3/1', '2/1', '2/2', '1/2', '1/3', '0/3']);
    const fresh = ownedRS(c, 'nginx-deployment').find((rs) => rs.metadata.uid !== old.metadata.uid)!;
    // Current upstream (sync.go scaleReplicaSet) writes "from A to B"; older releases wrote "to B".
    expect(scalingEvents(c)).toEqual([
      `Scaled up replica set ${old.metadata.name} from 0 to 3`,
      `Scaled up replica set ${fresh.metadata.name} from 0 to 1`,
      `Scaled down replica set ${old.metadata.name} from 3 to 2`,
      `Scaled up replica set ${fresh.metadata.name} from 1 to 2`,
      `Scaled down replica set ${old.metadata.name} from 2 to 1`,
      `Scaled up replica set ${fresh.metadata.name} from 2 to 3`,
      `Scaled down replica set ${old.metadata.name} from 1 to 0`,
    ]);
    const d = c.get('deployment', 'nginx-deployment');
    expect(revisionOf(d)).toBe('2');
    expect(revisionOf(fresh)).toBe('2');
    expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${fresh.metadata.name}" has successfully progressed.` });
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 2 });
    expect(rolloutState(c, 'default/nginx-deployment')).toBe('Complete');
  });
});

describe('a bad image (docs: "Failed Deployment", nginx:1.161)', () => {
  it('stalls with the old pods serving, reports ProgressDeadlineExceeded 600 s after the last progress, and undo restores the old revision', async () => {
    const c = await createCluster({ seed: 2 });
    await c.apply(NGINX);
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    const [old] = ownedRS(c, 'nginx-deployment');
    setImage(c, 'nginx-deployment', 'nginx:1.161');
    // kubectl watches of the pods and the Deployment: the state as each write left it.
    const pods = new Map<string, KubeObject>();
    c.watch('pods', (ev) => (ev.type === 'DELETED' ? pods.delete(ev.object.metadata.name!) : pods.set(ev.object.metadata.name!, ev.object)));
    let progressing: any = cond(c.get('deployment', 'nginx-deployment'), 'Progressing');
    c.watch('deployments', (ev) => { progressing = cond(ev.object, 'Progressing'); });
    const available = () => [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && isReady(p)).length;
    let lastProgress = '';
    const end = c.now() + 11 * 60_000;
    for (;;) {
      expect(c.runtime.step()).toBe(true);
      expect(c.now()).toBeLessThanOrEqual(end);
      // maxUnavailable resolves to 0: the three old pods keep serving throughout.
      expect(available()).toBeGreaterThanOrEqual(3);
      if (progressing?.status === 'False') break;
      lastProgress = progressing.lastUpdateTime;
    }
    await c.runFor(0); // finish the instant: the controller's machine follows the status it wrote
    const elapsed = c.now() - (Date.parse(lastProgress) - c.epoch);
    expect(elapsed).toBeGreaterThan(600_000);
    expect(elapsed).toBeLessThanOrEqual(602_000);
    const d = c.get('deployment', 'nginx-deployment');
    const bad = ownedRS(c, 'nginx-deployment').find((rs) => rs.metadata.uid !== old.metadata.uid)!;
    expect(cond(d, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${bad.metadata.name}" has timed out progressing.` });
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1 });
    expect(available()).toBe(3);
    expect(bad.spec.replicas).toBe(1);
    expect(c.get('replicaset', old.metadata.name!).spec.replicas).toBe(3);
    expect(rolloutState(c, 'default/nginx-deployment')).toBe('ProgressDeadlineExceeded');

    expect(await c.rollout('undo', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment rolled back');
    await c.runUntil((cl) => complete(cl, 'nginx-deployment') && cl.list('pods').length === 3, { timeout: '2m' });
    const after = c.get('deployment', 'nginx-deployment');
    expect(after.spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
    expect(revisionOf(after)).toBe('3');
    expect(revisionOf(c.get('replicaset', old.metadata.name!))).toBe('3');
    expect(c.get('replicaset', old.metadata.name!).metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(c.get('replicaset', bad.metadata.name!).spec.replicas).toBe(0);
    expect(scalingEvents(c).at(-1)).toBe(`Scaled down replica set ${bad.metadata.name} from 1 to 0`);
    expect(cond(after, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });
});

describe('pause, resume, rollback and history', () => {
  it('a paused Deployment starts no rollout for template changes; on resume it rolls out only the latest template', async () => {
    const c = await createCluster({ seed: 3 });
    await c.apply(NGINX);
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    expect(await c.rollout('pause', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment paused');
    setImage(c, 'nginx-deployment', 'nginx:1.16.1');
    await c.runFor('30s');
    setImage(c, 'nginx-deployment', 'nginx:1.25');
    await c.runFor('30s');
    expect(ownedRS(c, 'nginx-deployment')).toHaveLength(1);
    expect(cond(c.get('deployment', 'nginx-deployment'), 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    expect(rolloutState(c, 'default/nginx-deployment')).toBe('Paused');
    // Scaling still works while paused.
    c.patch('deployment', 'nginx-deployment', { spec: { replicas: 4 } });
    await c.runFor('30s');
    expect(ownedRS(c, 'nginx-deployment')[0].spec.replicas).toBe(4);

    expect(await c.rollout('resume', 'deployment/nginx-deployment')).toBe('deployment.apps/nginx-deployment resumed');
    await c.runFor('1s');
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '2m' });
    const rss = ownedRS(c, 'nginx-deployment');
    expect(rss).toHaveLength(2);
    expect(rss.map((rs) => rs.spec.template.spec.containers[0].image).sort()).toEqual(['nginx:1.14.2', 'nginx:1.25']);
    expect(c.timeline().some((e) => e.reason === 'ScalingReplicaSet' && e.message.includes('from 0 to'))).toBe(true);
    expect(rolloutState(c, 'default/nginx-deployment')).toBe('Complete');
  });

  it('undo --to-revision=1 brings back revision 1 as revision 4, and history lists every revision with its change-cause', async () => {
    const c = await createCluster({ seed: 4 });
    await c.apply(NGINX);
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    setImage(c, 'nginx-deployment', 'nginx:1.16.1', 'kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1');
    await c.rollout('status', 'deployment/nginx-deployment');
    setImage(c, 'nginx-deployment', 'nginx:1.25', 'kubectl set image deployment/nginx-deployment nginx=nginx:1.25');
    await c.rollout('status', 'deployment/nginx-deployment');
    expect(await c.rollout('undo', 'deployment/nginx-deployment', { toRevision: 1 })).toBe('deployment.apps/nginx-deployment rolled back');
    await c.rollout('status', 'deployment/nginx-deployment');
    const d = c.get('deployment', 'nginx-deployment');
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
    expect(revisionOf(d)).toBe('4');
    expect(await c.rollout('history', 'deployment/nginx-deployment')).toBe([
      'deployment.apps/nginx-deployment',
      'REVISION  CHANGE-CAUSE',
      '2         kubectl set image deployment/nginx-deployment nginx=nginx:1.16.1',
      '3         kubectl set image deployment/nginx-deployment nginx=nginx:1.25',
      '4         <none>',
    ].join('\n'));
  });

  it('the deprecated rollbackTo request makes the controller roll back and record DeploymentRollback', async () => {
    // rollback.go: "Rolled back deployment %q to revision %d"; kubectl's undo is client-side and records none.
    const c = await createCluster({ seed: 5 });
    await c.apply(NGINX);
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    setImage(c, 'nginx-deployment', 'nginx:1.16.1');
    await c.rollout('status', 'deployment/nginx-deployment');
    c.patch('deployment', 'nginx-deployment', { metadata: { annotations: { 'deprecated.deployment.rollback.to': '0' } } });
    await c.runFor('1s'); // let the controller see the request before asking for the rollout's status
    await c.rollout('status', 'deployment/nginx-deployment');
    const d = c.get('deployment', 'nginx-deployment');
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
    expect(d.metadata.annotations!['deprecated.deployment.rollback.to']).toBeUndefined();
    expect(c.timeline().filter((e) => e.reason === 'DeploymentRollback').map((e) => e.message)).toEqual(['Rolled back deployment "nginx-deployment" to revision 1']);
  });

  it('revisionHistoryLimit: 2 keeps the new ReplicaSet and the two newest old ones, deleting older empty ones', async () => {
    const c = await createCluster({ seed: 6 });
    await c.apply(NGINX);
    c.patch('deployment', 'nginx-deployment', { spec: { revisionHistoryLimit: 2 } });
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    for (const tag of ['1.16.1', '1.25', '1.26', '1.27']) {
      setImage(c, 'nginx-deployment', `nginx:${tag}`);
      await c.rollout('status', 'deployment/nginx-deployment');
    }
    await c.runFor('10s');
    const rss = ownedRS(c, 'nginx-deployment');
    expect(rss.map(revisionOf).sort()).toEqual(['3', '4', '5']);
    expect(rss.find((rs) => revisionOf(rs) === '5')!.spec.template.spec.containers[0].image).toBe('nginx:1.27');
  });
});

describe('scaling mid-rollout and Recreate', () => {
  it('proportional scaling: 10 replicas (maxSurge 3, maxUnavailable 2) stuck at old 8 / new 5, scaled to 15, become 11 and 7 (docs)', async () => {
    const c = await createCluster({ seed: 7, nodeCpu: '16' });
    c.create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 10, selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] } },
      },
    });
    await c.runUntil((cl) => complete(cl, 'web'), { timeout: '2m' });
    const [old] = ownedRS(c, 'web');
    setImage(c, 'web', 'nginx:sometag');
    await c.runFor('1m');
    const fresh = () => ownedRS(c, 'web').find((rs) => rs.metadata.uid !== old.metadata.uid)!;
    expect([c.get('replicaset', old.metadata.name!).spec.replicas, fresh().spec.replicas]).toEqual([8, 5]);
    c.patch('deployment', 'web', { spec: { replicas: 15 } });
    await c.runFor('10s');
    expect([c.get('replicaset', old.metadata.name!).spec.replicas, fresh().spec.replicas]).toEqual([11, 7]);
    expect(scalingEvents(c).slice(-2)).toEqual([
      `Scaled up replica set ${old.metadata.name} from 8 to 11`,
      `Scaled up replica set ${fresh().metadata.name} from 5 to 7`,
    ]);
    expect(fresh().metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '15', 'deployment.kubernetes.io/max-replicas': '18' });
  });

  it('Recreate never runs an old and a new pod at the same time, checked at every step', async () => {
    const c = await createCluster({ seed: 8 });
    await c.apply(NGINX);
    c.patch('deployment', 'nginx-deployment', { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } });
    await c.runUntil((cl) => complete(cl, 'nginx-deployment'), { timeout: '1m' });
    const pods = new Map<string, KubeObject>();
    c.watch('pods', (ev) => (ev.type === 'DELETED' ? pods.delete(ev.object.metadata.name!) : pods.set(ev.object.metadata.name!, ev.object)));
    setImage(c, 'nginx-deployment', 'nginx:1.16.1');
    const image = (img: string) => [...pods.values()].filter((p) => p.spec.containers[0].image === img && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const end = c.now() + 3 * 60_000;
    let sawTerminating = false;
    while (!(image('nginx:1.16.1').filter(isReady).length === 3 && image('nginx:1.14.2').length === 0)) {
      expect(c.runtime.step()).toBe(true);
      expect(c.now()).toBeLessThanOrEqual(end);
      if (image('nginx:1.14.2').some((p) => p.metadata.deletionTimestamp)) sawTerminating = true;
      if (image('nginx:1.14.2').length > 0) expect(image('nginx:1.16.1')).toHaveLength(0);
    }
    expect(sawTerminating).toBe(true);
    const names = ownedRS(c, 'nginx-deployment').map((rs) => rs.metadata.name);
    expect(scalingEvents(c).slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^Scaled down replica set (${names.join('|')}) from 3 to 0$`)),
      expect.stringMatching(new RegExp(`^Scaled up replica set (${names.join('|')}) from 0 to 3$`)),
    ]);
  });
});
