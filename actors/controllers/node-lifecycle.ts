// STUB: being written (issue 3). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class NodeLifecycleController extends Controller {
  protected readonly user = controllerUser('node-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
