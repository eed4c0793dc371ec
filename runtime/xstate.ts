// Wires an XState 5 machine to the runtime as an actor's logic:
// - the machine's timers (`after`, delayed sends) run on the runtime's virtual clock;
// - messages delivered to the actor are sent to the machine as events;
// - the machine talks to other actors by emitting `{ type: 'send', to, message, delay? }`
//   (XState's `emit` action), which the runtime delivers; machines stay pure;
// - an error inside the machine crashes the actor.
import { createActor, type AnyActorRef, type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type InspectionEvent } from 'xstate';
import type { ActorContext, ActorLogic, Envelope, Message } from './types.ts';
import { compileMachine, type CompiledMachine } from './statechart.ts';

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

/** A clock for machine timers (RuntimeClock: the runtime's virtual time). */
export interface MachineClock {
  setTimeout(fn: () => void, ms: number): number; // wall-clock-ok: XState's clock interface, run on virtual time
  clearTimeout(handle: number): void;
}

/** What a MachineRunner tells its owner. */
export interface RunnerListeners {
  /** Each event the machine emits (XState's `emit` action), after the transition that emitted it. */
  onEmit(event: any): void;
  /** The machine's new snapshot, after a transition and its emits (XState's observer `next`). */
  onChange?(snapshot: AnyMachineSnapshot): void;
  /** The machine failed (a guard, an assignment or an emit listener threw). */
  onError(error: unknown): void;
  /** Every snapshot the machine takes, changed or not (XState's `@xstate.snapshot` inspection event). */
  onSnapshot?(snapshot: AnyMachineSnapshot): void;
}

/** Where a runner's machine starts. */
export interface RunnerStart {
  /** A machine snapshot to start from as it is (an initial state kept by initialState()). */
  state?: AnyMachineSnapshot;
  /** A persisted snapshot to restore (getPersistedSnapshot() of a runner put away). */
  persisted?: unknown;
  /** Otherwise the machine makes its initial transition for this input. */
  input?: unknown;
}

const NOT_STARTED = 0;
const RUNNING = 1;
const STOPPED = 2;
const XSTATE_STOP = 'xstate.stop';

/**
 * The scope's `system`, one for every runner: XState reaches a runner's timers through it (a
 * delayed raise, an `after` transition, their cancellation); the runner keeps them itself.
 */
const RUNNER_SYSTEM = {
  _sendInspectionEvent(): void {},
  _relay(_source: unknown, target: MachineRunner, event: EventObject): void {
    target.send(event);
  },
  scheduler: {
    schedule(source: MachineRunner, target: unknown, event: EventObject, delay: number, id: string): void {
      if (target !== source) throw new Error(`${source.id}: a delayed send to another actor is not supported`);
      source.schedule(event, delay, id);
    },
    cancel(source: MachineRunner, id: string): void {
      source.unschedule(id);
    },
    cancelAll(source: MachineRunner): void {
      source.cancelTimers();
    },
  },
};

/** The empty history and children of persisted snapshots (frozen: shared by all of them). */
const NOTHING = Object.freeze({});

function isEmptyObject(o: unknown): boolean {
  if (o === undefined || o === null) return true;
  for (const _ in o as object) return false;
  return true;
}

/** Executes an action as XState's actor does once running (emit and raise defer their effect themselves). */
function executeAction(action: { exec?: (info: unknown, params: unknown) => void; info: unknown; params: unknown }): void {
  action.exec?.(action.info, action.params);
}

/**
 * An XState machine run as an XState actor runs it, without an XState Actor: the machine's own
 * transition function (`machine.transition(snapshot, event, scope)`, the ActorLogic interface)
 * on a snapshot the runner keeps, with the runner as the actor scope. As the actor does, it
 * queues events that arrive while it transitions (its mailbox), runs what the transition
 * deferred (emits, timers) after it, then tells its listeners; a final state stops it and tells
 * its parent (`xstate.done.actor.<id>`); an error stops it and tells its owner and parent.
 *
 * What it leaves out is what a pod's machines never use and each Actor pays for: an actor system
 * of its own, observers as sets, listeners by event type, inspection events, bound methods. A
 * pod's two machines start up in ≈46 µs instead of ≈73 µs this way (in isolation), and the young
 * generation no longer copies the two Actor objects of each of the thousands of pods starting at
 * once (the 30,000-pod bring-up took a fifth less time).
 */
