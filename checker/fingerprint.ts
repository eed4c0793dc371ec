// State fingerprints: a 64-bit hash of the runtime's canonical state, kept incrementally.
// fingerprint = combine(store, Σ actors, queue, open watches), where
//  - store: Σ over stored objects (Events excluded) of H(resource/key, object); objects are frozen
//    and shared, so each is hashed once (identity cache); recomputed only after a step of the API server;
//  - actors: Σ over actors of H(id, status, state value, snapshot(), informer caches, requests in flight);
//    an actor's term is recomputed only when it (or an ancestor) took a step or a fault;
//  - queue: Σ over pending entries of H(channel, position in channel, message, due - now), so absolute
//    time, sequence numbers and message ids do not split states (only the order of timers matters).
// With symmetry on, node names (and their IPs) are renamed canonically before hashing: nodes are
// ranked by a signature of what they hold, and node-i becomes $k by rank.
import type { Runtime, QueuedEntry } from '../runtime/index.ts';
import { CacheInformer, type Informer } from '../client/informer.ts';
import type { KubeObject } from '../api/types.ts';
import { ValueHasher, combine, fmix, hashString, type Hash64, type StringCanon } from './hash.ts';
import type { StoreReader } from './store.ts';

const APISERVER = 'kube-apiserver';
const EVENTS = '/events';

export interface FingerprintOptions {
  symmetry?: boolean;
  /** Node names (symmetry); index i+1 for node-(i+1) as the cluster numbers them. */
  nodes?: string[];
}

export class Fingerprinter {
  private readonly hasher = new ValueHasher();
  private readonly actorTerms = new Map<string, Hash64>();
  private actorSumHi = 0;
  private actorSumLo = 0;
  private readonly dirtyActors = new Set<string>();
  private allDirty = true;
  private storeHash: Hash64 = { hi: 0, lo: 0 };
  private storeDirty = true;
  private readonly entryHashes = new WeakMap<QueuedEntry, Hash64>();
  private readonly informersOf = new WeakMap<object, Informer[]>();
  private readonly permHashers = new Map<string, ValueHasher>();
  private readonly sigHasher: ValueHasher | undefined;
  /** Fingerprints computed (for the benchmark). */
  computed = 0;

  constructor(private readonly runtime: Runtime, private readonly store: StoreReader, private readonly opts: FingerprintOptions = {}) {
    if (opts.symmetry && opts.nodes && opts.nodes.length > 1) this.sigHasher = new ValueHasher(nodeCanon(opts.nodes, opts.nodes.map(() => '$N')));
  }

  /** An actor took a step (or a fault): its term and its children's are stale. */
  touchActor(id: string): void {
    this.dirtyActors.add(id);
    for (const c of this.runtime.childrenOf(id)) this.touchActor(c);
  }

  touchStore(): void {
    this.storeDirty = true;
  }

  touchAll(): void {
    this.allDirty = true;
    this.storeDirty = true;
  }

  /** The fingerprint of the current state; `entries` = runtime.pendingEntries(). */
  fingerprint(entries: readonly QueuedEntry[]): Hash64 {
    this.computed++;
    if (this.sigHasher) return this.symmetricFingerprint(entries);
    const h = this.hasher;
    if (this.allDirty) {
      this.actorTerms.clear();
      this.actorSumHi = 0;
      this.actorSumLo = 0;
      for (const id of this.runtime.actorIds()) this.updateActor(id, h);
      this.allDirty = false;
      this.dirtyActors.clear();
    } else if (this.dirtyActors.size) {
      for (const id of this.dirtyActors) this.updateActor(id, h);
      this.dirtyActors.clear();
    }
    if (this.storeDirty) {
      this.storeHash = this.hashStore(h, undefined);
      this.storeDirty = false;
    }
    const q = this.hashQueue(entries, h, true);
    return combine(combine(this.storeHash, { hi: this.actorSumHi, lo: this.actorSumLo }), q);
  }

