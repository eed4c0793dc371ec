// kube-controller-manager's shared informers (client/shared-informers.ts): one list and watch
// per resource for all its controllers, as upstream's SharedInformerFactory, with each
// controller's handlers, indexes and crashes its own.
import { describe, expect, it } from 'vitest';
import { createCluster, Controller, controllerUser, type Cluster, type KubeObject } from '../index.ts';
import type { Envelope } from '../runtime/index.ts';

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  };
}

/** Pod watch events delivered to each actor while `fn` runs. */
async function podWatchDeliveries(c: Cluster, fn: () => Promise<void>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const sub = c.runtime.deliveries$.subscribe((env: Envelope) => {
    const m = env.message as any;
    if (m.type === 'api.watch' && m.event?.object?.kind === 'Pod') counts.set(env.to, (counts.get(env.to) ?? 0) + 1);
  });
  await fn();
  sub.unsubscribe();
  return counts;
}

/** A controller whose pod handler throws once, on the first pod named `boom-*`; it counts the adds it hears. */
let thrown = false;
class Fragile extends Controller {
  protected readonly user = controllerUser('fragile');
  adds = 0;
  protected setup(): void {
    const pods = this.informer({ kind: { apiVersion: 'v1', kind: 'Pod' }, name: 'pods' });
    pods.addHandlers({
      add: (p) => {
        if (p.metadata.name!.startsWith('boom') && !thrown) {
          thrown = true;
          throw new Error(`cannot handle ${p.metadata.name}`);
        }
        this.adds++;
      },
    });
  }
  protected reconcile(): void {}
}

describe('shared informers', () => {
  it('kube-controller-manager hears each pod event once, however many of its controllers watch pods', async () => {
    const shared = await createCluster({ seed: 2, nodes: 2 });
    const own = await createCluster({ seed: 2, nodes: 2, sharedInformers: false });
    const counts: Array<Map<string, number>> = [];
    for (const c of [shared, own]) {
      counts.push(await podWatchDeliveries(c, async () => {
        c.create(replicaSet('web', 3));
        await c.runUntil((x) => x.list('pods').filter((p) => p.status?.phase === 'Running').length === 3);
      }));
    }
    const kcm = (m: Map<string, number>) => [...m].filter(([to]) => !to.startsWith('node/') && to !== 'kube-scheduler' && to !== 'metrics-server');
    const sharedEvents = kcm(counts[0]);
    expect(sharedEvents.map(([to]) => to)).toEqual(['shared-informers']);
    const perController = kcm(counts[1]);
    expect(perController.length).toBeGreaterThanOrEqual(10);
    expect(perController.reduce((n, [, k]) => n + k, 0)).toBeGreaterThanOrEqual(10 * sharedEvents[0][1] / 2);
    // Same outcome either way.
    expect(shared.list('pods').length).toBe(own.list('pods').length);
  });

  it("a handler that throws crashes its own controller, which rejoins and hears every cached pod again; the others go on", async () => {
    const c = await createCluster({ seed: 3, nodes: 2, controllers: { 'ttl-after-finished-controller': () => new Fragile() } });
    c.create(replicaSet('web', 2));
    await c.runFor('20s');
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'boom-1' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } });
    await c.runFor('1s');
    expect(c.runtime.incarnation('ttl-after-finished-controller')).toBe(2);
    expect(c.runtime.incarnation('shared-informers')).toBe(1);
    expect(c.runtime.incarnation('replicaset-controller')).toBe(1);
    // The restarted controller heard an add per cached pod: the two web pods and boom-1.
    expect((c.runtime.logicOf('ttl-after-finished-controller') as Fragile).adds).toBe(3);
    c.patch('replicaset', 'web', { spec: { replicas: 4 } }, { type: 'merge' });
    await c.runFor('20s');
    expect(c.list('pods', { labelSelector: 'app=web' })).toHaveLength(4);
  });

  it('a crashed shared-informers actor lists and watches again; the controllers keep working', async () => {
    const c = await createCluster({ seed: 4, nodes: 2 });
    c.create(replicaSet('web', 2));
    await c.runFor('20s');
    c.crash('shared-informers');
    await c.runFor('2s');
    expect(c.runtime.incarnation('shared-informers')).toBe(2);
    c.patch('replicaset', 'web', { spec: { replicas: 5 } }, { type: 'merge' });
    c.delete('pod', c.list('pods', { labelSelector: 'app=web' })[0].metadata.name!);
    await c.runFor('30s');
    const pods = c.list('pods', { labelSelector: 'app=web' }).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(5);
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 5, readyReplicas: 5 });
  });
});
