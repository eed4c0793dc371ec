// Controller expectations (pkg/controller/controller_utils.go: ControllerExpectations and
// UIDTrackingControllerExpectations). A controller records how many creates and which deletes
// it has issued, and does not act on a key again until the informer has observed them (or
// ExpectationsTimeout has passed), so a stale cache never makes it create or delete twice.

/** ExpectationsTimeout: unfulfilled expectations stop blocking a sync after 5 minutes. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface ControlleeExpectations {
  add: number;
  del: number;
  /** Virtual ms when the expectations were set. */
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, ControlleeExpectations>();
  /** UIDTrackingControllerExpectations: the pod keys (ns/name) each controller waits to see deleted. */
  private readonly deleteKeys = new Map<string, Set<string>>();

  constructor(private readonly now: () => number) {}

  /** SatisfiedExpectations: true when nothing is expected, everything was observed, or the wait expired. */
  satisfiedExpectations(key: string): boolean {
    const exp = this.store.get(key);
    if (!exp) return true;
    if (exp.add <= 0 && exp.del <= 0) return true;
    return this.now() - exp.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  /** SetExpectations: replaces what the controller expects. */
  setExpectations(key: string, add: number, del: number): void {
    this.store.set(key, { add, del, timestamp: this.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  /** UIDTrackingControllerExpectations.ExpectDeletions: remembers which pods must go. */
  expectDeletions(key: string, podKeys: string[]): void {
    this.deleteKeys.set(key, new Set(podKeys));
    this.setExpectations(key, 0, podKeys.length);
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  /** Counts a deletion once per expected pod, whether seen as a deletionTimestamp or a DELETE. */
  deletionObserved(key: string, podKey: string): void {
    const keys = this.deleteKeys.get(key);
    if (!keys?.has(podKey)) return;
    keys.delete(podKey);
    this.lowerExpectations(key, 0, 1);
  }

  lowerExpectations(key: string, add: number, del: number): void {
    const exp = this.store.get(key);
    if (!exp) return;
    exp.add -= add;
    exp.del -= del;
  }

  deleteExpectations(key: string): void {
    this.store.delete(key);
    this.deleteKeys.delete(key);
  }

  /** For the actor snapshot: pending expectations by key, sorted. */
  snapshot(): Record<string, { add: number; del: number; timestamp: number }> {
    return Object.fromEntries([...this.store].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, { ...v }]));
  }
}
