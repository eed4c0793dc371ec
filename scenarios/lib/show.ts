// Small printing helpers shared by the scenarios: a timeline line, a pod table with nodes, events.
import { eventTimestamp, formatDuration, podStatusColumn, printEvents, printTable, type Cluster, type KubeObject } from 'kubesim';

/** `[  5m50s] text`: a line of the scenario's timeline at the current virtual time. */
export function say(cluster: Cluster, text: string): void {
  console.log(`[${formatDuration(cluster.now()).padStart(8)}] ${text}`);
}

/** Status as kubectl's STATUS column shows it (waiting reason, Init:…, Terminating, phase). */
export const podStatus = podStatusColumn;

/** Pods as `kubectl get pods -o wide` prints them, indented under a timeline line. */
export function podTable(cluster: Cluster, labelSelector?: string): string {
  const pods = cluster.list('pods', { labelSelector });
  const table = printTable(pods, { nowMs: cluster.now(), epochMs: cluster.epoch, wide: true });
  return table ? table.trimEnd().split('\n').map((l) => '    ' + l).join('\n') : '    No resources found';
}

/** Events since a virtual time, optionally filtered, in kubectl events style. */
export function eventsSince(cluster: Cluster, sinceMs: number, filter: (e: KubeObject) => boolean = () => true): string {
  const events = cluster.events().filter((e) => Date.parse(eventTimestamp(e)) - cluster.epoch >= sinceMs && filter(e));
  return printEvents(events, { epochMs: cluster.epoch }).split('\n').map((l) => '    ' + l).join('\n');
}

/** Pods of a selector that are Running and Ready and not terminating. */
export function readyPods(cluster: Cluster, labelSelector: string): KubeObject[] {
  return cluster.list('pods', { labelSelector }).filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
    && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
}
