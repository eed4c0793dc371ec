// Per-machine path tests generated with @xstate/graph (getShortestPaths): for each statechart in
// machines/, the shortest event path to every reachable state configuration, replayed on a real
// actor — events sent, delayed transitions ('after') driven by advancing XState's SimulatedClock by
// exactly their delay (see replay() for co-due timers) — asserting that each path reaches its target and that the reachable
// configurations cover every state node the machine declares.
// @xstate/graph 3.x (peer dependency xstate ^5.19.4) traverses a machine with its own
// transition function; a delayed transition is the event `xstate.after.<delay>.<state id>` the
// scheduler would raise, so the traversal offers those events for the active states' `after`s.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock, type AnyStateMachine, type AnyMachineSnapshot, type EventObject } from 'xstate';
import { getShortestPaths } from '@xstate/graph';
import { containerMachine, type ContainerInput, type ContainerContext } from '../machines/container.ts';
import { podMachine, type PodMachineInput } from '../machines/pod.ts';
import { nodeMachine } from '../machines/node.ts';
import { deploymentMachine } from '../machines/deployment.ts';
import { statefulSetMachine } from '../machines/statefulset.ts';

interface AnyNode {
  key: string;
  path: string[];
  states: Record<string, AnyNode>;
  after: Array<{ eventType: string; delay: number | string }>;
}

/** Every state node the machine declares, as dotted paths (`Running.Startup.Delay`). */
function declaredStates(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (n: AnyNode) => {
    for (const child of Object.values(n.states ?? {})) {
      out.push(child.path.join('.'));
      walk(child);
    }
  };
  walk(machine.root as unknown as AnyNode);
  return out.sort();
}

/**
 * Transient state nodes: an unguarded eventless (`always`) transition leaves them within the
 * macrostep that entered them, so no snapshot ever shows them. They are excluded, with that reason.
 */
function transientStates(machine: AnyStateMachine): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (n: AnyNode & { always?: Array<{ guard?: unknown }> }) => {
    for (const child of Object.values(n.states ?? {}) as Array<AnyNode & { always?: Array<{ guard?: unknown }> }>) {
      if ((child.always ?? []).some((t) => t.guard === undefined)) out[child.path.join('.')] = 'transient: an unguarded eventless transition leaves it in the same macrostep';
      walk(child);
    }
  };
  walk(machine.root as unknown as AnyNode);
  return out;
}

/** The active state nodes of a state value, as dotted paths (parents included). */
function activeStates(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out.push(prefix + k);
    out.push(...activeStates(v, `${prefix}${k}.`));
  }
  return out;
}

function nodeAt(machine: AnyStateMachine, path: string): AnyNode {
  let n = machine.root as unknown as AnyNode;
  for (const k of path.split('.')) n = n.states[k];
  return n;
}

/** The delayed events the active states are waiting for, with their delays. */
function delayedEvents(machine: AnyStateMachine, snap: AnyMachineSnapshot): Array<{ event: EventObject; delay: number | string }> {
  const out: Array<{ event: EventObject; delay: number | string }> = [];
  for (const p of activeStates(snap.value)) {
    for (const t of nodeAt(machine, p).after ?? []) out.push({ event: { type: t.eventType }, delay: t.delay });
  }
  return out;
}

/** A delay's length in ms for a snapshot: a number, or a named delay of the machine's implementations. */
function delayMs(machine: AnyStateMachine, delay: number | string, snap: AnyMachineSnapshot, event: EventObject): number {
  if (typeof delay === 'number') return delay;
  const impl = (machine.implementations.delays as Record<string, unknown>)[delay] ?? Number(delay);
  return typeof impl === 'function' ? impl({ context: snap.context, event }) : (impl as number);
}

interface MachineCase {
  name: string;
  machine: AnyStateMachine;
  /** Inputs to traverse from (each an initial state); the union of their reachable states counts. */
  inputs: unknown[];
  events: (snap: AnyMachineSnapshot) => EventObject[];
  /** The part of a snapshot that tells states apart (value and the context guards read). */
  serialize: (snap: AnyMachineSnapshot) => string;
  /** Declared state nodes not expected to be reached, with the reason. */
  exclusions?: Record<string, string>;
}

interface Found {
  input: unknown;
  events: EventObject[];
  value: unknown;
}

/** Shortest paths to every reachable configuration (by state value), over all inputs. */
function shortestPaths(c: MachineCase): Map<string, Found> {
  const best = new Map<string, Found>();
  for (const input of c.inputs) {
    const paths = getShortestPaths(c.machine, {
      input,
      events: (snap: AnyMachineSnapshot) => [...c.events(snap), ...delayedEvents(c.machine, snap).map((d) => d.event)],
      serializeState: (snap: AnyMachineSnapshot) => c.serialize(snap),
      limit: 500_000,
    } as never) as Array<{ state: AnyMachineSnapshot; steps: Array<{ event: EventObject }> }>;
    for (const p of paths) {
      const key = JSON.stringify(p.state.value);
      const events = p.steps.map((s) => s.event).filter((e) => e.type !== 'xstate.init');
      const prev = best.get(key);
      if (!prev || events.length < prev.events.length) best.set(key, { input, events, value: p.state.value });
    }
  }
  return best;
}

