// The recorder: attaches to the first cluster a scenario (or an apply command line) creates and
// turns what happens into protocol messages: slimmed trace records, every stored change, the
// scheduler's full decisions, and periodic keyframes of actor snapshots the trace does not carry
// (a pod's container machines, the rollout and StatefulSet machines, the scheduling queue).
// Reads only: nothing here sends a message or changes an actor.
import { createdClusters, type Cluster } from '../cluster/cluster.ts';
import type { TraceRecord, TraceSink } from '../runtime/index.ts';
import { podMachine } from '../machines/pod.ts';
import { containerMachine } from '../machines/container.ts';
import { nodeMachine } from '../machines/node.ts';
import { deploymentMachine } from '../machines/deployment.ts';
import { statefulSetMachine } from '../machines/statefulset.ts';
import { jobMachine } from '../machines/job.ts';
import { pvMachine } from '../machines/pv.ts';
import { pvcMachine } from '../machines/pvc.ts';
import { isMachine, machineGraph } from './machine-graph.ts';
import type { ServerMessage, SlimRecord } from './protocol.ts';

/** Kinds left out of the change log: Lease renewals are heartbeats, not news. */
const SKIPPED_KINDS = new Set(['Lease']);

/** Controllers that keep a machine per object, and that machine's id. */
const OBJECT_MACHINES: Record<string, string> = {
  'deployment-controller': 'deployment', 'statefulset-controller': 'statefulset', 'job-controller': 'job',
};

export interface RecorderOptions {
  /** Virtual ms between keyframes. Default 5,000. */
  frameEveryMs?: number;
  /** Called once, when the recorder attaches to its cluster (the pacer hooks in there). */
  onAttach?: (cluster: Cluster) => void;
}

/**
 * A TraceSink for the CLI's cluster defaults: it sees the first cluster's records from its very
 * first line, then follows that cluster's `records$` and `onStoreChange`.
 */
export class Recorder implements TraceSink {
  cluster: Cluster | undefined;
  private nextFrame = 0;
  private lastFrameSteps = -1;
  private readonly frameEvery: number;
  private readonly described = new Set<string>();
  /** A controller with per-object machines got a delivery: compare its snapshot at the next entry. */
  private controllersDirty = false;
  private lastControllers = '';
  private readonly knownMachines = new Set<string>();

  constructor(private readonly out: (m: ServerMessage) => void, private readonly opts: RecorderOptions = {}) {
    this.frameEvery = opts.frameEveryMs ?? 5_000;
    for (const m of [podMachine, containerMachine, nodeMachine, deploymentMachine, statefulSetMachine, jobMachine, pvMachine, pvcMachine]) this.describeMachine(m);
  }

  write(_line: string, rec: TraceRecord): void {
    if (this.cluster) return; // attached: records come from the cluster's records$
    this.onRecord(rec);
    this.attach();
  }

  /** Attaches to the first created cluster once it exists (after its constructor). */
  attach(): void {
    if (this.cluster) return;
    const cluster = createdClusters()[0];
    if (!cluster) return;
    this.cluster = cluster;
    const t = cluster.now();
    for (const o of cluster.all()) {
      if (!SKIPPED_KINDS.has(o.kind)) this.out({ type: 'change', t, rv: Number(o.metadata.resourceVersion), op: 'ADDED', object: o });
    }
    cluster.onStoreChange((c) => {
      if (!SKIPPED_KINDS.has(c.object.kind)) this.out({ type: 'change', t: c.time, rv: c.resourceVersion, op: c.type, object: c.object });
    });
    for (const id of cluster.runtime.actorIds()) this.describeActor(id);
    cluster.runtime.records$.subscribe((rec) => this.onRecord(rec));
    this.opts.onAttach?.(cluster);
  }

  private onRecord(rec: TraceRecord): void {
    if (this.cluster && rec.t >= this.nextFrame) this.frame(rec.t);
    else if (this.controllersDirty && (rec.kind === 'deliver' || rec.kind === 'timer')) this.frame(rec.t, true);
    if (rec.kind === 'deliver' && (rec.to as string) in OBJECT_MACHINES) this.controllersDirty = true;
    this.out({ type: 'record', rec: slim(rec) });
    if (rec.kind === 'spawn' || rec.kind === 'restart') this.describeActor(rec.actor as string);
    if (rec.kind === 'log' && rec.what === 'scheduling-decision' && this.cluster) {
      const scheduler = this.cluster.runtime.logicOf('kube-scheduler') as any;
      const d = scheduler?.decision?.(rec.pod);
      if (d) this.out({ type: 'decision', t: rec.t, decision: plain(d) });
    }
  }