export class MachineRunner {
  /** The actor scope's fields: the runner is its own scope. */
  readonly sessionId: string;
  readonly system = RUNNER_SYSTEM;
  /** Replaced by XState during a microstep (and restored), so an own field; called unbound. */
  actionExecutor: (action: any) => void = executeAction;
  private snapshot: AnyMachineSnapshot;
  private status = NOT_STARTED;
  private processing = false;
  private readonly deferred: Array<() => void> = [];
  private mailbox: EventObject[] | undefined;
  /** Pending delayed events by id (XState's scheduled events of this actor), insertion-ordered. */
  private timers: Map<string, number> | undefined;
  /** The machine's compiled macrostep, when it covers the machine (XState's transition otherwise). */
  private readonly compiled: CompiledMachine | undefined;

  constructor(
    readonly machine: AnyStateMachine, readonly id: string, private readonly clock: MachineClock,
    private readonly listeners: RunnerListeners, from: RunnerStart, readonly parent?: MachineRunner,
  ) {
    this.sessionId = id;
    this.compiled = compileMachine(machine);
    if (from.state) this.snapshot = from.state;
    else if (from.persisted !== undefined) this.snapshot = machine.restoreSnapshot(from.persisted as any, this as any) as AnyMachineSnapshot;
    else {
      // The initial transition's actions wait for start(), as an XState actor's do.
      this.actionExecutor = (action) => this.defer(() => executeAction(action));
      try {
        this.snapshot = machine.getInitialSnapshot(this as any, from.input) as AnyMachineSnapshot;
      } catch (err) {
        this.snapshot = { status: 'error', output: undefined, error: err } as unknown as AnyMachineSnapshot;
      } finally {
        this.actionExecutor = executeAction;
      }
    }
  }

  /** The actor scope's `self` (what actions see as `self`). */
  get self(): this {
    return this;
  }

  getSnapshot(): AnyMachineSnapshot {
    return this.snapshot;
  }

  /**
   * XState's persisted form of the snapshot. For a machine with no children and no history (what
   * a runner runs) it is made here, the same object in the same key order, without XState's rest
   * destructuring and its walk of the whole context for actor references (a runner's machine
   * spawns none it could refer to): 7 µs a call, 0.44 s of a 30,000-pod bring-up's hibernations.
   * Its empty history and children are one shared frozen object (XState reads them as it
   * restores, never changes them), not two new ones a snapshot that is kept for hours.
   */
  getPersistedSnapshot(): unknown {
    const s = this.snapshot as AnyMachineSnapshot & { output?: unknown; error?: unknown };
    if (isEmptyObject(s.children) && isEmptyObject(s.historyValue)) {
      return { status: s.status, output: s.output, error: s.error, value: s.value, historyValue: NOTHING, context: s.context, children: NOTHING };
    }
    return this.machine.getPersistedSnapshot(s);
  }

  /** Delayed events pending (an `after` transition's timer, a delayed raise). */
  hasTimers(): boolean {
    return this.timers !== undefined && this.timers.size > 0;
  }

  start(): void {
    if (this.status !== NOT_STARTED) return;
    this.status = RUNNING;
    const s = this.snapshot;
    if (s.status === 'error') return this.fail(s.error);
    this.processing = true;
    try {
      this.update(s);
      if (s.status === 'active') this.drain();
    } finally {
      this.processing = false;
    }
  }

  /** Sends an event: processed now, or after the one being processed (the actor's mailbox). */
  send(event: AnyEventObject): void {
    if (this.status === STOPPED) return;
    if (this.processing || this.status === NOT_STARTED) {
      (this.mailbox ??= []).push(event);
      return;
    }
    this.processing = true;
    try {
      this.process(event);
      this.drain();
    } finally {
      this.processing = false;
    }
  }

  /** Stops the machine after the event being processed, if any (events queued behind it are dropped). */
  stop(): void {
    if (this.status === STOPPED) return;
    this.mailbox = undefined;
    if (this.status === NOT_STARTED) {
      this.status = STOPPED;
      return;
    }
    this.send({ type: XSTATE_STOP });
  }

  // ---------------------------------------------------------------- the actor scope (called by XState)

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  emit(event: any): void {
    this.listeners.onEmit(event);
  }

  logger(): void {}

  stopChild(): void {
    throw new Error(`${this.id}: a machine run by a MachineRunner has no children`);
  }

  schedule(event: EventObject, delay: number, id: string): void {
    const timers = (this.timers ??= new Map());
    // As XState's scheduler: a second schedule under the same id replaces the entry, not the timer.
    timers.set(id, this.clock.setTimeout(() => { // wall-clock-ok: the runtime's virtual clock
      timers.delete(id);
      this.send(event);
    }, delay));
  }

