// The deterministic actor runtime: one virtual clock, one event queue ordered by
// (time, sequence number), seeded randomness, supervised actors, fault hooks and the trace.
// Every message and timer goes through here; nothing here knows about Kubernetes.
import { Subject } from 'rxjs';
import { EntryHeap, type HeapEntry } from './heap.ts';
import { Random, type RandomStream } from './prng.ts';
import { assert, fail, type AssertionScope } from './assert.ts';
import { canonicalize } from './canonical.ts';
import type { TraceKind, TraceRecord, TraceSink } from './trace.ts';
import type {
  ActorContext, ActorLogic, ActorStatus, ChildSpec, Envelope, FaultDecision, FaultHook, Message,
  SendOptions, StandingEnd, StandingOpen, TimerOptions,
} from './types.ts';
import { lastStandingTick } from './types.ts';

/** The id of the root supervisor every top-level actor hangs under. */
export const ROOT = 'root';

/** Bounds: every loop has a named maximum. */
export const LIMITS = {
  /** Steps one runFor/runUntil/runUntilSettled call may take before it reports a livelock. */
  maxStepsPerRun: 50_000_000,
  /** Copies a duplicate fault may make of one message. */
  maxDuplicates: 16,
};

/** Cancelled entries the heap may hold before it is purged of them (when they are also most of it). */
const PURGE_CANCELLED_MIN = 4096;

/** Entries taken out of order (stepEntry, dropEntry, delayEntry) before the heap is purged of them. */
const MAX_TAKEN_OUT_OF_ORDER = 16;

interface QueueEntry extends HeapEntry {
  kind: 'deliver' | 'timer';
  /** The receiving actor (deliveries) or the owning actor (timers). */
  owner: string;
  /** The owner's incarnation when a timer was started: a timer dies with its incarnation. */
  incarnation: number;
  env: Envelope | null;
  name: string;
  fn: (() => void) | null;
  message: Message | null;
  background: boolean;
  cancelled: boolean;
  /** The owner's other pending timers (a list through its timers, see Cell.firstTimer). */
  prevTimer: QueueEntry | null;
  nextTimer: QueueEntry | null;
}

interface Cell {
  id: string;
  parent: string;
  spec: ChildSpec;
  logic: ActorLogic;
  status: ActorStatus;
  incarnation: number;
  ctx: ActorContext;
  /**
   * Its pending timers, linked through the entries (prevTimer, nextTimer): no Map per actor, whose
   * table V8 reallocates as a pod's few timers come and go.
   */
  firstTimer: QueueEntry | null;
  children: string[];
  lastState: string | undefined;
}

export interface RuntimeOptions {
  seed?: number;
  /** Where trace lines go; no sink = no trace cost. */
  trace?: TraceSink;
  /** Record 'send' lines (the message as sent) besides 'deliver' lines. Default false. */
  traceSends?: boolean;
  /**
   * Let actors open standing periodic streams (ctx.openStanding) so that idle periodic work
   * costs nothing per period. Default true; the model checker turns it off to explore every
   * period's delivery.
   */
  standing?: boolean;
}

/** A standing periodic stream (ctx.openStanding). */
interface Standing {
  id: number;
  from: string;
  to: string;
  start: number;
  period: number;
}

export interface PendingView {
  seq: number;
  due: number;
  kind: 'deliver' | 'timer';
  from?: string;
  to: string;
  type: string;
  background: boolean;
}

/** A pending queue entry as the model checker sees it: the queue's own object, read-only. */
export interface QueuedEntry {
  readonly seq: number;
  readonly due: number;
  readonly kind: 'deliver' | 'timer';
  /** The receiving actor (deliveries) or the owning actor (timers). */
  readonly owner: string;
  /** The owner's incarnation when a timer was started. */
  readonly incarnation: number;
  /** The message in flight (deliveries). */
  readonly env: Readonly<Envelope> | null;
  /** The timer's name (timers). */
  readonly name: string;
  /** The timer's message, when it delivers one (null for callbacks). */
  readonly message: Message | null;
  readonly background: boolean;
}

