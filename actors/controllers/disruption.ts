// STUB: being written (issue 4). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class DisruptionController extends Controller {
  protected readonly user = controllerUser('disruption-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
