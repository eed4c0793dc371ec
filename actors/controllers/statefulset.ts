// STUB: being written (issue 5). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class StatefulSetController extends Controller {
  protected readonly user = controllerUser('statefulset-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
