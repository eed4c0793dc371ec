// The runtime's vocabulary: messages, envelopes, actor logic and the context an actor sees.
// Nothing here knows about Kubernetes.

/** A message between actors: any JSON value with a `type`. */
export interface Message {
  type: string;
  [key: string]: unknown;
}

/** A message in flight, as the runtime orders, records and delivers it. */
export interface Envelope<M extends Message = Message> {
  /** The runtime's message number (unique per run). */
  id: number;
  from: string;
  to: string;
  message: M;
  sentAt: number;
}

/** What a fault hook decides for one message at send time. */
export type FaultDecision =
  | { action: 'deliver' }
  | { action: 'drop'; reason?: string }
  | { action: 'delay'; ms: number }
  | { action: 'duplicate'; copies?: number };

export type FaultHook = (env: Envelope) => FaultDecision | undefined;

export interface SendOptions {
  /** Virtual milliseconds before delivery (network latency, backoff). Default 0. */
  delay?: number;
}

export interface TimerOptions {
  /**
   * A background timer (heartbeat, resync) does not keep the system from being settled:
   * runUntilSettled() stops when only background timers are pending.
   */
  background?: boolean;
}

/** The services an actor uses; every one of them goes through the runtime. */
export interface ActorContext {
  readonly self: string;
  /** 1 for the first start, +1 for every restart of this actor id. */
  readonly incarnation: number;
  now(): number;
  send(to: string, message: Message, opts?: SendOptions): void;
  /**
   * After `delay` ms, delivers `message` to this actor (or runs the callback, for XState's
   * clock and RxJS's scheduler). Returns a handle for cancelTimer. A timer dies with the
   * incarnation that started it.
   */
  startTimer(name: string, delay: number, message: Message | (() => void), opts?: TimerOptions): number;
  cancelTimer(handle: number): void;
  /** A named seeded random stream, private to this actor's id and stream name. */
  random(stream: string): import('./prng.ts').RandomStream;
  /** Starts a child actor supervised by this one. */
  spawn(spec: ChildSpec): void;
  /** Stops a child actor (normal exit, no restart for transient/temporary children). */
  stopChild(id: string): void;
  /** Records a free-form trace line (for example a decision and its reasons). */
  log(kind: string, data: Record<string, unknown>): void;
  /**
   * A standing periodic send: stands for sending `message` to `to` every `period` ms (first at
   * now + period) for as long as the stream stands, without a delivery per period. The receiver
   * gets one {@link StandingOpen} now and one {@link StandingEnd} when the stream ends, naming
   * the last period covered; from the ticks in between it derives what each send would have
   * done. Returns undefined when the runtime cannot stand for the sends (standing streams are
   * off, or a fault hook could drop, delay or duplicate them): send each period yourself then.
   * `since` (default now, never later) sets the phase: the periods are since + k * period.
   */
  openStanding(to: string, message: Message, period: number, since?: number): number | undefined;
  /** Ends a standing stream this actor sends or receives; the other side gets a StandingEnd. */
  closeStanding(stream: number): void;
  /** Whether anything records the trace (so an actor can skip building what nobody reads). */
  readonly tracing: boolean;
  /**
   * Records a state change of a machine inside this actor (a pod's container machines) as a
   * `state` line for actor `<self>#<part>`; called from XState's inspection API.
   */
  traceState(part: string, value: unknown): void;
}

/** Told to the receiver when a standing stream opens (delivered at once, like a message). */
export interface StandingOpen extends Message {
  type: '$STANDING_OPEN';
  stream: number;
  /** The message each period stands for. */
  message: Message;
  /** The stream's phase: the periods are start + k * period, k >= 1 (start <= the instant it opened). */
  start: number;
  period: number;
}

/** Told to the side that did not end a standing stream (and to the receiver in every case). */
export interface StandingEnd extends Message {
  type: '$STANDING_END';
  stream: number;
  /** The last period the stream covered (start when it covered none). */
  lastTick: number;
  /** 'closed' (a side closed it), 'down' (a side stopped or crashed) or 'fault' (a fault hook was added). */
  reason: 'closed' | 'down' | 'fault';
}

/** The last period a standing stream started at `start` covers at `now`. */
export function lastStandingTick(start: number, period: number, now: number): number {
  return now <= start ? start : start + Math.floor((now - start) / period) * period;
}

/**
 * An actor's behaviour. Created fresh on every (re)start: a crash loses all in-memory state.
 * Any exception thrown from these methods crashes the actor.
 */
export interface ActorLogic {
  start?(ctx: ActorContext): void;
  receive(env: Envelope, ctx: ActorContext): void;
  stop?(ctx: ActorContext): void;
  /** A JSON-serialisable view of the actor's state, for snapshot() and the inspector. */
  snapshot?(): unknown;
  /** The current state value of the actor's lifecycle machine, when it has one. */
  stateValue?(): unknown;
  /** The machine definition (for the inspector), when the actor runs one. */
  machine?(): unknown;
  /**
   * Whether the actor is hibernating: idle, it keeps only its machines' state and rebuilds them
   * on the next delivery (Erlang's `hibernate`). Not part of snapshot(): it changes nothing observable.
   */
  hibernating?(): boolean;
}

/** OTP restart types. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** An OTP-style child specification. */
export interface ChildSpec {
  id: string;
  /** Builds fresh logic for a (re)start. */
  start: () => ActorLogic;
  restart?: RestartType;
  /** Virtual ms a child may take to stop before it is killed (recorded; stop is immediate here). */
  shutdown?: number;
  /** Kind of actor, for the inspector and traces (e.g. 'kubelet', 'controller'). */
  type?: string;
}

export type SupervisorStrategy = 'oneForOne' | 'oneForAll' | 'restForOne';

export interface SupervisorFlags {
  strategy: SupervisorStrategy;
  /** Max restarts within `period` before the supervisor gives up and escalates. OTP default 1. */
  intensity: number;
  /** Virtual milliseconds. OTP default 5 s. */
  period: number;
}

export type ActorStatus = 'running' | 'stopped' | 'crashed';
