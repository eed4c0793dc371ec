// kube-controller-manager's shared informer factory (client-go informers.SharedInformerFactory):
// one list and one watch per resource for all of the manager's controllers, instead of one per
// controller. The factory's informers run in their own actor ('shared-informers', the first
// child of kube-controller-manager), so every watch event is one delivery through the runtime;
// in that delivery each registered controller's handlers run, as client-go's processor calls
// each listener. A handler that throws crashes its own controller (told with a message), not
// the informers. Each controller reads the shared cache through a view that keeps its own
// indexes (named per controller) and its own resync period, as AddEventHandlerWithResyncPeriod.
// The factory outlives its actor: a restarted actor lists and watches again for the same views.
import type { ActorContext, ActorLogic, Envelope } from '../runtime/index.ts';
import type { KubeObject, UserInfo } from '../api/types.ts';
import type { StandingHeartbeat } from '../api/heartbeats.ts';
import { CLIENT_RATE_LIMITS, TokenBucket, type RateLimit } from './rate-limiter.ts';
import { ApiClient } from './client.ts';
import { CacheInformer, type Informer, type InformerHandlers, type InformerOptions } from './informer.ts';

/** The actor id of kube-controller-manager's shared informers. */
export const SHARED_INFORMERS = 'shared-informers';

/** A handler of a controller threw: the controller crashes on this message. */
export const HANDLER_ERROR = 'informer.handlerError';

/** kube-controller-manager's own identity for its lists and watches. */
const KCM_USER: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };

interface Entry {
  opts: InformerOptions;
  informer: CacheInformer | undefined;
  views: SharedInformerView[];
  indexes: Map<string, (obj: KubeObject) => string[]>;
  started: boolean;
}

export class SharedInformerFactory {
  /** `rateLimit`: the client's (kube-controller-manager's --kube-api-qps / --kube-api-burst); lists wait on it, watches do not. */
  constructor(private readonly rateLimit: RateLimit = CLIENT_RATE_LIMITS.controllerManager) {}

  private ctx: ActorContext | undefined;
  private client: ApiClient | undefined;
  private readonly entries = new Map<string, Entry>();

  /** The informer a controller reads `opts` through (one per distinct list/watch, shared). */
  view(owner: ActorContext, opts: InformerOptions): Informer {
    const key = JSON.stringify([opts.kind, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? '', opts.excludeResources ?? []]);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { opts: { ...opts, name: `shared ${key}`, resyncPeriod: undefined }, informer: undefined, views: [], indexes: new Map(), started: false };
      this.entries.set(key, entry);
      if (this.ctx) this.build(entry);
    }
    return new SharedInformerView(this, entry, owner, opts);
  }

  /** The informers' actor started (again): build every informer asked for so far and start those started. */
  attach(ctx: ActorContext): void {
    this.ctx = ctx;
    this.client = new ApiClient(ctx, KCM_USER, { rateLimiter: TokenBucket.of(this.rateLimit, ctx.now()) });
    for (const entry of this.entries.values()) {
      this.build(entry);
      if (entry.started) entry.informer!.start();
    }
  }

  /** The informers' actor stopped: its informers are gone with it. */
  detach(): void {
    this.ctx = undefined;
    this.client = undefined;
    for (const entry of this.entries.values()) entry.informer = undefined;
  }

  handle(env: Envelope): void {
    if (this.client?.handle(env)) return;
    for (const entry of this.entries.values()) if (entry.informer?.handle(env)) return;
  }

  /** @internal */ startEntry(entry: Entry): void {
    if (entry.started) return;
    entry.started = true;
    entry.informer?.start();
  }

  private build(entry: Entry): void {
    const inf = new CacheInformer(this.ctx!, this.client!, entry.opts);
    for (const [name, fn] of entry.indexes) inf.addIndex(name, fn);
    inf.addHandlers({
      add: (o) => this.dispatch(entry, (h) => h.add?.(o)),
      update: (old, o) => this.dispatch(entry, (h) => h.update?.(old, o)),
      delete: (o) => this.dispatch(entry, (h) => h.delete?.(o)),
    });
    inf.onSynced(() => {
      for (const v of [...entry.views]) v.synced$();
    });
    entry.informer = inf;
  }

  /** Calls each view's handlers in registration order; a throwing handler fails its controller only. */
  private dispatch(entry: Entry, call: (h: InformerHandlers) => void): void {
    for (const v of [...entry.views]) v.run(call);
  }
}

