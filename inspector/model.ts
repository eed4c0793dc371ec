// The inspector's model: the cluster map (nodes, pods, services, volumes) in a compact, columnar
// form that a canvas draws at 150,000 pods, and the Timeline that rebuilds the map, objects,
// events and actors as they were at any virtual time from the protocol's messages (periodic
// keyframes plus the change log). Pure: shared by the page, the server and the tests.
import type { Decision, MachineGraph, ServerMessage, SlimRecord } from './protocol.ts';
import { compareEvents, eventCount, eventSource, eventTimestamp } from '../api/eventutil.ts';

/** Pod display states, in colour order (index = code in ClusterModel.pods.status). */
export const POD_STATUS = ['Pending', 'ContainerCreating', 'Running', 'NotReady', 'Succeeded', 'Failed', 'CrashLoopBackOff', 'Terminating', 'Unknown'] as const;
export type PodStatusName = typeof POD_STATUS[number];
export const POD_COLOR: Record<PodStatusName, string> = {
  Pending: '#9aa5b1', ContainerCreating: '#5b8def', Running: '#2fa84f', NotReady: '#e5a50a', Succeeded: '#52606d',
  Failed: '#d64545', CrashLoopBackOff: '#f0642f', Terminating: '#9b59b6', Unknown: '#3e4c59',
};

export interface NodeView {
  name: string;
  zone?: string;
  /** Ready condition: True, False or Unknown. */
  ready: string;
  /** Conditions that are not in their healthy state (`MemoryPressure`, `Ready=Unknown`). */
  conditions: string[];
  cordoned: boolean;
  taints: string[];
  /** Allocatable: cpu in millicores, memory in bytes, pods. */
  alloc: { cpu: number; memory: number; pods: number };
  /** Requested by the pods bound to the node. */
  used: { cpu: number; memory: number; pods: number };
}

export interface ServiceView { key: string; type: string; clusterIP: string; selector: string; ports: string }
export interface VolumeView { key: string; kind: 'PersistentVolumeClaim' | 'PersistentVolume'; phase: string; capacity: string; bound: string }

export interface ClusterModel {
  t: number;
  nodes: NodeView[];
  /** Columnar: pod i is `keys[i]` (namespace/name), on node index `node[i]` (-1: not bound), drawn as `POD_STATUS[status[i]]`. */
  pods: { keys: string[]; node: number[]; status: number[] };
  services: ServiceView[];
  volumes: VolumeView[];
}

// ---------------------------------------------------------------------------- quantities

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, m: 1e-3, '': 1,
};

/** A Kubernetes quantity as a number (`500m` → 0.5, `1Gi` → 1073741824). */
export function quantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return 0;
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(q.trim());
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2]] ?? 1);
}

// ---------------------------------------------------------------------------- objects → model

export function objectKey(o: any): string {
  const ns = o.metadata?.namespace;
  return `${o.kind}/${ns ? ns + '/' : ''}${o.metadata?.name ?? ''}`;
}

/** The pod's display state, as kubectl's STATUS column would put it. */
export function podStatus(p: any): PodStatusName {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  const phase = p.status?.phase ?? 'Pending';
  const states = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  if (states.some((s: any) => s.state?.waiting?.reason === 'CrashLoopBackOff')) return 'CrashLoopBackOff';
  if (phase === 'Succeeded') return 'Succeeded';
  if (phase === 'Failed') return 'Failed';
  if (phase === 'Unknown') return 'Unknown';
  if (phase === 'Pending') return p.spec?.nodeName ? 'ContainerCreating' : 'Pending';
  const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  return ready ? 'Running' : 'NotReady';
}

function podRequests(p: any): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of p.spec?.containers ?? []) {
    cpu += quantity(c.resources?.requests?.cpu) * 1000;
    memory += quantity(c.resources?.requests?.memory);
  }
  return { cpu: Math.round(cpu), memory };
}