/** Signal a parent receives when a child exits. */
export interface ExitSignal extends Message {
  type: '$EXIT';
  child: string;
  normal: boolean;
  reason: string;
}

export class Runtime {
  readonly seed: number;
  readonly random: Random;
  /** Every trace record, for live observers (inspector, progress). */
  readonly records$ = new Subject<TraceRecord>();
  /** Every delivered envelope, for live observers. */
  readonly deliveries$ = new Subject<Envelope>();

  private clock = 0;
  /** Pending timers by handle (the entry's seq). */
  private readonly timerByHandle = new Map<number, QueueEntry>();
  private seq = 0;
  private msgId = 0;
  private lineNo = 0;
  private stepCount = 0;
  private queue = new EntryHeap<QueueEntry>();
  private foreground = 0;
  private cells = new Map<string, Cell>();
  private faultHooks: FaultHook[] = [];
  private sink: TraceSink | undefined;
  private traceSends: boolean;
  private fatal: Error | undefined;
  private readonly standingOn: boolean;
  private readonly standing = new Map<number, Standing>();
  /** Standing streams by the actors at either end. */
  private readonly standingOf = new Map<string, Set<number>>();
  private standingId = 0;
  /** Entries cancelled in place and still in the heap (an estimate: purges reset it). */
  private cancelledInQueue = 0;
  /** Entries the model checker took out of order (left cancelled in the heap until purged). */
  private takenOutOfOrder = 0;
  readonly scope: AssertionScope;

  constructor(opts: RuntimeOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.random = new Random(this.seed);
    this.sink = opts.trace;
    this.traceSends = opts.traceSends ?? false;
    this.standingOn = opts.standing ?? true;
    this.scope = { seed: this.seed, now: () => this.clock, steps: () => this.stepCount };
    this.record('header', () => ({ seed: this.seed, format: 'kubesim-trace/1' }));
  }

  // ---------------------------------------------------------------- time and randomness

  now(): number {
    return this.clock;
  }

  get steps(): number {
    return this.stepCount;
  }

  stream(name: string): RandomStream {
    return this.random.stream(name);
  }

  // ---------------------------------------------------------------- tracing

  get tracing(): boolean {
    return this.sink !== undefined || this.records$.observed;
  }

  /** Hot paths test this before building a trace record (no closure allocated when off). */
  private get tracingOn(): boolean {
    return this.sink !== undefined || this.records$.observers.length > 0;
  }

  setTraceSink(sink: TraceSink | undefined): void {
    this.sink = sink;
  }

  /** Records one trace line; `build` runs only when someone is listening. */
  record(kind: TraceKind, build: () => Record<string, unknown>): void {
    if (this.sink === undefined && !this.records$.observed) return;
    const rec: TraceRecord = { n: this.lineNo++, t: this.clock, kind, ...build() };
    if (this.sink) this.sink.write(JSON.stringify(rec), rec);
    if (this.records$.observed) this.records$.next(rec);
  }

  /** Records an outside input (a scenario's apply, a CLI flag) so replays can be checked. */
  input(what: string, data: Record<string, unknown>): void {
    this.record('input', () => ({ what, ...data }));
  }

  // ---------------------------------------------------------------- actors

  /** Starts a top-level actor (under the root) or a child of `parent`. */
  spawn(spec: ChildSpec, parent: string = ROOT): string {
    assert(!this.cells.get(spec.id) || this.cells.get(spec.id)!.status !== 'running',
      `actor ${spec.id} is already running`, this.scope);
    const previous = this.cells.get(spec.id);
    const cell: Cell = {
      id: spec.id, parent, spec, logic: spec.start(), status: 'running',
      incarnation: (previous?.incarnation ?? 0) + 1, ctx: undefined as unknown as ActorContext,
      firstTimer: null, children: previous?.children ?? [], lastState: undefined,
    };
    cell.ctx = this.contextFor(cell);
    this.cells.set(spec.id, cell);
    const parentCell = this.cells.get(parent);
    if (parentCell && !parentCell.children.includes(spec.id)) parentCell.children.push(spec.id);
    this.record(previous ? 'restart' : 'spawn', () => ({ actor: spec.id, parent, type: spec.type ?? 'actor', incarnation: cell.incarnation }));
    this.guard(cell, () => cell.logic.start?.(cell.ctx));
    this.noteState(cell);
    return spec.id;
  }

