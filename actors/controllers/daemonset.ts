// STUB: being written (issue 5). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class DaemonSetController extends Controller {
  protected readonly user = controllerUser('daemonset-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