  unschedule(id: string): void {
    const handle = this.timers?.get(id);
    if (handle === undefined) return;
    this.timers!.delete(id);
    this.clock.clearTimeout(handle);
  }

  cancelTimers(): void {
    if (this.timers) for (const id of [...this.timers.keys()]) this.unschedule(id);
  }

  // ---------------------------------------------------------------- processing

  private drain(): void {
    while (this.status === RUNNING) {
      // Read afresh each time: stop() replaces the mailbox.
      const q = this.mailbox;
      if (q === undefined || q.length === 0) {
        this.mailbox = undefined;
        return;
      }
      this.process(q.shift()!);
    }
  }

  private process(event: EventObject): void {
    let next: AnyMachineSnapshot;
    try {
      next = this.compiled?.transition(this.snapshot, event, this)
        ?? this.machine.transition(this.snapshot, event, this as any) as AnyMachineSnapshot;
    } catch (err) {
      this.snapshot = { ...this.snapshot, status: 'error', error: err } as AnyMachineSnapshot;
      return this.fail(err);
    }
    this.update(next);
    if (event.type === XSTATE_STOP) this.halt();
  }

  /** The actor's update: the new snapshot, the deferred effects, then the listeners. */
  private update(snapshot: AnyMachineSnapshot): void {
    this.snapshot = snapshot;
    const deferred = this.deferred;
    while (deferred.length > 0) {
      const fn = deferred.shift()!;
      try {
        fn();
      } catch (err) {
        deferred.length = 0;
        this.snapshot = { ...snapshot, status: 'error', error: err } as AnyMachineSnapshot;
      }
    }
    const now = this.snapshot;
    if (now.status === 'active') this.tell(snapshot);
    else if (now.status === 'done') {
      this.tell(snapshot);
      this.halt();
      this.parent?.send({ type: `xstate.done.actor.${this.id}`, output: now.output, actorId: this.id } as EventObject);
    } else if (now.status === 'error') this.fail(now.error);
    this.listeners.onSnapshot?.(snapshot);
  }

  private tell(snapshot: AnyMachineSnapshot): void {
    if (!this.listeners.onChange) return;
    try {
      this.listeners.onChange(snapshot);
    } catch (err) {
      this.listeners.onError(err);
    }
  }

  /** Stops processing: pending timers cancelled, queued events dropped. */
  private halt(): void {
    if (this.status !== RUNNING) return;
    this.cancelTimers();
    this.mailbox = undefined;
    this.status = STOPPED;
  }

  private fail(error: unknown): void {
    this.halt();
    this.listeners.onError(error);
    this.parent?.send({ type: `xstate.error.actor.${this.id}`, error, actorId: this.id } as EventObject);
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
   * `snapshot` restored, once: the machine snapshot every machine started from this initial state
   * shares (frozen; XState never changes a snapshot, each transition makes a new one), instead of
   * rebuilding it per machine: its state nodes, state value, tags and a walk of its context.
   */
  restored: unknown;
}

/** Initial states by machine, then by input (as JSON); at most INITIAL_STATES_PER_MACHINE each. */
const initialStates = new WeakMap<AnyStateMachine, Map<string, InitialState | null>>();
const INITIAL_STATES_PER_MACHINE = 1024;

/**
 * XState's initial transition of `machine` for `input`, done once and kept: a machine started from
 * it (a MachineRunner from `restored`, an actor from `snapshot`) is where a new one would be, for
 * a third of the time and allocation (measured with a pod actor: 8 KB and 8 µs instead of 24 KB
 * and 25 µs), and the caller
 * hands the `emitted` events to its listener after start() as XState would have. Machines in
 * machines/ are pure, so the transition depends on nothing but the input. Undefined when the
 * transition cannot be kept: it armed a timer or spawned a child (neither survives as data), or
 * the machine has more distinct inputs than are kept. `key` names the input exactly (inputs of
 * one key must make the same transition): its JSON unless the caller has a cheaper name for it
 * (JSON.stringify of a pod's two inputs took 0.4 s of a 30,000-pod bring-up).
 */
export function initialState(machine: AnyStateMachine, input: unknown, key: string = JSON.stringify(input)): InitialState | undefined {
  let byInput = initialStates.get(machine);
  if (!byInput) initialStates.set(machine, (byInput = new Map()));
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
  return { snapshot: persisted, emitted: deepFreeze(emitted), restored };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
