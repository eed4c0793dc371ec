// client-go flowcontrol's token bucket (golang.org/x/time/rate underneath) on the virtual clock.
// Every API client of a Kubernetes component holds one: a request waits for a token before it
// goes out (rest.Request.tryThrottle), watches excepted. Upstream's defaults per component are
// in CLIENT_RATE_LIMITS.

/** A client's QPS and burst (rest.Config.QPS / Burst); `false` for no client-side limit. */
export type RateLimit = { qps: number; burst: number } | false;

/**
 * The client-side limits of the components, with the flags that set them upstream. Each
 * kube-controller-manager controller gets a client (and a bucket) of its own; the scheduler's and
 * the kubelet's events go through a client of their own, with its own bucket; the kubelet's
 * heartbeats (Lease renewals and NodeStatus) through a client with none (QPS -1).
 */
export interface ClientRateLimits {
  /** kube-controller-manager `--kube-api-qps` / `--kube-api-burst`: 20 / 30. */
  controllerManager: RateLimit;
  /** kube-scheduler `clientConnection.qps` / `burst`: 50 / 100 (binding; its events the same again). */
  scheduler: RateLimit;
  /** kubelet `kubeAPIQPS` / `kubeAPIBurst`: 50 / 100 since 1.27. */
  kubelet: RateLimit;
  /** kubelet `eventRecordQPS` / `eventBurst`: 50 / 100 since 1.27. */
  kubeletEvents: RateLimit;
  /** The CSI driver's sidecars (external-provisioner, -attacher, -resizer) `--kube-api-qps` / `--kube-api-burst`: 5 / 10 each. */
  csiSidecars: RateLimit;
}

export const CLIENT_RATE_LIMITS: Readonly<ClientRateLimits> = Object.freeze({
  controllerManager: { qps: 20, burst: 30 },
  scheduler: { qps: 50, burst: 100 },
  kubelet: { qps: 50, burst: 100 },
  kubeletEvents: { qps: 50, burst: 100 },
  csiSidecars: { qps: 5, burst: 10 },
});

/** The limits a cluster runs with: upstream's, with `overrides` on top; `false` for none at all. */
export function clientRateLimits(overrides: Partial<ClientRateLimits> | false | undefined): ClientRateLimits {
  if (overrides === false) return { controllerManager: false, scheduler: false, kubelet: false, kubeletEvents: false, csiSidecars: false };
  return { ...CLIENT_RATE_LIMITS, ...overrides };
}

/**
 * `qps` tokens per second, at most `burst`, starting full. qps ≤ 0 is the never-accepting limiter
 * (NewFakeNeverRateLimiter).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, private readonly burst: number, now: number) {
    this.tokens = qps > 0 ? burst : 0;
    this.last = now;
  }

  /** A bucket for `limit`, or undefined for no limit. */
  static of(limit: RateLimit | undefined, now: number): TokenBucket | undefined {
    return limit && Number.isFinite(limit.qps) ? new TokenBucket(limit.qps, limit.burst, now) : undefined;
  }

  /** TryAccept: takes a token if one is available now. */
  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Virtual ms until a token is available (Infinity for the never limiter). */
  waitMs(now: number): number {
    if (this.qps <= 0) return Infinity;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }

  /**
   * Wait's reservation (rate.Limiter.ReserveN): takes the next token, in debt if none is left,
   * and returns the virtual instant it is due. Waiters are served in the order they reserved.
   */
  reserve(now: number): number {
    if (this.qps <= 0) return Infinity;
    this.refill(now);
    this.tokens -= 1;
    const due = this.tokens >= 0 ? now : now + Math.ceil((-this.tokens * 1000) / this.qps);
    // Whole milliseconds could put a later reservation before an earlier one: never.
    this.lastDue = Math.max(this.lastDue, due);
    return this.lastDue;
  }

  private lastDue = -Infinity;

  private refill(now: number): void {
    if (now <= this.last) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
  }
}
