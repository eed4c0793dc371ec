// STUB: being written (issue 4). The pods/eviction subresource (PodDisruptionBudgets).
import type { ApiServer } from './server.ts';

export function registerEviction(_server: ApiServer): void {}
