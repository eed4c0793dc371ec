// STUB: being written (issue 3). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class ReplicaSetController extends Controller {
  protected readonly user = controllerUser('replicaset-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
