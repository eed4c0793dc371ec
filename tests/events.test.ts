// core/v1 Events as a controller records them through client-go's EventCorrelator: identical
// events update one Event's count, alike events with ten different messages are combined, and
// each source and object may write 25 events, then one every 5 minutes.
import { describe, expect, it } from 'vitest';
import { ApiClient, EventRecorder, createCluster, type Cluster, type KubeObject } from 'kubesim';
import type { runtime } from 'kubesim';

/**
 * Spawns an actor 'demo' with a demo controller's recorder: `atStart` records as it starts, and
 * `onRecord` on every { type: 'record' } message sent to it. Its client hears the answers.
 */
function recorderActor(c: Cluster, hooks: { atStart?: (recorder: EventRecorder) => void; onRecord?: (recorder: EventRecorder, message: Record<string, unknown>) => void }): void {
  let client!: ApiClient;
  let recorder!: EventRecorder;
  const logic: runtime.ActorLogic = {
    start: (ctx) => {
      client = new ApiClient(ctx, { username: 'system:serviceaccount:kube-system:demo', groups: [] });
      recorder = new EventRecorder(client, ctx.now, { component: 'demo-controller' }, ctx.random('events'));
      hooks.atStart?.(recorder);
    },
    receive: (env) => {
      client.handle(env);
      if (env.message.type === 'record') hooks.onRecord?.(recorder, env.message);
    },
  };
  c.runtime.spawn({ id: 'demo', start: () => logic });
}

function recordAtStart(c: Cluster, record: (recorder: EventRecorder) => void): void {
  recorderActor(c, { atStart: record });
}

