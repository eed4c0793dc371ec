// The kube-apiserver actor: serves API requests and watches over the runtime's message bus.
// The store (etcd) outlives the actor: a crashed API server loses its watch connections, not
// its data, and every watcher is told its watch closed so its informer re-lists and re-watches.
import type { ActorContext, ActorLogic, Envelope, StandingEnd, StandingOpen } from '../runtime/index.ts';
import type { HeartbeatMessage } from '../api/heartbeats.ts';
import { ApiServer } from '../api/server.ts';
import { isStatusError, newInternalError } from '../api/errors.ts';
import type { ApiRequestMessage, ApiResponseMessage, ApiResult } from '../api/request.ts';

/** A watcher is told its watch ended (server restart, or 410 on resume). */
export interface WatchClosedMessage {
  type: 'api.watch.closed';
  watchId: string;
  [k: string]: unknown;
}

/** Fault message: close the watch connections of the actors under a prefix (a healed partition). */
export const DROP_CONNECTIONS = 'apiserver.dropConnections';
/** Its own timer: etcd's leases (Events' --event-ttl) due now expire. */
const EXPIRE_LEASES = 'apiserver.expireLeases';

export class ApiServerActor implements ActorLogic {
  private readonly watches = new Map<string, Set<string>>();

  constructor(private readonly server: ApiServer) {}

  start(ctx: ActorContext): void {
    this.server.emit = (actor, watchId, event) => ctx.send(actor, { type: 'api.watch', watchId, event });
    this.server.endStream = (stream) => ctx.closeStanding(stream);
    // etcd expires Events' leases whether or not the API server runs: the first due is re-armed.
    this.server.onLeaseExpiry = (at) => ctx.startTimer('lease-expiry', Math.max(0, at - ctx.now()), { type: EXPIRE_LEASES }, { background: true });
    const next = this.server.nextLeaseExpiry();
    if (next !== undefined) this.server.onLeaseExpiry(next);
  }

  receive(env: Envelope, ctx: ActorContext): void {
    if (env.message.type === DROP_CONNECTIONS) return this.dropConnections(env.message.prefix as string, ctx);
    if (env.message.type === EXPIRE_LEASES) return this.server.expireLeases();
    if (env.message.type === '$STANDING_OPEN') return this.openHeartbeat(env.message as StandingOpen, ctx);
    if (env.message.type === '$STANDING_END') return this.server.endHeartbeat((env.message as StandingEnd).stream, (env.message as StandingEnd).lastTick);
    if (env.message.type !== 'api.request') return;
    const msg = env.message as ApiRequestMessage;
    const result = this.serve(msg, env.from, ctx);
    if (msg.noReply) return;
    const reply: ApiResponseMessage = { type: 'api.response', id: msg.id, result };
    ctx.send(env.from, reply);
  }

  /** A holder's standing heartbeat (api/heartbeats.ts); refused ones make it write each period. */
  private openHeartbeat(open: StandingOpen, ctx: ActorContext): void {
    const m = open.message as HeartbeatMessage & { user?: import('../api/types.ts').UserInfo };
    if (m.type !== 'api.heartbeat' || !m.user || !this.server.openHeartbeat(open.stream, m, m.user, open.start, open.period)) ctx.closeStanding(open.stream);
  }

  /** On stop or crash every open watch connection closes, and the standing heartbeats are written up to now. */
  stop(ctx: ActorContext): void {
    this.server.endAllHeartbeats();
    this.server.endStream = () => {};
    this.server.onLeaseExpiry = () => {};
    for (const [actor, ids] of [...this.watches].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      for (const watchId of ids) {
        this.server.removeWatch(actor, watchId);
        const closed: WatchClosedMessage = { type: 'api.watch.closed', watchId };
        ctx.send(actor, closed);
      }
    }
    this.watches.clear();
    this.server.emit = () => {};
  }

  snapshot(): unknown {
    return this.server.snapshot();
  }

  /**
   * The connections of the actors under `prefix` broke (a network partition): their watches
   * end and each watcher is told, so its informer re-watches from the last version it saw.
   */
  private dropConnections(prefix: string, ctx: ActorContext): void {
    for (const [actor, ids] of [...this.watches].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (actor !== prefix && !actor.startsWith(prefix + '/')) continue;
      for (const watchId of [...ids].sort()) {
        this.server.removeWatch(actor, watchId);
        const closed: WatchClosedMessage = { type: 'api.watch.closed', watchId };
        ctx.send(actor, closed);
      }
      this.watches.delete(actor);
    }
  }

  private serve(msg: ApiRequestMessage, from: string, ctx: ActorContext): ApiResult {
    const req = msg.request;
    try {
      if (req.verb === 'unwatch') {
        this.server.removeWatch(from, req.watchId ?? '');
        this.watches.get(from)?.delete(req.watchId ?? '');
      }
      const object = this.server.handle(req, msg.user, from);
      if (req.verb === 'watch') {
        let ids = this.watches.get(from);
        if (!ids) this.watches.set(from, (ids = new Set()));
        ids.add(req.watchId ?? '');
      }
      return { ok: true, object };
    } catch (e) {
      if (isStatusError(e)) return { ok: false, status: e.status };
      ctx.log('internal-error', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
      return { ok: false, status: newInternalError(e instanceof Error ? e.message : String(e)).status };
    }
  }
}