  /**
   * Stops an actor normally: its children first (right to left), then itself. The parent is
   * told with an $EXIT signal unless it asked for the stop itself (`notify: false`).
   */
  stop(id: string, reason = 'normal', opts: { notify?: boolean } = {}): void {
    const cell = this.cells.get(id);
    if (!cell || cell.status !== 'running') return;
    this.stopChildren(cell, reason);
    cell.status = 'stopped';
    this.cancelTimersOf(cell);
    this.endStandingOf(cell.id);
    this.guardStop(cell);
    this.record('stop', () => ({ actor: id, reason }));
    if (opts.notify !== false) this.notifyParent(cell, true, reason);
  }

  /** Injects a crash: the actor loses its in-memory state, its children die with it. */
  crash(id: string, reason = 'killed'): void {
    const cell = this.cells.get(id);
    if (!cell || cell.status !== 'running') return;
    this.stopChildren(cell, 'shutdown');
    cell.status = 'crashed';
    this.cancelTimersOf(cell);
    this.endStandingOf(cell.id);
    this.record('crash', () => ({ actor: id, reason }));
    try {
      cell.logic.stop?.(cell.ctx);
    } catch {
      // a crashing actor's clean-up errors are part of the crash
    }
    this.notifyParent(cell, false, reason);
  }

  status(id: string): ActorStatus | undefined {
    return this.cells.get(id)?.status;
  }

  incarnation(id: string): number {
    return this.cells.get(id)?.incarnation ?? 0;
  }

  /** Ids of all actors ever started, sorted. */
  actorIds(): string[] {
    return [...this.cells.keys()].sort();
  }

  /** The logic currently running for an actor (for inspection and tests, never for delivery). */
  logicOf(id: string): ActorLogic | undefined {
    const cell = this.cells.get(id);
    return cell && cell.status === 'running' ? cell.logic : undefined;
  }

  childrenOf(id: string): string[] {
    return [...(this.cells.get(id)?.children ?? [])];
  }

  parentOf(id: string): string | undefined {
    return this.cells.get(id)?.parent;
  }

  typeOf(id: string): string | undefined {
    return this.cells.get(id)?.spec.type;
  }

  // ---------------------------------------------------------------- messages and timers

  /** Sends a message; the runtime orders, records and may delay, drop or duplicate it. */
  send(from: string, to: string, message: Message, opts?: SendOptions): void {
    const env: Envelope = { id: this.msgId++, from, to, message, sentAt: this.clock };
    let delay = opts?.delay ?? 0;
    let copies = 1;
    const decision = this.decide(env);
    if (decision) {
      if (decision.action === 'drop') {
        this.record('drop', () => ({ id: env.id, from, to, type: message.type, reason: decision.reason ?? 'fault' }));
        return;
      }
      if (decision.action === 'delay') delay += decision.ms;
      if (decision.action === 'duplicate') {
        copies = 1 + Math.min(decision.copies ?? 1, LIMITS.maxDuplicates);
        this.record('duplicate', () => ({ id: env.id, from, to, type: message.type, copies }));
      }
    }
    if (!(delay >= 0 && Number.isFinite(delay))) fail(`negative or infinite delay ${delay} for ${message.type}`, this.scope);
    if (this.traceSends && this.tracingOn) this.record('send', () => ({ id: env.id, from, to, delay, msg: message }));
    for (let i = 0; i < copies; i++) {
      this.enqueue({
        due: this.clock + Math.round(delay), seq: this.seq++, kind: 'deliver', owner: to, incarnation: 0,
        env, name: '', fn: null, message: null, background: false, cancelled: false, prevTimer: null, nextTimer: null,
      });
    }
  }

