// Idle heartbeats stand: a settled cluster's kubelets do not write their Lease every 10 s nor
// their unchanged NodeStatus every 5 min; one standing stream per heartbeat stands for those
// writes, and every observer sees what the writes would have shown (api/heartbeats.ts).
// Each test runs the same cluster twice — standing (the default) and with a write per period
// (standingHeartbeats: false, as the model checker runs it) — and compares what users see.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../index.ts';

const NODES = ['node-1', 'node-2', 'node-3'];

async function both(): Promise<[Cluster, Cluster]> {
  return [await createCluster({ seed: 4, nodes: 3 }), await createCluster({ seed: 4, nodes: 3, standingHeartbeats: false })];
}

/** What `kubectl get lease` and `kubectl get node -o yaml` show of the heartbeats. */
function heartbeats(c: Cluster): unknown {
  return NODES.map((n) => ({
    renewTime: c.get('lease', n, 'kube-node-lease').spec.renewTime,
    conditions: c.get('node', n).status.conditions.map((x: any) => [x.type, x.status, x.lastHeartbeatTime, x.lastTransitionTime]),
  }));
}

function readyStatus(c: Cluster, node: string): string {
  return c.get('node', node).status.conditions.find((x: any) => x.type === 'Ready').status;
}

describe('standing heartbeats', () => {
  it('a Lease or Node read at any instant shows the last renewal and report, as a write per period would', async () => {
    const [standing, eager] = await both();
    for (const at of ['2m', '3.7s', '5m13s', '47m', '1h2m9s']) {
      await standing.runFor(at);
      await eager.runFor(at);
      expect(heartbeats(standing)).toEqual(heartbeats(eager));
    }
    const renew = Date.parse(standing.get('lease', 'node-1', 'kube-node-lease').spec.renewTime);
    expect(Date.parse(standing.time()) - renew).toBeLessThan(10_000);
  });

  it('a settled hour writes nothing to the API and costs thousands of runtime steps less', async () => {
    const [standing, eager] = await both();
    // After the boot's Events have expired (an hour after they were written): nothing else changes.
    await standing.runFor('65m');
    await eager.runFor('65m');
    const [s0, e0] = [standing.runtime.steps, eager.runtime.steps];
    const [rv0, erv0] = [standing.apiServer.resourceVersion, eager.apiServer.resourceVersion];
    await standing.runFor('1h');
    await eager.runFor('1h');
    expect(standing.apiServer.resourceVersion).toBe(rv0);
    // Per node and hour: 360 renewals and 12 reports, each written and watched.
    expect(eager.apiServer.resourceVersion - erv0).toBeGreaterThanOrEqual(3 * 372);
    // Each of them is at least a timer, a request and a response.
    expect((eager.runtime.steps - e0) - (standing.runtime.steps - s0)).toBeGreaterThanOrEqual(3 * 3 * 372);
    expect(standing.apiServer.standingHeartbeats).toBe(6);
  });

  it('a powered-off node goes Unknown and has its pods evicted at the same instants', async () => {
    const times: number[][] = [];
    for (const c of await both()) {
      c.create({
        apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
      });
      await c.runFor('4m37s');
      const victim = c.list('pods').find((p) => p.spec.nodeName === 'node-2')!.metadata.name!;
      c.powerOff('node-2');
      const off = c.now();
      await c.runUntil(() => readyStatus(c, 'node-2') === 'Unknown', { timeout: '5m' });
      const unknown = c.now() - off;
      await c.runUntil(() => c.find('pod', victim)?.metadata.deletionTimestamp !== undefined, { timeout: '10m' });
      times.push([unknown, c.now() - off]);
    }
    expect(times[0]).toEqual(times[1]);
    // The last renewal before the power-off, plus the 50 s grace, on the 5 s monitor period.
    expect(times[0][0]).toBeGreaterThan(40_000);
    expect(times[0][0]).toBeLessThanOrEqual(60_000);
  });

  it('a partition ends every standing stream: the node goes Unknown and comes back at the same instants', async () => {
    const times: number[][] = [];
    for (const c of await both()) {
      await c.runFor('3m21s');
      c.partition('node-1');
      const cut = c.now();
      await c.runFor(0);
      expect(c.apiServer.standingHeartbeats).toBe(0);
      await c.runUntil(() => readyStatus(c, 'node-1') === 'Unknown', { timeout: '5m' });
      const unknown = c.now() - cut;
      c.heal('node-1');
      const healed = c.now();
      await c.runUntil(() => readyStatus(c, 'node-1') === 'True', { timeout: '5m' });
      times.push([unknown, c.now() - healed]);
      await c.runFor('1m');
      expect(c.apiServer.standingHeartbeats).toBe(times.length === 1 ? 6 : 0);
    }
    expect(times[0]).toEqual(times[1]);
  });

  it('a deleted Lease is recreated at the next renewal, and a labelled Node keeps its heartbeats, as with a write per period', async () => {
    const seen: unknown[] = [];
    for (const c of await both()) {
      await c.runFor('2m3s');
      c.delete('lease', 'node-2', { namespace: 'kube-node-lease' });
      c.patch('node', 'node-3', { metadata: { labels: { tier: 'gold' } } }, { type: 'merge' });
      const gone = c.now();
      await c.runUntil((x) => x.find('lease', 'node-2', 'kube-node-lease') !== undefined, { timeout: '1m' });
      const back = c.now() - gone;
      await c.runFor('6m');
      seen.push([back, heartbeats(c), c.get('node', 'node-3').metadata.labels?.tier]);
    }
    expect(seen[0]).toEqual(seen[1]);
    expect((seen[0] as number[])[0]).toBeLessThanOrEqual(10_000);
  });

  it('a crashed kube-apiserver ends the streams (written up to the crash); after its restart they stand again', async () => {
    const [standing, eager] = await both();
    for (const c of [standing, eager]) {
      await c.runFor('3m7s');
      c.crash('kube-apiserver');
      await c.runFor('2m');
    }
    expect(heartbeats(standing)).toEqual(heartbeats(eager));
    expect(standing.apiServer.standingHeartbeats).toBe(6);
  });

  it('a watch on Leases gets a MODIFIED event per renewal; when it ends the heartbeats stand again', async () => {
    const [standing] = await both();
    await standing.runFor('1m');
    expect(standing.apiServer.standingHeartbeats).toBe(6);
    const renewals: string[] = [];
    const stop = standing.watch('leases', (ev) => {
      if (ev.type === 'MODIFIED') renewals.push(`${ev.object.metadata.name} ${ev.object.spec.renewTime}`);
    }, { namespace: 'kube-node-lease' });
    expect(standing.apiServer.standingHeartbeats).toBe(3);
    await standing.runFor('1m');
    expect(renewals.length).toBe(18);
    expect(new Set(renewals).size).toBe(18);
    stop();
    await standing.runFor('30s');
    expect(standing.apiServer.standingHeartbeats).toBe(6);
  });

  it('a broken container runtime is reported at the next 10 s status check, as with a check per period', async () => {
    const seen: Array<[string, string]> = [];
    for (const c of await both()) {
      await c.runFor('7m3s');
      c.breakContainerRuntime('node-3');
      const at = c.now();
      await c.runUntil(() => readyStatus(c, 'node-3') === 'False', { timeout: '1m' });
      const ready = c.get('node', 'node-3').status.conditions.find((x: any) => x.type === 'Ready');
      seen.push([String(c.now() - at), `${ready.reason} ${ready.lastTransitionTime}`]);
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(Number(seen[0][0])).toBeLessThanOrEqual(10_000);
  });
});
