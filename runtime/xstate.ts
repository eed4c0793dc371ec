// Wires an XState 5 machine to the runtime as an actor's logic:
// - the machine's timers (`after`, delayed sends) run on the runtime's virtual clock;
// - messages delivered to the actor are sent to the machine as events;
// - the machine talks to other actors by emitting `{ type: 'send', to, message, delay? }`
//   (XState's `emit` action), which the runtime delivers; machines stay pure;
// - an error inside the machine crashes the actor.
import { createActor, type AnyActorRef, type AnyStateMachine, type InspectionEvent } from 'xstate';
import type { ActorContext, ActorLogic, Envelope, Message } from './types.ts';

export interface MachineActorOptions {
  input?: unknown;
  /** Which timers are background (periodic) work, by delay in ms; default none. */
  backgroundDelay?: (ms: number) => boolean;
  /** XState inspection events (the inspector); off by default because it costs per event. */
  inspect?: (event: InspectionEvent) => void;
}

/** An emitted event that asks the runtime to deliver a message. */
export interface SendEmitted {
  type: 'send';
  to: string;
  message: Message;
  delay?: number;
}

/**
 * XState's `clock` on the runtime's virtual time: each machine timer (`after`, a delayed send) is
 * a runtime timer named 'after'. `background` says which delays are periodic work; `afterFire`
 * runs after each timer's callback (to surface an error the machine recorded).
 */
export class RuntimeClock {
  constructor(
    private readonly ctx: ActorContext,
    private readonly background?: (ms: number) => boolean,
    private readonly afterFire?: () => void,
  ) {}

  setTimeout(fn: () => void, ms: number): number { // wall-clock-ok: XState's clock interface, run on virtual time
    const opts = this.background ? { background: this.background(ms) } : undefined;
    return this.ctx.startTimer('after', ms, () => {
      fn();
      this.afterFire?.();
    }, opts);
  }

  clearTimeout(handle: number): void {
    this.ctx.cancelTimer(handle);
  }
}

export class MachineLogic implements ActorLogic {
  private actor: AnyActorRef | undefined;
  private failure: unknown;

  constructor(private readonly logic: AnyStateMachine, private readonly opts: MachineActorOptions = {}) {}

  start(ctx: ActorContext): void {
    const clock = new RuntimeClock(ctx, this.opts.backgroundDelay);
    const actor = createActor(this.logic, {
      id: ctx.self, input: this.opts.input, clock: clock as any, inspect: this.opts.inspect,
    });
    actor.on('*', (ev: any) => {
      if (ev.type === 'send') ctx.send(ev.to, ev.message, ev.delay === undefined ? undefined : { delay: ev.delay });
      else ctx.log('emit', { event: ev });
    });
    actor.subscribe({ error: (err: unknown) => { this.failure = err; } });
    this.actor = actor;
    actor.start();
    this.rethrow();
  }

  receive(env: Envelope): void {
    this.actor!.send(env.message);
    this.rethrow();
  }

  stop(): void {
    this.actor?.stop();
  }

  stateValue(): unknown {
    return this.actor?.getSnapshot().value;
  }

  snapshot(): unknown {
    const s = this.actor?.getSnapshot();
    return s ? { value: s.value, context: s.context, status: s.status } : null;
  }

  machine(): unknown {
    return this.logic;
  }

  /** The running XState actor (for tests and the inspector, never for delivery). */
  get ref(): AnyActorRef | undefined {
    return this.actor;
  }

  private rethrow(): void {
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      throw f instanceof Error ? f : new Error(String(f));
    }
  }
}

export function machineLogic(machine: AnyStateMachine, opts?: MachineActorOptions): MachineLogic {
  return new MachineLogic(machine, opts);
}

/**
 * A machine's initial state for an input, as a persisted snapshot, and what its initial
 * transition emitted: the transition is made once per machine and input, then restored.
 */
export interface InitialState {
  snapshot: unknown;
  emitted: readonly unknown[];
  /**
   * The machine, as the logic to create the actor with: it restores `snapshot` to one machine
   * snapshot made once and shared by every actor restored from it (XState never changes a
   * snapshot; each transition makes a new one), instead of rebuilding it per actor: its state
   * nodes, state value, tags and a walk of its context, ≈4 KB and 3 µs an actor.
   */
  logic: AnyStateMachine;
  /** That shared machine snapshot: what an actor restored from `snapshot` has before any event (frozen). */
  restored: unknown;
}

/** Initial states by machine, then by input (as JSON); at most INITIAL_STATES_PER_MACHINE each. */
const initialStates = new WeakMap<AnyStateMachine, Map<string, InitialState | null>>();
const INITIAL_STATES_PER_MACHINE = 1024;

/**
 * XState's initial transition of `machine` for `input`, done once and kept: an actor restored
 * from it (`createActor(machine, { snapshot })`) is where a new one would be, for a third of the
 * time and allocation (a pod actor: 8 KB and 8 µs instead of 24 KB and 25 µs), and the caller
 * hands the `emitted` events to its listener after start() as XState would have. Machines in
 * machines/ are pure, so the transition depends on nothing but the input. Undefined when the
 * transition cannot be kept: it armed a timer or spawned a child (neither survives as data), or
 * the machine has more distinct inputs than are kept.
 */
export function initialState(machine: AnyStateMachine, input: unknown): InitialState | undefined {
  let byInput = initialStates.get(machine);
  if (!byInput) initialStates.set(machine, (byInput = new Map()));
  const key = JSON.stringify(input);
  let state = byInput.get(key);
  if (state === undefined) {
    if (byInput.size >= INITIAL_STATES_PER_MACHINE) return undefined;
    byInput.set(key, (state = makeInitialState(machine, input)));
  }
  return state ?? undefined;
}

function makeInitialState(machine: AnyStateMachine, input: unknown): InitialState | null {
  let timers = 0;
  const clock = { setTimeout: () => ++timers, clearTimeout: () => undefined };
  const emitted: unknown[] = [];
  const actor = createActor(machine, { input, clock });
  actor.on('*', (ev) => emitted.push(ev));
  actor.start();
  const snapshot = actor.getPersistedSnapshot() as unknown as { status: string; children?: Record<string, unknown> };
  actor.stop();
  if (timers > 0 || snapshot.status !== 'active' || Object.keys(snapshot.children ?? {}).length > 0) return null;
  const persisted = deepFreeze(snapshot);
  // Without children the restore reads no actor scope. Frozen: a change would throw, not leak.
  const restored = Object.freeze(machine.restoreSnapshot(persisted as any, undefined as any));
  const logic = Object.create(machine) as AnyStateMachine & { restoreSnapshot: AnyStateMachine['restoreSnapshot'] };
  logic.restoreSnapshot = restoreKept.bind(null, machine, persisted, restored) as AnyStateMachine['restoreSnapshot'];
  return { snapshot: persisted, emitted: deepFreeze(emitted), logic, restored };
}

/** A kept initial state restores to its one restored snapshot; any other as XState does. */
function restoreKept(machine: AnyStateMachine, persisted: unknown, restored: unknown, snapshot: unknown, scope: unknown): unknown {
  return snapshot === persisted ? restored : machine.restoreSnapshot(snapshot as any, scope as any);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