  /** A timer owned by `owner`: delivers `message` to it, or runs `fn` (XState's clock), when due. */
  startTimer(owner: string, name: string, delay: number, target: Message | (() => void), opts?: TimerOptions): number {
    const cell = this.cells.get(owner);
    if (!(cell && cell.status === 'running')) fail(`timer ${name} started by ${owner}, which is not running`, this.scope);
    if (!(delay >= 0 && Number.isFinite(delay))) fail(`timer ${name} of ${owner} has invalid delay ${delay}`, this.scope);
    const entry: QueueEntry = {
      due: this.clock + Math.round(delay), seq: this.seq++, kind: 'timer', owner, incarnation: cell.incarnation,
      env: null, name, fn: typeof target === 'function' ? target : null,
      message: typeof target === 'function' ? null : target, background: opts?.background ?? false, cancelled: false,
      prevTimer: null, nextTimer: cell.firstTimer,
    };
    if (cell.firstTimer) cell.firstTimer.prevTimer = entry;
    cell.firstTimer = entry;
    this.timerByHandle.set(entry.seq, entry);
    this.enqueue(entry);
    return entry.seq;
  }

  cancelTimer(owner: string, handle: number): void {
    const t = this.timerByHandle.get(handle);
    if (!t || t.owner !== owner) return;
    const cell = this.cells.get(owner);
    if (cell) this.unlinkTimer(cell, t);
    this.cancelEntry(t);
  }

  /** Adds a fault hook (message drop, delay, duplication, partitions); returns its remover. */
  addFaultHook(hook: FaultHook): () => void {
    // A fault hook may drop, delay or duplicate any send: no stream can stand for its sends.
    for (const id of [...this.standing.keys()]) this.endStanding(id, undefined, 'fault');
    this.faultHooks.push(hook);
    return () => {
      this.faultHooks = this.faultHooks.filter((h) => h !== hook);
    };
  }

  // ---------------------------------------------------------------- standing streams

  /** See ActorContext.openStanding. */
  openStanding(from: string, to: string, message: Message, period: number, since = this.clock): number | undefined {
    if (!(period > 0 && Number.isFinite(period))) fail(`standing stream of ${from} has invalid period ${period}`, this.scope);
    if (!(since <= this.clock)) fail(`standing stream of ${from} starts in the future (${since} > ${this.clock})`, this.scope);
    const receiver = this.cells.get(to);
    if (!this.standingOn || this.faultHooks.length > 0 || !receiver || receiver.status !== 'running') return undefined;
    const s: Standing = { id: ++this.standingId, from, to, start: since, period };
    this.standing.set(s.id, s);
    this.noteStanding(from, s.id);
    this.noteStanding(to, s.id);
    const open: StandingOpen = { type: '$STANDING_OPEN', stream: s.id, message, start: s.start, period };
    this.notify(from, to, open);
    return s.id;
  }

  /** See ActorContext.closeStanding: `by` is the side that closes. */
  closeStanding(by: string, stream: number): void {
    const s = this.standing.get(stream);
    if (s && (by === s.from || by === s.to)) this.endStanding(stream, by, 'closed');
  }

  /** Open standing streams (for tests and the inspector). */
  get standingCount(): number {
    return this.standing.size;
  }

  private noteStanding(actor: string, id: number): void {
    let set = this.standingOf.get(actor);
    if (!set) this.standingOf.set(actor, (set = new Set()));
    set.add(id);
  }

  /** Ends a stream: the receiver always learns the last period covered, the sender unless it closed it. */
  private endStanding(id: number, by: string | undefined, reason: StandingEnd['reason']): void {
    const s = this.standing.get(id);
    if (!s) return;
    this.standing.delete(id);
    this.standingOf.get(s.from)?.delete(id);
    this.standingOf.get(s.to)?.delete(id);
    const end: StandingEnd = { type: '$STANDING_END', stream: id, lastTick: lastStandingTick(s.start, s.period, this.clock), reason };
    if (by !== s.to) this.notify(s.from, s.to, end);
    if (by !== s.from) this.notify(s.to, s.from, end);
  }

  private endStandingOf(actor: string): void {
    const ids = this.standingOf.get(actor);
    if (!ids || ids.size === 0) return;
    for (const id of [...ids].sort((a, b) => a - b)) this.endStanding(id, actor, 'down');
    this.standingOf.delete(actor);
  }

