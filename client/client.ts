// The API client an actor uses to talk to the kube-apiserver actor. Requests and replies are
// messages through the runtime; a reply is handed to the callback given with the request.
// Callbacks, not promises: promise continuations would run outside the runtime's ordering.
import type { ActorContext, Envelope } from '../runtime/index.ts';
import type { KubeObject, UserInfo, WatchEvent } from '../api/types.ts';
import { newTimeout, type Status } from '../api/errors.ts';
import {
  APISERVER, type ApiRequest, type ApiRequestMessage, type ApiResponseMessage, type ApiResult, type ApiWatchMessage,
  type DeleteOptions, type ListOptions,
} from '../api/request.ts';
import type { PatchType } from '../api/patch.ts';
import type { TokenBucket } from './rate-limiter.ts';
import { lookupKind } from '../api/registry.ts';

export type ResultCallback = (result: ApiResult) => void;

/**
 * Another client of the same component that a request goes through instead, standing for its rate
 * limiter: the kubelet's and the scheduler's event clients, the kubelet's heartbeat client.
 */
export interface Via {
  limiter: TokenBucket | undefined;
}

/** The kubelet's heartbeat client (Lease renewals and NodeStatus): QPS -1, never throttled. */
export const HEARTBEAT_CLIENT: Via = Object.freeze({ limiter: undefined });

export interface ApiClientOptions {
  /** The API server's actor id. */
  server?: string;
  /**
   * Give up on a request that got no answer in this many virtual ms (a partitioned client's
   * requests are dropped); the callback then gets a 504 Timeout.
   */
  timeoutMs?: number;
  /**
   * The client-side rate limiter (client-go's token bucket): a bucket, or a function giving the
   * current one (clients of one process share it). Watches are never throttled.
   */
  rateLimiter?: TokenBucket | (() => TokenBucket | undefined);
}

/** `POST:/api/v1/namespaces/default/pods`, as client-go's throttling message names a request. */
function requestLine(r: ApiRequest): string {
  const method = r.verb === 'create' ? 'POST' : r.verb === 'update' ? 'PUT' : r.verb === 'patch' ? 'PATCH' : r.verb === 'delete' ? 'DELETE' : 'GET';
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion];
  const resource = lookupKind(r.apiVersion, r.kind)?.resource ?? `${r.kind.toLowerCase()}s`;
  const path = [group ? `/apis/${group}/${version}` : `/api/${version}`, r.namespace ? `/namespaces/${r.namespace}` : '', `/${resource}`, r.name ? `/${r.name}` : '', r.subresource ? `/${r.subresource}` : ''];
  return `${method}:${path.join('')}`;
}

export interface WatchHandler {
  event(ev: WatchEvent): void;
  /** The watch ended (server restart or disconnect); re-list and re-watch. */
  closed(): void;
}

