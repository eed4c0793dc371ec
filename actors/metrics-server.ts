// STUB: being written (issue 4). The metrics-server actor (resource metrics from the kubelets).
import type { ActorLogic } from '../runtime/index.ts';

export class MetricsServer implements ActorLogic {
  receive(): void {}
}