  /** A runtime notice between two actors: ordered like a message, never subject to fault hooks. */
  private notify(from: string, to: string, message: Message): void {
    const env: Envelope = { id: this.msgId++, from, to, message, sentAt: this.clock };
    if (this.traceSends && this.tracingOn) this.record('send', () => ({ id: env.id, from, to, delay: 0, msg: message }));
    this.enqueue({
      due: this.clock, seq: this.seq++, kind: 'deliver', owner: to, incarnation: 0,
      env, name: '', fn: null, message: null, background: false, cancelled: false, prevTimer: null, nextTimer: null,
    });
  }

  // ---------------------------------------------------------------- running

  /** Delivers the next message or fires the next timer. Returns false when nothing is pending. */
  step(): boolean {
    if (this.fatal) throw this.fatal;
    const entry = this.popLive();
    if (!entry) return false;
    if (!(entry.due >= this.clock)) fail(`time moved backwards: ${entry.due} < ${this.clock}`, this.scope);
    this.clock = entry.due;
    this.stepCount++;
    if (entry.kind === 'deliver') this.deliver(entry.env!);
    else this.fire(entry);
    if (this.fatal) throw this.fatal;
    return true;
  }

  /** Runs everything due within `ms` virtual milliseconds, then sets the clock to the end. */
  runFor(ms: number): void {
    if (!(ms >= 0)) fail(`runFor(${ms}): duration must be >= 0`, this.scope);
    const end = this.clock + ms;
    let steps = 0;
    for (let next = this.peekLive(); next && next.due <= end; next = this.peekLive()) {
      this.step();
      if (++steps > LIMITS.maxStepsPerRun) this.checkBudget(steps, `runFor(${ms})`);
    }
    this.clock = end;
  }

  /** Steps until `predicate` holds; throws if it does not within `timeout` virtual ms. */
  runUntil(predicate: () => boolean, opts: { timeout?: number; what?: string } = {}): void {
    const deadline = this.clock + (opts.timeout ?? 3_600_000);
    let steps = 0;
    while (!predicate()) {
      const next = this.peekLive();
      if (!next || next.due > deadline) {
        this.clock = Math.max(this.clock, deadline);
        throw new Error(`runUntil: ${opts.what ?? 'condition'} not reached within ${opts.timeout ?? 3_600_000} ms ` +
          `(seed ${this.seed}, virtual time ${this.clock} ms, ${this.describePending()})`);
      }
      this.step();
      this.checkBudget(++steps, 'runUntil');
    }
  }

  /** Steps until no work is pending but background (periodic) timers. */
  runUntilSettled(opts: { timeout?: number } = {}): void {
    const deadline = this.clock + (opts.timeout ?? 3_600_000);
    let steps = 0;
    while (this.foreground > 0) {
      const next = this.peekLive();
      if (!next) break;
      if (next.due > deadline) {
        throw new Error(`runUntilSettled: not settled within ${opts.timeout ?? 3_600_000} ms ` +
          `(seed ${this.seed}, virtual time ${this.clock} ms, ${this.describePending()})`);
      }
      this.step();
      this.checkBudget(++steps, 'runUntilSettled');
    }
  }

  /** True when only background timers (or nothing) are pending. */
  get settled(): boolean {
    return this.foreground === 0;
  }

  /** Due time of the next pending entry, if any. */
  nextDue(): number | undefined {
    return this.peekLive()?.due;
  }

  /** The pending messages and timers in delivery order (for the model checker and inspector). */
  pending(): PendingView[] {
    return this.queue.sorted().filter((e) => !e.cancelled).map((e) => ({
      seq: e.seq, due: e.due, kind: e.kind, from: e.env?.from, to: e.owner,
      type: e.env ? e.env.message.type : e.message ? e.message.type : e.name, background: e.background,
    }));
  }

  // ---------------------------------------------------------------- model checker (choice points)

  /**
   * The live pending entries in (due, seq) order, as read-only views of the queue's own entries
   * (no copy of messages). For the model checker: it picks among them with stepEntry().
   */
  pendingEntries(): readonly QueuedEntry[] {
    if (this.takenOutOfOrder > MAX_TAKEN_OUT_OF_ORDER) {
      this.queue.filter((e) => !e.cancelled);
      this.takenOutOfOrder = 0;
    }
    return this.queue.sorted().filter((e) => !e.cancelled);
  }