/**
 * Replays a path on a real actor and returns the final state value. A delayed step advances the
 * simulated clock by its delay, unless another timer of the active states is due no later (parallel
 * regions' probe timers): then the clock would fire both at once, a step the graph does not model,
 * and the scheduler's event is sent alone instead (counted in `stats.direct`).
 */
function replay(c: MachineCase, found: Found, stats: { clock: number; direct: number }): unknown {
  const clock = new SimulatedClock();
  const actor = createActor(c.machine, { input: found.input, clock } as never);
  actor.start();
  for (const event of found.events) {
    const snap = actor.getSnapshot() as AnyMachineSnapshot;
    const pending = delayedEvents(c.machine, snap).map((d) => ({ type: d.event.type, ms: delayMs(c.machine, d.delay, snap, d.event) }));
    const mine = pending.find((d) => d.type === event.type);
    if (mine && !pending.some((d) => d !== mine && d.ms <= mine.ms)) {
      clock.increment(mine.ms);
      stats.clock++;
    } else {
      if (mine) stats.direct++;
      actor.send(event);
    }
  }
  const value = actor.getSnapshot().value;
  actor.stop();
  return value;
}

const probe = { initialDelayMs: 1_000, periodMs: 10_000, successThreshold: 1, failureThreshold: 2 };
const containerInput = (o: Partial<ContainerInput>): ContainerInput => ({ name: 'c', kind: 'app', podRestartPolicy: 'Always', probes: {}, ...o });