  private updateActor(id: string, h: ValueHasher): void {
    const old = this.actorTerms.get(id);
    if (old) {
      this.actorSumHi = (this.actorSumHi - old.hi) | 0;
      this.actorSumLo = (this.actorSumLo - old.lo) | 0;
    }
    const term = combine(hashString(id), this.actorHash(id, h));
    this.actorTerms.set(id, term);
    this.actorSumHi = (this.actorSumHi + term.hi) | 0;
    this.actorSumLo = (this.actorSumLo + term.lo) | 0;
  }

  /** status, state value, snapshot(), informer caches and requests in flight of one actor. */
  actorHash(id: string, h: ValueHasher): Hash64 {
    const status = this.runtime.status(id);
    if (status !== 'running') return hashString(status ?? 'none');
    const logic = this.runtime.logicOf(id)! as unknown as Record<string, any>;
    if (id === APISERVER) return hashString('running');
    let acc = h.hash(logic.stateValue ? logic.stateValue() : null);
    if (typeof logic.snapshot === 'function') acc = combine(acc, h.hash(logic.snapshot()));
    for (const inf of this.informers(logic)) acc = combine(acc, this.hashCache(inf, h));
    const client = logic.client;
    if (client && typeof client.inFlight === 'number') acc = combine(acc, { hi: client.inFlight, lo: 0x51 });
    return acc;
  }

  private informers(logic: Record<string, any>): Informer[] {
    let list = this.informersOf.get(logic);
    if (!list) {
      list = [];
      for (const k of Object.keys(logic)) {
        const v = logic[k];
        if (v instanceof CacheInformer) list.push(v);
        else if (Array.isArray(v)) for (const x of v) if (x instanceof CacheInformer && !list.includes(x)) list.push(x);
      }
      if (list.length) this.informersOf.set(logic, list);
    }
    return list;
  }

  /** Σ H(key, object) over an informer's cache (the actor's view of the cluster). */
  private hashCache(inf: Informer, h: ValueHasher): Hash64 {
    const cache = (inf as unknown as { cache: Map<string, KubeObject> }).cache;
    let hi = 0;
    let lo = 0;
    // An object names its own kind, namespace and name, so its (identity-cached) hash stands for its key too.
    for (const obj of cache.values()) {
      const t = h.hash(obj);
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    }
    return { hi: fmix(hi ^ cache.size), lo: fmix(lo + (inf.synced ? 1 : 0)) };
  }

  private hashStore(h: ValueHasher, only: ((obj: KubeObject) => boolean) | undefined): Hash64 {
    let hi = 0;
    let lo = 0;
    this.store.forEachObject((resource, key, obj) => {
      if (resource.endsWith(EVENTS)) return;
      if (only && !only(obj)) return;
      const t = combine(hashString(resource + '|' + (h.canon ? h.canon(key) : key)), h.hash(obj));
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    });
    // Open watches decide who hears about the next write.
    for (const [, w] of (this.store.server as unknown as { watchById: Map<string, { actor: string; watchId: string }> }).watchById) {
      const t = hashString((h.canon ? h.canon(w.actor) : w.actor) + '#' + w.watchId);
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    }
    return { hi: fmix(hi), lo: fmix(lo) };
  }

  /** Σ H(entry, position in its channel, due - now). */
  private hashQueue(entries: readonly QueuedEntry[], h: ValueHasher, cache: boolean): Hash64 {
    const now = this.runtime.now();
    const positions = new Map<string, number>();
    let hi = 0;
    let lo = 0;
    for (const e of entries) {
      const chan = channelOf(e);
      const pos = positions.get(chan) ?? 0;
      positions.set(chan, pos + 1);
      let eh = cache ? this.entryHashes.get(e) : undefined;
      if (!eh) {
        eh = e.kind === 'deliver'
          ? combine(hashString(h.canon ? h.canon(chan) : chan), h.hash(e.env!.message))
          : combine(hashString('timer|' + (h.canon ? h.canon(e.owner) : e.owner) + '|' + e.name + (e.background ? '|bg' : '')), h.hash(e.message));
        if (cache) this.entryHashes.set(e, eh);
      }
      const t = combine(eh, { hi: pos, lo: e.due - now });
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    }
    return { hi: fmix(hi ^ entries.length), lo: fmix(lo) };
  }