  /** The live entry with this sequence number, if any (O(n)). */
  entry(seq: number): QueuedEntry | undefined {
    return this.findLive(seq);
  }

  /** The live entry `seq` (O(n), no sort). */
  private findLive(seq: number): QueueEntry | undefined {
    return this.queue.find((e) => e.seq === seq && !e.cancelled);
  }

  /**
   * Delivers (or fires) the pending entry `seq` now, whatever its place in the queue: the model
   * checker's choice point. The clock moves to the entry's due time if that is later, never
   * back. Once entries are taken out of order, keep driving the run with stepEntry() (step()
   * asserts that due times never go backwards). Returns false when no such live entry exists.
   */
  stepEntry(seq: number): boolean {
    if (this.fatal) throw this.fatal;
    const entry = this.findLive(seq);
    if (!entry) return false;
    entry.cancelled = true;
    this.takenOutOfOrder++;
    if (!entry.background) this.foreground--;
    this.clock = Math.max(this.clock, entry.due);
    this.stepCount++;
    if (entry.kind === 'deliver') this.deliver(entry.env!);
    else this.fire(entry);
    if (this.fatal) throw this.fatal;
    return true;
  }

  /** Drops a pending delivery (a lost message), recorded as a 'drop' line. */
  dropEntry(seq: number, reason = 'model checker'): boolean {
    const entry = this.findLive(seq);
    if (!entry || entry.kind !== 'deliver') return false;
    const env = entry.env!;
    this.cancelEntry(entry);
    this.takenOutOfOrder++;
    this.record('drop', () => ({ id: env.id, from: env.from, to: env.to, type: env.message.type, reason }));
    return true;
  }

  /** Queues one more copy of a pending delivery (a duplicated message), recorded as a 'duplicate' line. */
  duplicateEntry(seq: number): boolean {
    const entry = this.findLive(seq);
    if (!entry || entry.kind !== 'deliver') return false;
    const env = entry.env!;
    this.record('duplicate', () => ({ id: env.id, from: env.from, to: env.to, type: env.message.type, copies: 2 }));
    this.enqueue({ ...entry, seq: this.seq++, cancelled: false });
    return true;
  }

  /** Moves a pending delivery `ms` later (a slow network path), keeping its place among equals. */
  delayEntry(seq: number, ms: number): boolean {
    const entry = this.findLive(seq);
    if (!entry || entry.kind !== 'deliver') return false;
    if (!(ms >= 0 && Number.isFinite(ms))) fail(`invalid delay ${ms}`, this.scope);
    this.cancelEntry(entry);
    this.takenOutOfOrder++;
    this.enqueue({ ...entry, due: Math.max(this.clock, entry.due) + Math.round(ms), cancelled: false });
    return true;
  }

  /** The whole system's state, canonical (sorted keys), JSON-serialisable. */
  snapshot(): unknown {
    const actors: Record<string, unknown> = {};
    for (const id of this.actorIds()) {
      const c = this.cells.get(id)!;
      actors[id] = {
        status: c.status, parent: c.parent, type: c.spec.type ?? 'actor', incarnation: c.incarnation,
        value: c.status === 'running' ? c.logic.stateValue?.() ?? null : null,
        state: c.status === 'running' ? c.logic.snapshot?.() ?? null : null,
      };
    }
    const queue = this.queue.sorted().filter((e) => !e.cancelled).map((e) => e.kind === 'deliver'
      ? { due: e.due, seq: e.seq, kind: e.kind, from: e.env!.from, to: e.owner, message: e.env!.message }
      : { due: e.due, seq: e.seq, kind: e.kind, owner: e.owner, name: e.name, message: e.message, background: e.background });
    const standing = [...this.standing.values()].map((x) => ({ ...x }));
    return canonicalize({ time: this.clock, seq: this.seq, msgId: this.msgId, random: this.random.snapshot(), actors, queue, ...(standing.length ? { standing } : {}) });
  }

