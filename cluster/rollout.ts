// STUB: being written (issue 4). kubectl rollout for Deployments, on the Cluster API.
import type { Cluster } from './cluster.ts';

export type RolloutAction = 'status' | 'history' | 'undo' | 'pause' | 'resume' | 'restart';

/** Runs `kubectl rollout ACTION deployment/NAME`; returns kubectl's output lines. */
export async function rollout(_cluster: Cluster, action: RolloutAction, _ref: string, _opts: { namespace?: string; toRevision?: number; revision?: number; timeout?: string | number } = {}): Promise<string> {
  throw new Error(`rollout ${action}: not implemented yet`);
}