/** Identifies a kind: apiVersion + kind, as in a manifest. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

export class ApiClient {
  private nextId: number;
  private nextWatch = 1;
  private readonly pending = new Map<number, ResultCallback | undefined>();
  private readonly timers = new Map<number, number>();
  private readonly watches = new Map<string, WatchHandler>();
  private readonly unknownWatches = new Set<string>();

  private readonly server: string;
  private readonly timeoutMs: number | undefined;
  /** The bucket requests wait on (undefined: none); the kubelet's pod workers share the kubelet's. */
  private readonly limiter: (() => TokenBucket | undefined) | undefined;
  /** When the last request that waited on a rate limiter goes out (throttledUntil). */
  private lastSendAt = -Infinity;
  private lastThrottleLog = -Infinity;

  constructor(private readonly ctx: ActorContext, readonly user: UserInfo, opts: ApiClientOptions = {}) {
    this.server = opts.server ?? APISERVER;
    this.timeoutMs = opts.timeoutMs;
    const limiter = opts.rateLimiter;
    this.limiter = typeof limiter === 'function' ? limiter : limiter ? () => limiter : undefined;
    // Ids differ per incarnation: a reply meant for a crashed predecessor is not taken for ours.
    this.nextId = ctx.incarnation * 1_000_000_000 + 1;
  }

  /** Routes a reply or watch event to its callback; returns false for messages not the client's. */
  handle(env: Envelope): boolean {
    const m = env.message;
    if (m.type === 'api.response') {
      const r = m as ApiResponseMessage;
      if (!this.pending.has(r.id)) return true;
      const cb = this.pending.get(r.id);
      this.pending.delete(r.id);
      const timer = this.timers.get(r.id);
      if (timer !== undefined) {
        this.ctx.cancelTimer(timer);
        this.timers.delete(r.id);
      }
      cb?.(r.result);
      return true;
    }
    if (m.type === 'api.watch') {
      const w = m as ApiWatchMessage;
      const h = this.watches.get(w.watchId);
      if (h) h.event(w.event);
      else if (!this.unknownWatches.has(w.watchId)) {
        // A watch of a crashed predecessor: its connection is gone, so close it at the server.
        this.unknownWatches.add(w.watchId);
        this.request({ verb: 'unwatch', apiVersion: 'v1', kind: '*', watchId: w.watchId });
      }
      return true;
    }
    if (m.type === 'api.watch.closed') {
      const id = m.watchId as string;
      const h = this.watches.get(id);
      this.watches.delete(id);
      h?.closed();
      return true;
    }
    return false;
  }

  /** Sends `request`; `cb` gets the answer. `via`: as post's. */
  request(request: ApiRequest, cb?: ResultCallback, via?: Via): void {
    const id = this.nextId++;
    this.pending.set(id, cb);
    this.sendAfter(this.wait(request, via), { type: 'api.request', id, user: this.user, request });
  }

  /**
   * A request whose answer nobody waits for, as client-go's event broadcaster writes events in
   * the background: no reply comes back and no timeout runs. `via` stands for the client the
   * broadcaster writes through, when that is not this one: its rate limiter is used instead.
   */
  post(request: ApiRequest, via?: Via): void {
    this.sendAfter(this.wait(request, via), { type: 'api.request', id: this.nextId++, user: this.user, request, noReply: true });
  }

  /**
   * tryThrottle: takes a token from the request's bucket (the client's, or `via`'s) and returns
   * the ms until the request may go. Watches never wait, nor anything sent `via` a client without
   * a limiter (the kubelet's heartbeat client: HEARTBEAT_CLIENT).
   */
  private wait(request: ApiRequest, via: Via | undefined): number {
    if (request.verb === 'watch' || request.verb === 'unwatch') return 0;
    const limiter = via ? via.limiter : this.limiter?.();
    if (!limiter) return 0;
    const now = this.ctx.now();
    const at = limiter.reserve(now);
    if (at <= now) return 0;
    this.lastSendAt = Math.max(this.lastSendAt, at);
    const wait = at - now;
    // Upstream logs a wait above a second, at most once every 10 s (extraLongThrottleLatency).
    if (wait > 1_000 && now - this.lastThrottleLog >= 10_000) {
      this.lastThrottleLog = now;
      this.ctx.log('client-throttling', { message: `Waited for ${wait / 1000}s due to client-side throttling, not priority and fairness, request: ${requestLine(request)}` });
    }
    return wait;
  }

  /** Sends `msg` after `wait` ms; the request's timeout runs from then (a throttled wait is not the server's delay). */
  private sendAfter(wait: number, msg: ApiRequestMessage): void {
    if (wait <= 0) this.send(msg);
    else this.ctx.startTimer('client-throttle', wait, () => this.send(msg));
  }

  private send(msg: ApiRequestMessage): void {
    this.ctx.send(this.server, msg);
    if (this.timeoutMs !== undefined && !msg.noReply) {
      const id = msg.id;
      this.timers.set(id, this.ctx.startTimer('api-timeout', this.timeoutMs, () => this.expire(id, msg.request)));
    }
  }

  private expire(id: number, request: ApiRequest): void {
    if (!this.pending.has(id)) return;
    const cb = this.pending.get(id);
    this.pending.delete(id);
    this.timers.delete(id);
    cb?.({ ok: false, status: newTimeout(`the ${request.verb} of ${request.kind.toLowerCase()} "${request.name ?? ''}" got no answer within ${this.timeoutMs! / 1000}s`).status });
    this.connectionLost();
  }

  /**
   * A request got no answer: the connection is taken as broken (HTTP/2's health check would
   * find it so), and every watch on it ends; informers re-list and re-watch when they can.
   */
  private connectionLost(): void {
    const handlers = [...this.watches.entries()];
    this.watches.clear();
    for (const [id, h] of handlers) {
      this.unknownWatches.add(id);
      h.closed();
    }
  }

  create(obj: KubeObject, cb?: ResultCallback, subresource?: string, via?: Via): void {
    this.request({ verb: 'create', apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, body: obj, subresource }, cb, via);
  }

  update(obj: KubeObject, cb?: ResultCallback): void {
    this.request({ verb: 'update', apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, body: obj }, cb);
  }

  updateStatus(obj: KubeObject, cb?: ResultCallback): void {
    this.request({ verb: 'update', apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, body: obj, subresource: 'status' }, cb);
  }

  patch(ref: KindRef, namespace: string | undefined, name: string, patch: unknown, patchType: PatchType, cb?: ResultCallback, subresource?: string, via?: Via): void {
    this.request({ verb: 'patch', ...ref, namespace, name, body: patch, patchType, subresource }, cb, via);
  }

  delete(ref: KindRef, namespace: string | undefined, name: string, opts?: DeleteOptions, cb?: ResultCallback): void {
    this.request({ verb: 'delete', ...ref, namespace, name, deleteOptions: opts }, cb);
  }

  get(ref: KindRef, namespace: string | undefined, name: string, cb: ResultCallback): void {
    this.request({ verb: 'get', ...ref, namespace, name }, cb);
  }

  list(ref: KindRef, namespace: string | undefined, opts: ListOptions, cb: ResultCallback): void {
    this.request({ verb: 'list', ...ref, namespace, listOptions: opts }, cb);
  }

  /** Opens a watch; returns its id. `cb` gets the server's answer (an error, e.g. 410, ends it). */
  watch(ref: KindRef, namespace: string | undefined, opts: ListOptions, handler: WatchHandler, cb?: (error: Status | undefined) => void): string {
    const watchId = `w${this.ctx.incarnation}.${this.nextWatch++}`;
    this.watches.set(watchId, handler);
    this.request({ verb: 'watch', ...ref, namespace, listOptions: opts, watchId }, (r) => {
      if (!r.ok) this.watches.delete(watchId);
      cb?.(r.ok ? undefined : r.status);
    });
    return watchId;
  }

  unwatch(watchId: string): void {
    if (!this.watches.delete(watchId)) return;
    this.request({ verb: 'unwatch', apiVersion: 'v1', kind: '*', watchId });
  }

  /** When the last request waiting on the rate limiter goes out (-Infinity if none ever waited). */
  get throttledUntil(): number {
    return this.lastSendAt;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }
}