function nodeView(n: any): NodeView {
  const conds: any[] = n.status?.conditions ?? [];
  const ready = conds.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const conditions = conds.filter((c) => (c.type === 'Ready' ? c.status !== 'True' : c.status !== 'False')).map((c) => `${c.type}=${c.status}`);
  const a = n.status?.allocatable ?? {};
  return {
    name: n.metadata.name, zone: n.metadata.labels?.['topology.kubernetes.io/zone'], ready, conditions,
    cordoned: Boolean(n.spec?.unschedulable),
    taints: (n.spec?.taints ?? []).map((t: any) => `${t.key}${t.value ? '=' + t.value : ''}:${t.effect}`),
    alloc: { cpu: Math.round(quantity(a.cpu) * 1000), memory: quantity(a.memory), pods: quantity(a.pods) },
    used: { cpu: 0, memory: 0, pods: 0 },
  };
}

/** Builds the map from stored objects (Nodes, Pods, Services, PVCs, PVs). */
export function modelFromObjects(objects: Iterable<any>, t: number): ClusterModel {
  const nodes: NodeView[] = [];
  const pods: any[] = [];
  const services: ServiceView[] = [];
  const volumes: VolumeView[] = [];
  for (const o of objects) {
    if (o.kind === 'Node') nodes.push(nodeView(o));
    else if (o.kind === 'Pod') pods.push(o);
    else if (o.kind === 'Service') {
      services.push({
        key: `${o.metadata.namespace}/${o.metadata.name}`, type: o.spec?.type ?? 'ClusterIP', clusterIP: o.spec?.clusterIP ?? '',
        selector: Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
        ports: (o.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
      });
    } else if (o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume') {
      volumes.push({
        key: o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name, kind: o.kind, phase: o.status?.phase ?? '',
        capacity: o.status?.capacity?.storage ?? o.spec?.capacity?.storage ?? o.spec?.resources?.requests?.storage ?? '',
        bound: o.kind === 'PersistentVolume' ? (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '') : o.spec?.volumeName ?? '',
      });
    }
  }
  nodes.sort((a, b) => compareNames(a.name, b.name));
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  pods.sort((a, b) => (podKey(a) < podKey(b) ? -1 : 1));
  const model: ClusterModel = { t, nodes, pods: { keys: [], node: [], status: [] }, services, volumes };
  for (const p of pods) {
    const ni = p.spec?.nodeName ? index.get(p.spec.nodeName) ?? -1 : -1;
    model.pods.keys.push(podKey(p));
    model.pods.node.push(ni);
    model.pods.status.push(POD_STATUS.indexOf(podStatus(p)));
    const phase = p.status?.phase;
    if (ni >= 0 && phase !== 'Succeeded' && phase !== 'Failed') {
      const r = podRequests(p);
      const u = nodes[ni].used;
      u.cpu += r.cpu;
      u.memory += r.memory;
      u.pods += 1;
    }
  }
  return model;
}

function podKey(p: any): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

/** node-2 before node-10. */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Pod indices per node index, and the unbound (Pending) pods. */
export function podsByNode(model: ClusterModel): { byNode: number[][]; pending: number[] } {
  const byNode: number[][] = model.nodes.map(() => []);
  const pending: number[] = [];
  const { node } = model.pods;
  for (let i = 0; i < node.length; i++) {
    if (node[i] >= 0) byNode[node[i]].push(i);
    else pending.push(i);
  }
  return { byNode, pending };
}

// ---------------------------------------------------------------------------- actors

export interface ActorView {
  id: string;
  parent: string;
  type: string;
  status: 'running' | 'stopped' | 'crashed';
  incarnation: number;
  restarts: number;
  crashes: number;
  state?: unknown;
  /** States of the machines inside the actor (a pod's containers), from XState's inspection API. */
  parts?: Record<string, unknown>;
  children: string[];
}

export interface Marker { t: number; kind: 'fault' | 'rollout' | 'scheduling' | 'input'; label: string }

export interface EventRow { time: string; t: number; type: string; reason: string; object: string; kind: string; message: string; source: string; count: number }

/** Active state ids of a state value (`{ Pending: 'Admitting' }` → pod.Pending, pod.Pending.Admitting). */
export function activeStateIds(machineId: string, value: unknown): string[] {
  const out: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') {
      out.push(`${prefix}.${v}`);
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v)) {
        out.push(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, sub);
      }
    }
  };
  walk(machineId, value);
  return out;
}

