// STUB: being written (issue 3). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class PodGCController extends Controller {
  protected readonly user = controllerUser('pod-garbage-collector');
  protected setup(): void {}
  protected reconcile(): void {}
}