const CASES: MachineCase[] = [
  {
    name: 'container',
    machine: containerMachine,
    inputs: [
      containerInput({}),
      // Made as the kubelet starts it: it begins in ContainerCreating.
      containerInput({ startNow: true }),
      containerInput({ probes: { startup: probe } }),
      containerInput({ probes: { liveness: probe } }),
      containerInput({ probes: { readiness: probe } }),
      // Liveness and readiness wait (Blocked) only behind a startup probe that has not succeeded.
      containerInput({ probes: { startup: probe, liveness: probe, readiness: probe } }),
      containerInput({ podRestartPolicy: 'Never' }),
      containerInput({ resume: { running: { startedAt: 0 }, restartCount: 1 } }),
      containerInput({ podRestartPolicy: 'Never', resume: { terminated: { exitCode: 1, reason: 'Error', startedAt: 0, finishedAt: 0 }, restartCount: 0 } }),
    ],
    events: (snap) => {
      const at = (snap.context as ContainerContext).now + 1_000;
      return [
        { type: 'START', at }, { type: 'IMAGE_READY', at }, { type: 'PULL_FAILED', at, reason: 'ErrImagePull', message: 'not found' },
        // A sync within the pull back-off, and one long after it.
        { type: 'SYNC', at }, { type: 'SYNC', at: at + 1_200_000 },
        { type: 'CONFIG_ERROR', at, message: 'configmap "x" not found' }, { type: 'RUN_FAILED', at, message: 'exec format error' },
        { type: 'STARTED', at }, { type: 'EXITED', at, exitCode: 0, reason: 'Completed' }, { type: 'EXITED', at, exitCode: 1, reason: 'Error' },
        ...(['startup', 'liveness', 'readiness'] as const).flatMap((p) => (['Success', 'Failure'] as const).map((result) => ({ type: 'PROBE_RESULT', at, probe: p, result }))),
        { type: 'KILL', at, reason: 'pod' }, { type: 'KILL', at, reason: 'liveness' },
      ];
    },
    serialize: (snap) => {
      const c = snap.context as ContainerContext;
      // Counters and restarts grow without bound; the guards only compare them with small thresholds.
      const counters = Object.values(c.counters).map((n) => [Math.min(n.successes, 2), Math.min(n.failures, 3)]);
      return JSON.stringify([snap.value, Math.min(c.restartCount, 2), Boolean(c.backoff), c.started, c.ready, counters, c.killReason, c.termination?.exitCode, c.probes, c.podRestartPolicy]);
    },
  },
  {
    name: 'pod',
    machine: podMachine,
    inputs: [
      { initContainers: [{ name: 'init', sidecar: false }], hasVolumes: true, resumed: false } satisfies PodMachineInput,
      { initContainers: [], hasVolumes: false, resumed: true } satisfies PodMachineInput,
      // Admitted before its worker started, its volumes mounted at once: it starts at the sandbox.
      { initContainers: [], hasVolumes: true, resumed: false, admitted: true, volumesMounted: true } satisfies PodMachineInput,
    ],
    events: () => [
      { type: 'ADMITTED' }, { type: 'REJECTED', reason: 'OutOfcpu', message: 'Node didn\'t have enough resource: cpu' },
      { type: 'VOLUMES_READY' }, { type: 'VOLUMES_FAILED', message: 'MountVolume.SetUp failed', retryMs: 500 }, { type: 'SANDBOX_READY' },
      { type: 'INIT_CONTAINER_DONE', name: 'init' }, { type: 'INIT_CONTAINER_FAILED', name: 'init' },
      ...(['Pending', 'Running', 'Succeeded', 'Failed'] as const).map((phase) => ({ type: 'PHASE', phase })),
      { type: 'DELETE', graceMs: 30_000 }, { type: 'ALL_CONTAINERS_STOPPED' },
    ],
    serialize: (snap) => JSON.stringify([snap.value, (snap.context as { initIndex: number }).initIndex, (snap.context as { resumed: boolean }).resumed]),
  },
  {
    name: 'node',
    machine: nodeMachine,
    inputs: [undefined],
    events: () => [
      ...['REGISTERED', 'REGISTER_FAILED', 'LEASE_RENEWED', 'LEASE_FAILED', 'LEASE_STANDING', 'STATUS_STANDING', 'RUNTIME_READY', 'RUNTIME_DOWN', 'CORDONED', 'UNCORDONED'].map((type) => ({ type })),
      { type: 'LEASE_STANDING_ENDED', resumeIn: 3_000 }, { type: 'STATUS_STANDING_ENDED', resumeIn: 7_000 },
    ],
    serialize: (snap) => JSON.stringify(snap.value),
  },
  {
    name: 'deployment',
    machine: deploymentMachine,
    inputs: [undefined],
    events: () => [
      ...['NEW_RS_SCALED_UP', 'OLD_RS_SCALED_DOWN', 'NEW_PODS_PENDING', 'OLD_PODS_TERMINATING', 'ROLLOUT_COMPLETE', 'DEADLINE_EXCEEDED']
        .map((type) => ({ type, newReplicaSet: 'web-7c5ddbdf54', revision: 2 })),
      { type: 'PAUSED' }, { type: 'RESUMED' },
    ],
    serialize: (snap) => JSON.stringify(snap.value),
  },
  {
    name: 'statefulset',
    machine: statefulSetMachine,
    inputs: [{ statefulSet: 'default/web', at: 0 }],
    events: () => {
      const verdicts: Array<[string, string?]> = [
        ['Idle'], ['Terminating'],
        ...['CreatingOrdinal', 'WaitingForRunningAndReady', 'WaitingForAvailable', 'WaitingForTermination', 'RecreatingFailedPod', 'WaitingForStaleClaim'].map((s): [string, string] => ['Scaling', s]),
        ...['DeletingOrdinal', 'WaitingForTermination', 'WaitingForHealthyPredecessor'].map((s): [string, string] => ['ScalingDown', s]),
        ...['DeletingOrdinal', 'WaitingForTermination', 'CreatingOrdinal', 'WaitingForUpdatedReady', 'RecreatingFailedPod'].map((s): [string, string] => ['RollingUpdate', s]),
      ];
      return verdicts.map(([phase, step]) => ({ type: 'SYNCED', at: 1_000, phase, step, pod: step ? 'web-1' : undefined, reason: step ? 'sample' : undefined, pods: [], writes: [] }));
    },
    serialize: (snap) => JSON.stringify(snap.value),
  },
];

describe('machines: generated shortest paths reach every state node', () => {
  for (const c of CASES) {
    it(`${c.name}: every path reaches its target, and the reachable states cover the declared ones`, () => {
      const paths = shortestPaths(c);
      const timers = { clock: 0, direct: 0 };
      for (const [key, found] of paths) {
        expect(replay(c, found, timers), `path to ${key}: ${found.events.map((e) => e.type).join(' → ')}`).toEqual(found.value);
      }
      const reached = new Set([...paths.values()].flatMap((f) => activeStates(f.value)));
      const declared = declaredStates(c.machine);
      const excluded = { ...transientStates(c.machine), ...c.exclusions };
      const unreachable = declared.filter((s) => !reached.has(s) && !(s in excluded));
      expect(unreachable, `${c.name}: declared but not reached by any generated path`).toEqual([]);
      const longest = Math.max(...[...paths.values()].map((f) => f.events.length));
      const skipped = Object.keys(excluded).filter((s) => !reached.has(s));
      console.log(`${c.name}: ${declared.length} state nodes, ${paths.size} configurations reached, longest shortest path ${longest} events; timers driven by the clock ${timers.clock}, sent alone ${timers.direct}; excluded: ${skipped.join(', ') || 'none'}`);
    });
  }
});
