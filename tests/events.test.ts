// core/v1 Events as a controller records them through client-go's EventCorrelator: identical
// events update one Event's count, alike events with ten different messages are combined, and
// each source and object may write 25 events, then one every 5 minutes. events.k8s.io/v1 serves the
// same Events under its own field names.
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

  it('the logger forgets the least recently used of 4,096 events: a repeat after 4,096 others is a new Event, one after a hit is not', async () => {
    const c = await createCluster({ seed: 2, nodes: 0 });
    const target = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } }) as KubeObject;
    // Each of the others is about an object of its own (no spam filter) with a reason of its own (no aggregation).
    let next = 0;
    const others = (r: EventRecorder, n: number) => {
      for (let i = 0; i < n; i++, next++) r.event({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `o-${next}`, namespace: 'default', uid: `u-${next}` } }, 'Normal', `R${next}`, 'other');
    };
    const repeat = (r: EventRecorder) => r.event(target, 'Normal', 'Synced', 'synced');
    recordAtStart(c, (r) => {
      repeat(r);
      others(r, 4095);
      repeat(r); // still cached: the count goes to 2, and it becomes the most recently used
      others(r, 4095);
      repeat(r); // 4,095 newer ones: still cached, count 3
      others(r, 4096);
      repeat(r); // evicted: a new Event
    });
    await c.runFor('1s');
    const synced = c.events().filter((e) => e.reason === 'Synced');
    expect(synced.map((e) => e.count)).toEqual([3, 1]);
    expect(synced[0].metadata.name).not.toBe(synced[1].metadata.name);
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

describe('a request delivered twice', () => {
  // A duplicating network fault delivers one request twice, as a client retrying a POST would
  // send it again: the second create of the same Event is 409 AlreadyExists, as upstream answers.
  // Recorders hand their Event bodies over to the server, which keeps them frozen: the second
  // delivery is served from a copy, not refused with an internal error.
  it('a second create of a handed-over Event is AlreadyExists, and a cluster whose Event creates and status writes all arrive twice runs as without', async () => {
    const c = await createCluster({ nodes: 1, seed: 1, trace: true });
    c.runtime.addFaultHook((env) => {
      const m = env.message as { type: string; request?: { kind?: string; verb?: string; subresource?: string } };
      if (m.type !== 'api.request') return undefined;
      return m.request?.kind === 'Event' || m.request?.subresource === 'status' ? { action: 'duplicate' } : undefined;
    });
    let client!: ApiClient;
    c.runtime.spawn({
      id: 'demo',
      start: () => ({
        start: (ctx) => {
          client = new ApiClient(ctx, { username: 'system:serviceaccount:kube-system:demo', groups: [] });
          const ref = { kind: 'Pod', namespace: 'default', name: 'web', apiVersion: 'v1' };
          client.request({
            verb: 'create', apiVersion: 'v1', kind: 'Event', namespace: 'default', transfer: true,
            body: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.1', namespace: 'default' }, involvedObject: ref, reason: 'Demo', message: 'once', type: 'Normal', source: { component: 'demo' }, count: 1 },
          });
        },
        receive: (env) => {
          client.handle(env);
        },
      }),
    });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } });
    await c.runFor('20s');
    const records = c.traceLines().map((l) => JSON.parse(l));
    const answers = records.filter((r) => r.kind === 'deliver' && r.to === 'demo' && r.msg.type === 'api.response').map((r) => r.msg.result);
    expect(answers.map((a) => (a.ok ? 'ok' : `${a.status.code} ${a.status.reason}`))).toEqual(['ok', '409 AlreadyExists']);
    expect(records.filter((r) => r.what === 'internal-error')).toEqual([]);
    const pod = c.get('pods', 'web');
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.conditions.find((x: { type: string }) => x.type === 'Ready').status).toBe('True');
    // One Event each, as without the fault.
    const about = c.list('events', { namespace: 'default' }).filter((e) => e.involvedObject.name === 'web');
    expect(about.map((e) => `${e.reason} ${e.count ?? 1}`).sort()).toEqual(['Created 1', 'Demo 1', 'Pulled 1', 'Pulling 1', 'Scheduled 1', 'Started 1']);
  });
});