  // ---------------------------------------------------------------- internals

  private contextFor(cell: Cell): ActorContext {
    return new CellContext(this, cell.id, cell.incarnation);
  }

  private decide(env: Envelope): FaultDecision | undefined {
    for (let i = 0; i < this.faultHooks.length; i++) {
      const d = this.faultHooks[i](env);
      if (d && d.action !== 'deliver') return d;
    }
    return undefined;
  }

  private enqueue(e: QueueEntry): void {
    if (!e.background) this.foreground++;
    this.queue.push(e);
  }

  private cancelEntry(e: QueueEntry): void {
    if (e.cancelled) return;
    e.cancelled = true;
    if (!e.background) this.foreground--;
    // Cancelled entries leave the heap when they reach its top; when they are most of it
    // (cancelled XState timers of settled pods), drop them all at once.
    if (++this.cancelledInQueue > PURGE_CANCELLED_MIN && this.cancelledInQueue * 2 > this.queue.size) {
      this.queue.filter((x) => !x.cancelled);
      this.cancelledInQueue = 0;
    }
  }

  private peekLive(): QueueEntry | undefined {
    let top = this.queue.peek();
    while (top && top.cancelled) {
      this.queue.pop();
      if (this.cancelledInQueue > 0) this.cancelledInQueue--;
      top = this.queue.peek();
    }
    return top;
  }

  private popLive(): QueueEntry | undefined {
    const e = this.peekLive();
    if (!e) return undefined;
    this.queue.pop();
    if (!e.background) this.foreground--;
    return e;
  }

  private deliver(env: Envelope): void {
    const cell = this.cells.get(env.to);
    if (!cell || cell.status !== 'running') {
      if (this.tracingOn) this.record('dead-letter', () => ({ id: env.id, from: env.from, to: env.to, type: env.message.type }));
      return;
    }
    if (this.tracingOn) this.record('deliver', () => ({ id: env.id, from: env.from, to: env.to, msg: env.message }));
    if (this.deliveries$.observers.length > 0) this.deliveries$.next(env);
    try {
      cell.logic.receive(env, cell.ctx);
    } catch (e) {
      if (cell.status === 'running') this.crash(cell.id, errorText(e));
    }
    if (this.tracingOn) this.noteState(cell);
  }

  private fire(entry: QueueEntry): void {
    const cell = this.cells.get(entry.owner);
    if (!cell || cell.status !== 'running' || cell.incarnation !== entry.incarnation) return;
    this.unlinkTimer(cell, entry);
    if (this.tracingOn) this.record('timer', () => ({ actor: entry.owner, timer: entry.name }));
    try {
      if (entry.fn) entry.fn();
      else cell.logic.receive({ id: this.msgId++, from: entry.owner, to: entry.owner, message: entry.message!, sentAt: this.clock }, cell.ctx);
    } catch (e) {
      if (cell.status === 'running') this.crash(cell.id, errorText(e));
    }
    if (this.tracingOn) this.noteState(cell);
  }

