// Standing heartbeats: a holder's periodic write (a kubelet renewing its node Lease every 10 s,
// posting an unchanged NodeStatus every 5 min) that the API server applies only when somebody
// looks. The holder opens a standing stream (runtime ctx.openStanding) naming the object and
// the time fields each period stamps; while it stands, the stored object is brought up to the
// last period on every read or write of it, and the system's informers (which ask for
// coalesced heartbeats) are told the stream's start and period instead of one MODIFIED event
// per period. Any watcher that wants every event (kubectl get -w, a scenario's watch, the
// inspector) makes the server end the streams of that kind, so the holders write each period.
import type { KubeObject } from './types.ts';
import { formatMicroTime, formatTime } from './time.ts';
import { copyOf } from './equal.ts';

/** The message a standing heartbeat stands for (the body of ctx.openStanding). */
export interface HeartbeatMessage {
  type: 'api.heartbeat';
  [key: string]: unknown;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** Which time fields each period sets to the period's instant. */
  stamp: HeartbeatStamp;
}

/**
 * `renewTime`: a Lease's spec.renewTime (MicroTime).
 * `conditionHeartbeats`: every status condition's lastHeartbeatTime (Time), as a kubelet's
 * unchanged NodeStatus report does.
 */
export type HeartbeatStamp = 'renewTime' | 'conditionHeartbeats';

/** What coalescing watchers are told of a standing heartbeat (a STANDING watch event). */
export interface StandingHeartbeat {
  start: number;
  period: number;
  stamp: HeartbeatStamp;
}

/**
 * The last period of a heartbeat started at `start` at or before `now` (`start` when none).
 * The same arithmetic as the runtime's lastStandingTick: api/ takes nothing from runtime/.
 */
export function lastHeartbeatAt(start: number, period: number, now: number): number {
  return now <= start ? start : start + Math.floor((now - start) / period) * period;
}

/** The object as the write of the period at `tick` leaves it (a copy; `old` is not touched). */
export function stampHeartbeat(old: KubeObject, stamp: HeartbeatStamp, tick: number, epoch?: number): KubeObject {
  const next: KubeObject = copyOf(old, { metadata: copyOf(old.metadata) });
  if (stamp === 'renewTime') {
    next.spec = copyOf(old.spec ?? {}, { renewTime: formatMicroTime(tick, epoch) });
  } else {
    const t = formatTime(tick, epoch);
    next.status = copyOf(old.status ?? {}, { conditions: (old.status?.conditions ?? []).map((c: any) => copyOf(c, { lastHeartbeatTime: t })) });
  }
  return next;
}