describe('events', () => {
  it('the same event recorded again, minutes later, updates the one Event: count, lastTimestamp and message', async () => {
    const c = await createCluster({ seed: 2, nodes: 0 });
    const target = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    recorderActor(c, { onRecord: (r) => r.event(target as KubeObject, 'Warning', 'BackOff', 'Back-off restarting failed container') });
    // The logger keeps no time limit (an LRU of 4,096): 11 minutes later it is still the same Event.
    for (const at of [0, 10_000, 70_000, 730_000]) c.runtime.send('test', 'demo', { type: 'record' }, { delay: at });
    await c.runFor('13m');
    const events = c.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Warning', reason: 'BackOff', count: 4, message: 'Back-off restarting failed container',
      firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:12:10Z',
      involvedObject: { kind: 'ConfigMap', name: 'cfg', namespace: 'default' },
      source: { component: 'demo-controller' },
    });
    // client-go names it `<object>.<UnixNano in hex>`: the nanoseconds of the first occurrence.
    expect(events[0].metadata.name).toMatch(/^cfg\.[0-9a-f]{16}$/);
    const ns = BigInt(`0x${events[0].metadata.name!.slice('cfg.'.length)}`);
    expect(Number(ns / 1_000_000n)).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('the recorder creates Events in the background, as the broadcaster does: no answer comes back to the recording actor', async () => {
    const c = await createCluster({ seed: 2, nodes: 0, trace: true });
    const target = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    recordAtStart(c, (recorder) => {
      recorder.event(target as KubeObject, 'Normal', 'Synced', 'first');
      recorder.event(target as KubeObject, 'Normal', 'Synced', 'second');
    });
    await c.runFor('1s');
    expect(c.events().map((e) => [e.message, e.count]).sort()).toEqual([['first', 1], ['second', 1]]);
    const answers = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.kind === 'deliver' && r.to === 'demo');
    expect(answers).toEqual([]);
  });

  it('alike events with ten different messages are combined: nine Events, then one "(combined from similar events)" that counts the rest', async () => {
    const c = await createCluster({ seed: 2, nodes: 0 });
    const rs = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } });
    recordAtStart(c, (recorder) => {
      for (let i = 0; i < 12; i++) recorder.event(rs as KubeObject, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`);
    });
    await c.runFor('1s');
    const events = c.events().map((e) => `${e.message} x${e.count}`).sort();
    expect(events).toEqual([
      '(combined from similar events): Created pod: web-11 x3',
      ...Array.from({ length: 9 }, (_, i) => `Created pod: web-${i} x1`),
    ].sort());
  });

  it('each source and object writes 25 events, then one every 5 minutes; the one that gets through carries the whole count', async () => {
    const c = await createCluster({ seed: 2, nodes: 0 });
    const target = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    recorderActor(c, {
      // 26 events of different reasons (not alike): the 26th finds no token.
      atStart: (r) => { for (let i = 0; i < 26; i++) r.event(target as KubeObject, 'Normal', `Reason${i}`, 'happened'); },
      onRecord: (r) => r.event(target as KubeObject, 'Normal', 'Reason25', 'happened'),
    });
    await c.runFor('1m');
    expect(c.events()).toHaveLength(25);
    expect(c.events().some((e) => e.reason === 'Reason25')).toBe(false);
    // A token after 5 minutes: the count update finds no Event (404) and creates it, with count 2.
    c.runtime.send('test', 'demo', { type: 'record' }, { delay: 300_000 - c.now() });
    await c.runFor('5m');
    expect(c.events()).toHaveLength(26);
    expect(c.events().find((e) => e.reason === 'Reason25')).toMatchObject({ count: 2, firstTimestamp: '2025-01-01T00:00:00Z', lastTimestamp: '2025-01-01T00:05:00Z' });
  });

  it('events that differ in object, container, type, reason or message are not aggregated', async () => {
    // getEventKey: every field of the identity counts; only identical events share an Event.
    const c = await createCluster({ seed: 2, nodes: 0 });
    const a = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    recordAtStart(c, (recorder) => {
      recorder.event(a as KubeObject, 'Normal', 'Synced', 'done');
      recorder.event(b as KubeObject, 'Normal', 'Synced', 'done');
      recorder.event(a as KubeObject, 'Normal', 'Synced', 'done', 'spec.containers{web}');
      recorder.event(a as KubeObject, 'Warning', 'Synced', 'done');
      recorder.event(a as KubeObject, 'Normal', 'Resynced', 'done');
      recorder.event(a as KubeObject, 'Normal', 'Synced', 'done again');
      recorder.event(a as KubeObject, 'Normal', 'Synced', 'done');
    });
    await c.runFor('1s');
    const seen = c.events().map((e) => `${e.involvedObject.name} ${e.involvedObject.fieldPath ?? '-'} ${e.type} ${e.reason} ${e.message} x${e.count}`).sort();
    expect(seen).toEqual([
      'a - Normal Resynced done x1', 'a - Normal Synced done again x1', 'a - Normal Synced done x2', 'a - Warning Synced done x1',
      'a spec.containers{web} Normal Synced done x1', 'b - Normal Synced done x1',
    ]);
  });

  it('Events expire an hour after their last write (--event-ttl 1h, on etcd leases reused for a minute), and watchers see them go', async () => {
    const c = await createCluster({ seed: 2, nodes: 0 });
    const target = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    recorderActor(c, { onRecord: (r, m) => r.event(target as KubeObject, 'Normal', m.reason as string, 'happened') });
    const deleted: Array<[string, number]> = [];
    c.watch('events', (ev, cl) => { if (ev.type === 'DELETED') deleted.push([ev.object.reason, cl.now()]); });
    // A at 0 and again at 10 min (its lease is then the one granted at 10 min); B at 30 min.
    for (const [reason, at] of [['A', 0], ['A', 600_000], ['B', 1_800_000]] as const) c.runtime.send('test', 'demo', { type: 'record', reason }, { delay: at });
    await c.runFor('70m');
    expect(c.events().map((e) => `${e.reason} x${e.count}`).sort()).toEqual(['A x2', 'B x1']);
    await c.runFor('1m');
    // 10 min + 1 h + the lease's extra minute.
    expect(c.events().map((e) => e.reason)).toEqual(['B']);
    await c.runFor('30m');
    expect(c.events()).toEqual([]);
    expect(deleted).toEqual([['A', 71 * 60_000], ['B', 91 * 60_000]]);
  });

  it('a request without a user is 401 Unauthorized', async () => {
    const c = await createCluster({ nodes: 0 });
    let status: number | undefined;
    const logic: runtime.ActorLogic = {
      start: (ctx) => {
        const client = new ApiClient(ctx, { username: '', groups: [] });
        (logic as any).client = client;
        client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, 'default', 'x', (r) => { status = r.ok ? 200 : r.status.code; });
      },
      receive: (env) => { (logic as any).client.handle(env); },
    };
    c.runtime.spawn({ id: 'anonymous', start: () => logic });
    await c.runFor('1s');
    expect(status).toBe(401);
  });
});
