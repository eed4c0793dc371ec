// Small printing helpers shared by the scenarios: a timeline line, a pod table with nodes, events.
import { formatDuration, printEvents, type Cluster, type KubeObject } from 'kubesim';

/** `[  5m50s] text`: a line of the scenario's timeline at the current virtual time. */
export function say(cluster: Cluster, text: string): void {
  console.log(`[${formatDuration(cluster.now()).padStart(8)}] ${text}`);
}

/** Status as kubectl's STATUS column shows it (waiting reason, Terminating, phase). */
export function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const states = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  for (const s of states) {
    if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') return s.state.waiting.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? 'Pending';
}

/** Pods with READY, STATUS, RESTARTS and NODE, like `kubectl get pods -o wide`. */
export function podTable(cluster: Cluster, labelSelector?: string): string {
  const pods = cluster.list('pods', { labelSelector });
  const rows = [['NAME', 'READY', 'STATUS', 'RESTARTS', 'NODE']];
  for (const p of pods) {
    const cs = p.status?.containerStatuses ?? [];
    const ready = `${cs.filter((c: any) => c.ready).length}/${p.spec.containers.length}`;
    const restarts = cs.reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
    rows.push([p.metadata.name!, ready, podStatus(p), String(restarts), p.spec.nodeName ?? '<none>']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '    ' + r.map((c, i) => c.padEnd(widths[i] + 3)).join('').trimEnd()).join('\n');
}

/** Events since a virtual time, optionally filtered, in kubectl events style. */
export function eventsSince(cluster: Cluster, sinceMs: number, filter: (e: KubeObject) => boolean = () => true): string {
  const events = cluster.events().filter((e) => Date.parse(e.lastTimestamp) - cluster.epoch >= sinceMs && filter(e));
  return printEvents(events, { epochMs: cluster.epoch }).split('\n').map((l) => '    ' + l).join('\n');
}

/** Pods of a selector that are Running and Ready and not terminating. */
export function readyPods(cluster: Cluster, labelSelector: string): KubeObject[] {
  return cluster.list('pods', { labelSelector }).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
    && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
}