describe('event names', () => {
  it('a recorder\'s Events sort by name in the order it recorded them, even within one virtual millisecond', async () => {
    // `<object>.<UnixNano in hex>`: the kubelet records Starting, three conditions, NodeAllocatableEnforced
    // and NodeReady as it registers, all at once; kubectl get events lists them by name, in that order.
    const c = await createCluster({ nodes: 1, seed: 3 });
    await c.runFor('1s');
    const byName = c.list('events', { namespace: 'default' }).filter((e) => e.source?.component === 'kubelet' && e.involvedObject.kind === 'Node')
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    expect(byName.map((e) => e.reason)).toEqual(['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeAllocatableEnforced', 'NodeReady']);
    expect(new Set(byName.map((e) => e.lastTimestamp)).size).toBe(1);
    for (const e of byName) expect(e.metadata.name).toMatch(/^node-1\.[0-9a-f]{16}$/);
    // The hex is the event's Unix time in nanoseconds: its seconds are the lastTimestamp's.
    for (const e of byName) expect(BigInt(`0x${e.metadata.name!.split('.')[1]}`) / 1_000_000_000n).toBe(BigInt(Date.parse(e.lastTimestamp) / 1000));
  });
});

describe('events.k8s.io/v1: the same Events, another version', () => {
  // pkg/apis/events/v1/conversion.go: regarding/involvedObject, note/message,
  // reportingController/reportingComponent, deprecatedSource, deprecatedCount, deprecated*Timestamp.
  it('a kubelet\'s core/v1 Event reads through events.k8s.io/v1, and a scheduler\'s events.k8s.io Event through core/v1', async () => {
    const c = await createCluster({ nodes: 1, seed: 1 });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } });
    await c.runFor('10s');
    const v1 = c.list('events.events.k8s.io', { namespace: 'default' });
    expect(v1.map((e) => e.metadata.name).sort()).toEqual(c.list('events', { namespace: 'default' }).map((e) => e.metadata.name).sort());
    const started = v1.find((e) => e.reason === 'Started')!;
    expect(started).toMatchObject({
      apiVersion: 'events.k8s.io/v1', kind: 'Event', note: 'Started container nginx', type: 'Normal', eventTime: null,
      regarding: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' }, reportingController: 'kubelet', reportingInstance: 'node-1',
      deprecatedSource: { component: 'kubelet', host: 'node-1' }, deprecatedCount: 1,
    });
    expect(started.message).toBeUndefined();
    expect(started.involvedObject).toBeUndefined();
    // The scheduler writes events.k8s.io/v1; core/v1 shows it with its own names.
    const scheduled = c.list('events', { namespace: 'default' }).find((e) => e.reason === 'Scheduled')!;
    expect(scheduled).toMatchObject({
      apiVersion: 'v1', message: 'Successfully assigned default/web to node-1', involvedObject: { kind: 'Pod', name: 'web' },
      reportingComponent: 'default-scheduler', action: 'Binding', source: {}, firstTimestamp: null, lastTimestamp: null,
    });
    expect(c.get('events.events.k8s.io', scheduled.metadata.name!, 'default')).toMatchObject({ note: scheduled.message, regarding: scheduled.involvedObject });
  });

  it('creates, patches, watches and deletes through events.k8s.io/v1 act on the one stored Event', async () => {
    const c = await createCluster({ nodes: 0, seed: 1 });
    const seen: string[] = [];
    c.watch('events.events.k8s.io', (ev) => seen.push(`${ev.type} ${ev.object.apiVersion} ${ev.object.note}`), { namespace: 'default' });
    c.create({
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'demo.1', namespace: 'default' }, eventTime: '2025-01-01T00:00:00.000000Z',
      reportingController: 'example.com/demo', reportingInstance: 'demo-1', action: 'Reconciling', reason: 'Synced', type: 'Normal',
      regarding: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cm' }, note: 'all good',
    });
    expect(c.get('event', 'demo.1', 'default')).toMatchObject({ message: 'all good', involvedObject: { kind: 'ConfigMap', name: 'cm' }, reportingComponent: 'example.com/demo', source: {} });
    c.patch('events.events.k8s.io', 'demo.1', { note: 'still good', series: { count: 2, lastObservedTime: '2025-01-01T00:00:05.000000Z' } }, { namespace: 'default', type: 'merge' });
    expect(c.get('event', 'demo.1', 'default')).toMatchObject({ message: 'still good', series: { count: 2 } });
    c.patch('events.events.k8s.io', 'demo.1', [{ op: 'replace', path: '/note', value: 'json patched' }], { namespace: 'default', type: 'json' });
    expect(c.list('events', { fieldSelector: 'reason=Synced' }).map((e) => e.message)).toEqual(['json patched']);
    expect(c.list('events.events.k8s.io', { fieldSelector: 'regarding.name=cm' }).map((e) => e.note)).toEqual(['json patched']);
    c.delete('events.events.k8s.io', 'demo.1', { namespace: 'default' });
    await c.runFor('1s');
    expect(c.list('events')).toEqual([]);
    expect(seen).toEqual(['ADDED events.k8s.io/v1 all good', 'MODIFIED events.k8s.io/v1 still good', 'MODIFIED events.k8s.io/v1 json patched', 'DELETED events.k8s.io/v1 json patched']);
  });
});
