// STUB: being written (issue 5). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class TTLAfterFinishedController extends Controller {
  protected readonly user = controllerUser('ttl-after-finished-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
