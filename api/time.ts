// Kubernetes timestamps from the virtual clock. Virtual time 0 is the cluster's epoch.
import { BoundedMemo, flatten } from './equal.ts';

/** The default epoch: virtual time 0 is this instant (UTC). */
export const DEFAULT_EPOCH = Date.UTC(2025, 0, 1, 0, 0, 0);

/** metav1.Time: RFC 3339 with second precision, e.g. 2025-01-01T00:00:05Z. */
export function formatTime(virtualMs: number, epoch = DEFAULT_EPOCH): string {
  // Many objects are stamped with the same seconds (a pod's start and its conditions' times
  // alternate): one string serves them all.
  return formatted.get(Math.floor((epoch + virtualMs) / 1000));
}

/** The seconds formatted lately (4,096 before starting over). */
const formatted = new BoundedMemo<number, string>(4096, (second) => flatten(new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')));

/** metav1.MicroTime: RFC 3339 with microseconds, e.g. 2025-01-01T00:00:05.120000Z. */
export function formatMicroTime(virtualMs: number, epoch = DEFAULT_EPOCH): string {
  // Virtual time is in whole milliseconds: the instants stamped lately are formatted once.
  return formattedMicro.get(epoch + Math.floor(virtualMs));
}

const formattedMicro = new BoundedMemo<number, string>(4096, (ms) => flatten(new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')));

/** Virtual ms of a metav1.Time or MicroTime string. */
export function parseTime(s: string, epoch = DEFAULT_EPOCH): number {
  return Date.parse(s) - epoch;
}