  /**
   * A keyframe of the actor snapshots the trace does not carry: periodic (unless nothing ran since
   * the last), or when a controller's per-object machines changed (`controllers`), so a rollout's
   * short states are not missed between periodic frames.
   */
  frame(t: number, controllers = false): void {
    const cluster = this.cluster;
    if (!cluster) return;
    this.controllersDirty = false;
    const rt = cluster.runtime;
    const objectMachines = this.controllerSnapshots();
    const key = JSON.stringify(objectMachines);
    if (controllers) {
      if (key === this.lastControllers) return;
    } else {
      this.nextFrame = (Math.floor(t / this.frameEvery) + 1) * this.frameEvery;
      if (rt.steps === this.lastFrameSteps) return;
    }
    this.lastFrameSteps = rt.steps;
    this.lastControllers = key;
    const actors: Record<string, unknown> = { ...objectMachines };
    for (const id of rt.actorIds()) {
      const take = /^node\/[^/]+\/pod\//.test(id) || id === 'kube-scheduler';
      if (!take) continue;
      const logic = rt.logicOf(id) as any;
      if (!logic?.snapshot) continue;
      try {
        const s = logic.snapshot();
        if (id === 'kube-scheduler') actors[id] = plain({ queue: s.queue, stats: s.stats, cache: s.cache });
        else actors[id] = plain(s);
      } catch {
        // a snapshot that cannot be read is left out of the frame
      }
    }
    this.out({ type: 'frame', t, n: rt.steps, actors });
  }

  /** The per-object machines of the Deployment, StatefulSet and Job controllers. */
  private controllerSnapshots(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const id of Object.keys(OBJECT_MACHINES)) {
      const logic = this.cluster?.runtime.logicOf(id) as any;
      if (!logic?.snapshot) continue;
      try {
        const s = logic.snapshot();
        out[id] = plain({ objects: id === 'deployment-controller' ? s.rollouts : id === 'statefulset-controller' ? s.statefulSets : s.jobs });
      } catch {
        // left out
      }
    }
    return out;
  }

  private describeMachine(m: unknown): string | undefined {
    if (!isMachine(m)) return undefined;
    const graph = machineGraph(m);
    if (!this.knownMachines.has(graph.id)) {
      this.knownMachines.add(graph.id);
      this.out({ type: 'machine', id: graph.id, graph });
    }
    return graph.id;
  }

  private describeActor(id: string): void {
    if (this.described.has(id) || !this.cluster) return;
    const logic = this.cluster.runtime.logicOf(id) as any;
    if (!logic) return;
    this.described.add(id);
    const machine = typeof logic.machine === 'function' ? this.describeMachine(logic.machine()) : undefined;
    if (/^node\/[^/]+\/pod\//.test(id)) this.out({ type: 'actor', id, machine: machine ?? 'pod', parts: { container: 'container' } });
    else if (id in OBJECT_MACHINES) this.out({ type: 'actor', id, machine: machine ?? '', parts: { object: OBJECT_MACHINES[id] } });
    else if (machine) this.out({ type: 'actor', id, machine });
  }
}

/** The trace record without message bodies (the page needs who, whom, what type and when). */
export function slim(rec: TraceRecord): SlimRecord {
  if (rec.kind === 'deliver' || rec.kind === 'send') {
    const msg = rec.msg as { type?: string } | undefined;
    return { n: rec.n, t: rec.t, kind: rec.kind, id: rec.id, from: rec.from, to: rec.to, mtype: msg?.type ?? '' };
  }
  if (rec.kind === 'log' && rec.what === 'emit') return { n: rec.n, t: rec.t, kind: rec.kind, actor: rec.actor, what: rec.what, event: (rec.event as any)?.type };
  return { ...rec } as SlimRecord;
}

/** A JSON copy (drops functions and class instances' methods; safe to post and to embed). */
export function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}
