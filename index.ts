// kubesim's public API: what a scenario file imports with `from 'kubesim'`.
export {
  Cluster, createCluster, ApplyError, formatApplyError, qualifiedResource,
  type ClusterOptions, type ApplyOutcome, type ListQuery, type TimelineEntry,
} from './cluster/cluster.ts';
export { parseManifests, loadManifests, ManifestError, type ManifestDoc } from './cluster/manifests.ts';
export { parseDuration, formatDuration } from './cluster/duration.ts';
export { printAll, printTable, printEvents, humanDuration, podStatusColumn } from './cli/printers.ts';
export { StatusError, isStatusError, type Status, type StatusCause } from './api/errors.ts';
export type { KubeObject, WatchEvent, UserInfo } from './api/types.ts';
export { formatTime, parseTime } from './api/time.ts';
export { eventTimestamp, eventFirstTimestamp, eventCount, eventSource } from './api/eventutil.ts';
export * as runtime from './runtime/index.ts';

// For custom controllers and actors: the API client, informers, event recorder and controller base.
export { ApiClient, type KindRef, type ResultCallback, type WatchHandler } from './client/client.ts';
export { CacheInformer, type Informer, type InformerOptions, type InformerHandlers } from './client/informer.ts';
export { EventRecorder } from './client/events.ts';
export { Controller, controllerUser, type ReconcileResult } from './actors/controllers/controller.ts';
export type { ApiRequest, ApiResult, DeleteOptions, ListOptions } from './api/request.ts';