/** A controller's view of a shared informer: its handlers, indexes and resync period. */
class SharedInformerView implements Informer {
  private readonly handlers: InformerHandlers[] = [];
  private readonly indexNames = new Map<string, string>();
  private open = true;
  private joined = false;
  private readonly name: string;

  constructor(private readonly factory: SharedInformerFactory, private readonly entry: Entry, private readonly owner: ActorContext, readonly opts: InformerOptions) {
    this.name = opts.name ?? JSON.stringify(opts.kind);
  }

  private get inf(): CacheInformer | undefined {
    return this.entry.informer;
  }

  get synced(): boolean {
    return this.inf?.synced ?? false;
  }

  get resourceVersion(): string {
    return this.inf?.resourceVersion ?? '';
  }

  get size(): number {
    return this.inf?.size ?? 0;
  }

  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
  }

  addIndex(name: string, fn: (obj: KubeObject) => string[]): void {
    const shared = `${this.owner.self}/${name}`;
    this.indexNames.set(name, shared);
    this.entry.indexes.set(shared, fn);
    this.inf?.addIndex(shared, fn);
  }

  hasIndex(name: string): boolean {
    return this.indexNames.has(name);
  }

  /** Joins the informer's listeners; a controller that joins a synced informer hears an add for every cached object. */
  start(): void {
    if (this.joined || !this.open) return;
    this.joined = true;
    this.entry.views.push(this);
    this.factory.startEntry(this.entry);
    if (this.synced) for (const o of this.list()) this.run((h) => h.add?.(o));
    if (this.opts.resyncPeriod) this.owner.startTimer(`resync ${this.name}`, this.opts.resyncPeriod, { type: 'informer.resync', informer: this.name }, { background: true });
  }

  /** The controller's resync timer: OnUpdate with the same object for every cached one. */
  handle(env: Envelope): boolean {
    const m = env.message;
    if (m.type !== 'informer.resync' || m.informer !== this.name) return false;
    for (const o of this.list()) this.run((h) => h.update?.(o, o));
    this.owner.startTimer(`resync ${this.name}`, this.opts.resyncPeriod!, { type: 'informer.resync', informer: this.name }, { background: true });
    return true;
  }

  get(namespace: string | undefined, name: string, kind?: string): KubeObject | undefined {
    return this.inf?.get(namespace, name, kind);
  }

  list(namespace?: string): KubeObject[] {
    return this.inf?.list(namespace) ?? [];
  }

  byIndex(name: string, value: string): KubeObject[] {
    const shared = this.indexNames.get(name);
    return shared && this.inf ? this.inf.byIndex(shared, value) : [];
  }

  ownedBy(uid: string): KubeObject[] {
    return this.inf?.ownedBy(uid) ?? [];
  }

  heartbeat(namespace: string | undefined, name: string, kind?: string): StandingHeartbeat | undefined {
    return this.inf?.heartbeat(namespace, name, kind);
  }

  /** The controller stopped: it hears nothing more and its indexes go. */
  close(): void {
    this.open = false;
    const i = this.entry.views.indexOf(this);
    if (i >= 0) this.entry.views.splice(i, 1);
    for (const shared of this.indexNames.values()) {
      this.entry.indexes.delete(shared);
      this.inf?.removeIndex(shared);
    }
  }

  /** @internal */ run(call: (h: InformerHandlers) => void): void {
    if (!this.open) return;
    try {
      for (const h of this.handlers) call(h);
    } catch (e) {
      this.open = false;
      this.owner.send(this.owner.self, { type: HANDLER_ERROR, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** @internal */ synced$(): void {
    if (this.open) this.owner.send(this.owner.self, { type: 'controller.synced' });
  }
}

/** The actor the shared informers run in (their list, watch and resync deliveries). */
export class SharedInformersActor implements ActorLogic {
  constructor(private readonly factory: SharedInformerFactory) {}

  start(ctx: ActorContext): void {
    this.factory.attach(ctx);
  }

  receive(env: Envelope): void {
    this.factory.handle(env);
  }

  stop(): void {
    this.factory.detach();
  }
}
