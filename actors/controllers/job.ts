// STUB: being written (issue 5). Replaced by the real controller.
import { Controller, controllerUser } from './controller.ts';

export class JobController extends Controller {
  protected readonly user = controllerUser('job-controller');
  protected setup(): void {}
  protected reconcile(): void {}
}
