// STUB: being written (issue 4). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class DeploymentController extends Controller {
  protected readonly user = controllerUser('deployment-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
