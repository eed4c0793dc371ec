// STUB: being written (issue 3). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class TaintEvictionController extends Controller {
  protected readonly user = controllerUser('taint-eviction-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