/** `{ Progressing: 'ScalingUpNewRS' }` → `Progressing.ScalingUpNewRS`. */
export function stateText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const sub = stateText(entries[0][1]);
      return sub ? `${entries[0][0]}.${sub}` : entries[0][0];
    }
    return entries.map(([k, v]) => `${k}.${stateText(v)}`).join(' | ');
  }
  return String(value);
}

// ---------------------------------------------------------------------------- the timeline

const CHECKPOINT_EVERY = 256;
const FAULT_INPUTS = new Set(['crash', 'power-off', 'power-on', 'crash-container', 'fault', 'add-node', 'partition', 'heal']);

/**
 * Every message the page received, indexed by virtual time. `objectsAt(t)`, `actorsAt(t)`,
 * `modelAt(t)` and `eventsAt(t)` rebuild the cluster as it was at `t` (the last message at or
 * before `t` included), from store checkpoints taken every CHECKPOINT_EVERY changes.
 */
export class Timeline {
  hello: Extract<ServerMessage, { type: 'hello' }> | undefined;
  readonly machines = new Map<string, MachineGraph>();
  readonly actorMachines = new Map<string, { machine: string; parts?: Record<string, string> }>();
  readonly records: SlimRecord[] = [];
  readonly changes: Array<Extract<ServerMessage, { type: 'change' }>> = [];
  readonly decisions: Array<Extract<ServerMessage, { type: 'decision' }>> = [];
  readonly frames: Array<Extract<ServerMessage, { type: 'frame' }>> = [];
  readonly models: Array<Extract<ServerMessage, { type: 'model' }>> = [];
  status: Extract<ServerMessage, { type: 'status' }> | undefined;
  ended: Extract<ServerMessage, { type: 'end' }> | undefined;
  /** Store checkpoints: after `count` changes, the objects by key. */
  private checkpoints: Array<{ count: number; objects: Map<string, any> }> = [{ count: 0, objects: new Map() }];
  private latest = new Map<string, any>();
  private modelCache: { t: number; count: number; model: ClusterModel } | undefined;
  /** Bumped by every message: views cache on it. */
  version = 0;

  ingest(m: ServerMessage): void {
    this.version++;
    switch (m.type) {
      case 'hello': this.hello = m; break;
      case 'machine': this.machines.set(m.id, m.graph); break;
      case 'actor': this.actorMachines.set(m.id, { machine: m.machine, parts: m.parts }); break;
      case 'record': this.records.push(m.rec); break;
      case 'change': this.addChange(m); break;
      case 'decision': this.decisions.push(m); break;
      case 'frame': this.frames.push(m); break;
      case 'model': this.models.push(m); break;
      case 'status': this.status = m; break;
      case 'end': this.ended = m; break;
    }
  }

  private addChange(m: Extract<ServerMessage, { type: 'change' }>): void {
    this.changes.push(m);
    const key = objectKey(m.object);
    if (m.op === 'DELETED') this.latest.delete(key);
    else this.latest.set(key, m.object);
    if (this.changes.length % CHECKPOINT_EVERY === 0) this.checkpoints.push({ count: this.changes.length, objects: new Map(this.latest) });
  }