  // ---------------------------------------------------------------- symmetry

  private symmetricFingerprint(entries: readonly QueuedEntry[]): Hash64 {
    const nodes = this.opts.nodes!;
    const sigs = nodes.map((n) => ({ n, sig: this.nodeSignature(n) }));
    sigs.sort((a, b) => (a.sig.hi - b.sig.hi) || (a.sig.lo - b.sig.lo) || (a.n < b.n ? -1 : 1));
    const rank = new Map(sigs.map((s, i) => [s.n, i]));
    const key = nodes.map((n) => rank.get(n)).join(',');
    let h = this.permHashers.get(key);
    if (!h) {
      h = new ValueHasher(nodeCanon(nodes, nodes.map((n) => `$${rank.get(n)}`)));
      this.permHashers.set(key, h);
    }
    let ahi = 0;
    let alo = 0;
    for (const id of this.runtime.actorIds()) {
      const t = combine(hashString(h.canon!(id)), this.actorHash(id, h));
      ahi = (ahi + t.hi) | 0;
      alo = (alo + t.lo) | 0;
    }
    const store = this.hashStore(h, undefined);
    const q = this.hashQueue(entries, h, false);
    return combine(combine(store, { hi: ahi, lo: alo }), q);
  }

  /** What a node holds, with every node name replaced by the same placeholder. */
  private nodeSignature(node: string): Hash64 {
    const h = this.sigHasher!;
    let acc = h.hash(this.store.find('Node', undefined, node) ?? null);
    acc = combine(acc, h.hash(this.store.find('Lease', 'kube-node-lease', node) ?? null));
    let hi = 0;
    let lo = 0;
    const prefix = `node/${node}`;
    for (const id of this.runtime.actorIds()) {
      if (id !== prefix && !id.startsWith(prefix + '/')) continue;
      const t = combine(hashString(h.canon!(id)), this.actorHash(id, h));
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    }
    for (const pod of this.store.objects('Pod')) {
      if (pod.spec?.nodeName !== node) continue;
      const t = h.hash(pod);
      hi = (hi + t.hi) | 0;
      lo = (lo + t.lo) | 0;
    }
    return combine(acc, { hi: fmix(hi), lo: fmix(lo) });
  }
}

/** The channel of a delivery: sender, receiver and stream (each watch is its own stream; requests and replies share one). */
export function channelOf(e: QueuedEntry): string {
  if (e.kind === 'timer') return `timer>${e.owner}`;
  const env = e.env!;
  const m = env.message;
  const stream = (m.type === 'api.watch' || m.type === 'api.watch.closed') ? `w:${m.watchId as string}` : 'rpc';
  return `${env.from}>${env.to}#${stream}`;
}

/**
 * Renames node-specific strings: the node's name, actor ids under node/NAME and host/NAME, its
 * host IP (172.18.0.(i+1)) and pod IPs (10.244.i.x). Node i is the i-th name given (index i+1).
 */
export function nodeCanon(nodes: string[], names: string[]): StringCanon {
  const exact = new Map<string, string>();
  const prefixes: [string, string][] = [];
  nodes.forEach((n, i) => {
    const k = names[i];
    const index = i + 1;
    exact.set(n, k);
    exact.set(`node/${n}`, `node/${k}`);
    exact.set(`host/${n}`, `host/${k}`);
    exact.set(`172.18.0.${index + 1}`, `ip:${k}`);
    exact.set(`10.244.${index}.0/24`, `cidr:${k}`);
    prefixes.push([`node/${n}/`, `node/${k}/`], [`10.244.${index}.`, `pod-ip:${k}.`]);
  });
  const first = new Set([...exact.keys(), ...prefixes.map((p) => p[0])].map((s) => s.charCodeAt(0)));
  return (s: string) => {
    if (s.length === 0 || !first.has(s.charCodeAt(0))) return s;
    const e = exact.get(s);
    if (e !== undefined) return e;
    for (const [p, r] of prefixes) if (s.startsWith(p)) return r + s.slice(p.length);
    return s;
  };
}
