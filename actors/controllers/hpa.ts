// STUB: being written (issue 4). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class HorizontalPodAutoscalerController extends Controller {
  protected readonly user = controllerUser('horizontal-pod-autoscaler');
  protected setup(): void {}
  protected reconcile(): void {}
}