  /** The last virtual time the timeline knows of. */
  endTime(): number {
    let t = 0;
    const last = (a: Array<{ t: number }>) => (a.length ? a[a.length - 1].t : 0);
    t = Math.max(last(this.records), last(this.changes), last(this.frames), last(this.models), this.status?.t ?? 0, this.ended?.t ?? 0);
    return t;
  }

  /** Number of entries of a time-ordered array at or before `t`. */
  static countAt<T extends { t: number }>(items: T[], t: number): number {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Stored objects at `t`, by `Kind/namespace/name`. */
  objectsAt(t: number): Map<string, any> {
    const count = Timeline.countAt(this.changes, t);
    if (count === this.changes.length) return this.latest;
    let cp = this.checkpoints[0];
    for (const c of this.checkpoints) if (c.count <= count) cp = c;
    const objects = new Map(cp.objects);
    for (let i = cp.count; i < count; i++) {
      const m = this.changes[i];
      const key = objectKey(m.object);
      if (m.op === 'DELETED') objects.delete(key);
      else objects.set(key, m.object);
    }
    return objects;
  }

  /** The map at `t`: the last precomputed model, or one built from the objects. */
  modelAt(t: number): ClusterModel {
    if (this.models.length && this.changes.length === 0) {
      const i = Math.max(0, Timeline.countAt(this.models, t) - 1);
      return this.models[i].model;
    }
    const count = Timeline.countAt(this.changes, t);
    if (this.modelCache && this.modelCache.count === count) return this.modelCache.model;
    const model = modelFromObjects(this.objectsAt(t).values(), t);
    this.modelCache = { t, count, model };
    return model;
  }

  /** Events stored at `t`, oldest first (as `cluster.events()` orders them). */
  eventsAt(t: number): EventRow[] {
    const events = [...this.objectsAt(t).values()].filter((o) => o.kind === 'Event');
    events.sort(compareEvents);
    const epoch = this.hello?.epoch ?? Date.parse('2025-01-01T00:00:00Z');
    return events.map((e) => {
      const time = eventTimestamp(e);
      return {
        time, t: Date.parse(time) - epoch, type: e.type ?? '', reason: e.reason ?? '', kind: e.involvedObject?.kind ?? '',
        object: `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`, message: e.message ?? '',
        source: [eventSource(e), e.source?.host ?? ''].filter(Boolean).join(' '), count: eventCount(e),
      };
    });
  }

  /** The supervision tree and every actor's state at `t`. */
  actorsAt(t: number): Map<string, ActorView> {
    const actors = new Map<string, ActorView>();
    const n = Timeline.countAt(this.records, t);
    for (let i = 0; i < n; i++) {
      const r = this.records[i];
      const id = r.actor as string;
      switch (r.kind) {
        case 'spawn': case 'restart': {
          const prev = actors.get(id);
          const parent = r.parent as string;
          const a: ActorView = {
            id, parent, type: (r.type as string) ?? 'actor', status: 'running', incarnation: (r.incarnation as number) ?? 1,
            restarts: (prev?.restarts ?? 0) + (r.kind === 'restart' ? 1 : 0), crashes: prev?.crashes ?? 0, children: prev?.children ?? [], state: undefined,
          };
          actors.set(id, a);
          const p = actors.get(parent);
          if (p && !p.children.includes(id)) p.children.push(id);
          break;
        }
        case 'stop': { const a = actors.get(id); if (a) a.status = 'stopped'; break; }
        case 'crash': { const a = actors.get(id); if (a) { a.status = 'crashed'; a.crashes++; } break; }
        case 'state': {
          const hash = id.indexOf('#');
          const a = actors.get(hash < 0 ? id : id.slice(0, hash));
          if (a && hash < 0) a.state = r.value;
          else if (a) a.parts = { ...(a.parts ?? {}), [id.slice(hash + 1)]: r.value };
          break;
        }
      }
    }
    return actors;
  }

  /** State changes of one actor up to `t`, newest last. */
  transitionsOf(actor: string, t: number, limit = 20): SlimRecord[] {
    const out: SlimRecord[] = [];
    const n = Timeline.countAt(this.records, t);
    for (let i = n - 1; i >= 0 && out.length < limit; i--) {
      const r = this.records[i];
      if (r.actor === actor && (r.kind === 'state' || r.kind === 'spawn' || r.kind === 'restart' || r.kind === 'crash' || r.kind === 'stop')) out.push(r);
    }
    return out.reverse();
  }

  /** The last keyframe at or before `t`. */
  frameAt(t: number): Extract<ServerMessage, { type: 'frame' }> | undefined {
    const i = Timeline.countAt(this.frames, t);
    return i > 0 ? this.frames[i - 1] : undefined;
  }

  /** The scheduler's last decision for a pod (`namespace/name`) at or before `t`. */
  decisionFor(pod: string, t: number): Decision | undefined {
    const n = Timeline.countAt(this.decisions, t);
    for (let i = n - 1; i >= 0; i--) if (this.decisions[i].decision.pod === pod) return this.decisions[i].decision;
    return undefined;
  }

  /** Deliveries between the given actors up to `t`, newest last. */
  messagesBetween(actors: string[], t: number, limit = 60): SlimRecord[] {
    const set = new Set(actors);
    const out: SlimRecord[] = [];
    const n = Timeline.countAt(this.records, t);
    for (let i = n - 1; i >= 0 && out.length < limit; i--) {
      const r = this.records[i];
      if (r.kind === 'deliver' && set.has(r.from as string) && set.has(r.to as string)) out.push(r);
    }
    return out.reverse();
  }

  /** Faults, rollouts and scheduling failures, in time order. */
  markers(): Marker[] {
    const out: Marker[] = [];
    for (const r of this.records) {
      if (r.kind === 'input' && FAULT_INPUTS.has(r.what as string)) out.push({ t: r.t, kind: 'fault', label: `${r.what} ${r.node ?? r.actor ?? r.pod ?? ''}`.trim() });
      else if (r.kind === 'crash') out.push({ t: r.t, kind: 'fault', label: `crash ${r.actor}` });
      else if (r.kind === 'input' && (r.what === 'apply' || r.what === 'kubectl')) out.push({ t: r.t, kind: 'input', label: `${r.what} ${r.ref ?? r.command ?? ''}` });
    }
    for (const c of this.changes) {
      const o = c.object;
      if (o.kind === 'ReplicaSet' && c.op === 'ADDED' && (o.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'Deployment')) out.push({ t: c.t, kind: 'rollout', label: `rollout: new ReplicaSet ${o.metadata.name}` });
      else if ((o.kind === 'StatefulSet' || o.kind === 'DaemonSet') && c.op === 'MODIFIED' && o.status?.updateRevision && o.status?.currentRevision && o.status.updateRevision !== o.status.currentRevision) out.push({ t: c.t, kind: 'rollout', label: `rollout ${o.kind} ${o.metadata.name}` });
    }
    const failed = new Set<string>();
    for (const d of this.decisions) {
      if (d.decision.outcome !== 'Scheduled' && !failed.has(d.decision.pod)) {
        failed.add(d.decision.pod);
        out.push({ t: d.t, kind: 'scheduling', label: `FailedScheduling ${d.decision.pod}` });
      } else if (d.decision.outcome === 'Scheduled') failed.delete(d.decision.pod);
    }
    return out.sort((a, b) => a.t - b.t);
  }

  /** The actor that runs a pod (`node/<node>/pod/<ns>/<name>`), if the pod is bound. */
  podActor(podKeyText: string, t: number): string | undefined {
    const [ns, name] = podKeyText.split('/');
    const pod = this.objectsAt(t).get(`Pod/${ns}/${name}`);
    const node = pod?.spec?.nodeName;
    return node ? `node/${node}/pod/${ns}/${name}` : undefined;
  }
}
