// A synthetic cluster map in the inspector's model format, for the scale bench and test: no
// simulation can run 150,000 real pods in a test, but the page's map must draw them.
import { POD_STATUS, type ClusterModel, type NodeView } from './model.ts';
import { PROTOCOL, type ServerMessage } from './protocol.ts';

/** `nodes` nodes in three zones, `pods` pods spread over them (a few Pending, some not Ready). */
export function syntheticModel(nodes = 5_000, pods = 150_000): ClusterModel {
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  const nodeViews: NodeView[] = [];
  for (let i = 0; i < nodes; i++) {
    const ready = i % 997 === 13 ? 'Unknown' : 'True';
    nodeViews.push({
      name: `node-${i + 1}`, zone: zones[i % zones.length], ready, conditions: ready === 'True' ? [] : ['Ready=Unknown'],
      cordoned: i % 503 === 7, taints: ready === 'True' ? [] : ['node.kubernetes.io/unreachable:NoExecute'],
      alloc: { cpu: 16_000, memory: 64 * 2 ** 30, pods: 110 }, used: { cpu: 0, memory: 0, pods: 0 },
    });
  }
  const model: ClusterModel = { t: 0, nodes: nodeViews, pods: { keys: [], node: [], status: [] }, services: [], volumes: [] };
  const code = (s: typeof POD_STATUS[number]) => POD_STATUS.indexOf(s);
  const pending = Math.min(300, Math.floor(pods / 500));
  for (let i = 0; i < pods; i++) {
    const ns = `team-${i % 40}`;
    model.pods.keys.push(`${ns}/app-${Math.floor(i / 7)}-${(i * 2654435761 >>> 0).toString(36).slice(0, 5)}`);
    if (i < pending) {
      model.pods.node.push(-1);
      model.pods.status.push(code('Pending'));
      continue;
    }
    const node = i % nodes;
    model.pods.node.push(node);
    const r = (i * 7919) % 1000;
    const status = nodeViews[node].ready !== 'True' ? 'Terminating' : r < 6 ? 'CrashLoopBackOff' : r < 20 ? 'NotReady' : r < 30 ? 'ContainerCreating' : r < 35 ? 'Succeeded' : r < 38 ? 'Failed' : 'Running';
    model.pods.status.push(code(status));
    const u = nodeViews[node].used;
    u.cpu += 250 + (r % 4) * 100;
    u.memory += (256 + (r % 3) * 256) * 2 ** 20;
    u.pods++;
  }
  for (let i = 0; i < 200; i++) model.services.push({ key: `team-${i % 40}/svc-${i}`, type: i % 10 ? 'ClusterIP' : 'LoadBalancer', clusterIP: `10.96.${i >> 8}.${i & 255}`, selector: `app=app-${i}`, ports: '80/TCP' });
  for (let i = 0; i < 100; i++) model.volumes.push({ key: `team-${i % 40}/data-${i}`, kind: 'PersistentVolumeClaim', phase: 'Bound', capacity: '10Gi', bound: `pvc-${i}` });
  return model;
}

/** The protocol messages of a static snapshot: what the bench and the scale test serve. */
export function syntheticMessages(nodes?: number, pods?: number): ServerMessage[] {
  return [
    { type: 'hello', protocol: PROTOCOL, mode: 'replay', source: `synthetic ${nodes ?? 5000} nodes`, epoch: Date.parse('2025-01-01T00:00:00Z'), controls: false },
    { type: 'model', t: 0, model: syntheticModel(nodes, pods) },
  ];
}
