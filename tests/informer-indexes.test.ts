// An informer's namespace and owner indexes (client/informer.ts) are made the first time a reader
// asks, from what the cache holds by then, and kept up to date from then on: a controller that
// first asks late must get what one that asked from the start gets.
import { describe, expect, it } from 'vitest';
import { createCluster, Controller, controllerUser, type Informer, type KubeObject } from '../index.ts';

/** A controller that only reads its pod informer when the test asks. */
class Reader extends Controller {
  protected readonly user = controllerUser('reader');
  pods!: Informer;
  protected setup(): void {
    this.pods = this.informer({ kind: { apiVersion: 'v1', kind: 'Pod' }, name: 'pods' });
  }
  protected reconcile(): void {}
}

function pod(namespace: string, name: string, owner?: KubeObject): KubeObject {
  const ownerReferences = owner ? [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name!, uid: owner.metadata.uid! }] : undefined;
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
  };
}

const names = (objs: KubeObject[]): string[] => objs.map((o) => o.metadata.name!);

describe('informer indexes', () => {
  it("answers an owner's dependents and a namespace's objects asked for the first time after the cache filled, and after later changes", async () => {
    let reader: Reader | undefined;
    const c = await createCluster({ seed: 5, nodes: 0, sharedInformers: false, controllers: { 'ttl-after-finished-controller': () => (reader = new Reader()) } });
    for (const ns of ['ns-a', 'ns-b']) c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const cm1 = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-1', namespace: 'ns-a' } });
    const cm2 = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-2', namespace: 'ns-a' } });
    c.create(pod('ns-a', 'a-2', cm1));
    c.create(pod('ns-a', 'a-1', cm1));
    c.create(pod('ns-a', 'a-3', cm2));
    c.create(pod('ns-b', 'b-1'));
    await c.runFor('2s');
    const pods = reader!.pods;
    expect(pods.size).toBe(4);

    // First asked now, with every pod already cached: sorted by name, as they would be from the start.
    expect(names(pods.ownedBy(cm1.metadata.uid!))).toEqual(['a-1', 'a-2']);
    expect(names(pods.ownedBy(cm2.metadata.uid!))).toEqual(['a-3']);
    expect(names(pods.list('ns-a'))).toEqual(['a-1', 'a-2', 'a-3']);
    expect(names(pods.list('ns-b'))).toEqual(['b-1']);

    // Later changes reach both indexes: a deletion, an owner changed, new pods.
    c.delete('pods', 'a-1', { namespace: 'ns-a' });
    c.patch('pods', 'a-3', { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm-1', uid: cm1.metadata.uid }] } }, { namespace: 'ns-a', type: 'merge' });
    c.create(pod('ns-a', 'a-4', cm2));
    c.create(pod('ns-b', 'b-2'));
    await c.runFor('2s');
    expect(names(pods.ownedBy(cm1.metadata.uid!))).toEqual(['a-2', 'a-3']);
    expect(names(pods.ownedBy(cm2.metadata.uid!))).toEqual(['a-4']);
    expect(names(pods.list('ns-a'))).toEqual(['a-2', 'a-3', 'a-4']);
    expect(names(pods.list('ns-b'))).toEqual(['b-1', 'b-2']);
    expect(names(pods.list())).toEqual(['a-2', 'a-3', 'a-4', 'b-1', 'b-2']);
  });
});