  /** Runs actor code; an exception crashes the actor (and only the actor). */
  private guard(cell: Cell, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (cell.status === 'running') this.crash(cell.id, errorText(e));
    }
  }

  private guardStop(cell: Cell): void {
    try {
      cell.logic.stop?.(cell.ctx);
    } catch (e) {
      this.record('log', () => ({ actor: cell.id, what: 'stop-error', error: errorText(e) }));
    }
  }

  private noteState(cell: Cell): void {
    if (!cell.logic.stateValue || cell.status !== 'running' || !this.tracing) return;
    const v = cell.logic.stateValue();
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text === cell.lastState) return;
    cell.lastState = text;
    this.record('state', () => ({ actor: cell.id, value: v }));
  }

  private stopChildren(cell: Cell, reason: string): void {
    for (let i = cell.children.length - 1; i >= 0; i--) {
      const child = this.cells.get(cell.children[i]);
      if (!child || child.status !== 'running') continue;
      this.stopChildren(child, reason);
      child.status = 'stopped';
      this.cancelTimersOf(child);
      this.endStandingOf(child.id);
      this.guardStop(child);
      this.record('stop', () => ({ actor: child.id, reason }));
    }
  }

  private cancelTimersOf(cell: Cell): void {
    while (cell.firstTimer) {
      const t = cell.firstTimer;
      this.unlinkTimer(cell, t);
      this.cancelEntry(t);
    }
  }

  /** Takes a timer out of its owner's pending ones (it fired or was cancelled). */
  private unlinkTimer(cell: Cell, t: QueueEntry): void {
    if (!this.timerByHandle.delete(t.seq)) return;
    if (t.prevTimer) t.prevTimer.nextTimer = t.nextTimer;
    else if (cell.firstTimer === t) cell.firstTimer = t.nextTimer;
    if (t.nextTimer) t.nextTimer.prevTimer = t.prevTimer;
    t.prevTimer = null;
    t.nextTimer = null;
  }

  private notifyParent(cell: Cell, normal: boolean, reason: string): void {
    const parent = this.cells.get(cell.parent);
    if (!parent || parent.status !== 'running') {
      if (normal) return;
      this.record('escalate', () => ({ actor: cell.id, reason }));
      if (cell.id === ROOT) this.failFatally(`the root supervisor gave up: ${reason}`);
      return;
    }
    const exit: ExitSignal = { type: '$EXIT', child: cell.id, normal, reason };
    this.send(cell.id, cell.parent, exit);
  }

  /** Called by a top-level supervisor that gave up: the simulation cannot go on. */
  failFatally(message: string): void {
    this.fatal = new Error(`${message} (seed ${this.seed}, virtual time ${this.clock} ms, step ${this.stepCount})`);
  }

  private checkBudget(steps: number, what: string): void {
    if (steps > LIMITS.maxStepsPerRun) {
      throw new Error(`${what}: more than ${LIMITS.maxStepsPerRun} steps without finishing (livelock?) ` +
        `(seed ${this.seed}, virtual time ${this.clock} ms, ${this.describePending()})`);
    }
  }

  /** A short account of what is still pending, for "did not settle" errors. */
  describePending(): string {
    const counts = new Map<string, number>();
    for (const e of this.queue.sorted()) {
      if (e.cancelled || e.background) continue;
      const key = `${e.kind === 'deliver' ? e.env!.message.type : e.name} → ${e.owner}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size === 0) return 'nothing pending but background timers';
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${n}× ${k}`);
    return `pending: ${top.join(', ')}`;
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * An actor's handle on the runtime. One small object per actor with its methods on the prototype
 * (a 30,000-pod cluster has as many actors); `now` is an own function so it can be passed around.
 */
class CellContext implements ActorContext {
  readonly now: () => number;

  constructor(private readonly rt: Runtime, readonly self: string, readonly incarnation: number) {
    this.now = () => rt.now();
  }

  send(to: string, message: Message, opts?: SendOptions): void {
    this.rt.send(this.self, to, message, opts);
  }

  startTimer(name: string, delay: number, message: Message | (() => void), opts?: TimerOptions): number {
    return this.rt.startTimer(this.self, name, delay, message, opts);
  }

  cancelTimer(handle: number): void {
    this.rt.cancelTimer(this.self, handle);
  }

  openStanding(to: string, message: Message, period: number, since?: number): number | undefined {
    return this.rt.openStanding(this.self, to, message, period, since);
  }

  closeStanding(stream: number): void {
    this.rt.closeStanding(this.self, stream);
  }

  random(stream: string): RandomStream {
    return this.rt.random.stream(`${this.self}/${stream}`);
  }

  spawn(spec: ChildSpec): void {
    this.rt.spawn(spec, this.self);
  }

  stopChild(child: string): void {
    this.rt.stop(child, 'shutdown', { notify: false });
  }

  log(kind: string, data: Record<string, unknown>): void {
    if (!this.rt.tracing) return;
    const actor = this.self;
    this.rt.record('log', () => ({ actor, what: kind, ...data }));
  }

  get tracing(): boolean {
    return this.rt.tracing;
  }

  traceState(part: string, value: unknown): void {
    const self = this.self;
    this.rt.record('state', () => ({ actor: `${self}#${part}`, value }));
  }
}
