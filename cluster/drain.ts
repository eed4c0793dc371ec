// STUB: being written (issue 4). kubectl cordon / uncordon / drain on the Cluster API.
import type { Cluster } from './cluster.ts';

export interface DrainOptions {
  ignoreDaemonSets?: boolean;
  deleteEmptyDirData?: boolean;
  force?: boolean;
  timeout?: string | number;
  gracePeriodSeconds?: number;
}

export async function drain(_cluster: Cluster, node: string, _opts: DrainOptions = {}): Promise<string> {
  throw new Error(`drain ${node}: not implemented yet`);
}

export function cordon(_cluster: Cluster, node: string, _unschedulable = true): string {
  throw new Error(`cordon ${node}: not implemented yet`);
}
