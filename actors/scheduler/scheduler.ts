// STUB: being written (issue 3). Replaced by the real kube-scheduler actor.
import type { ActorLogic } from '../../runtime/index.ts';

export class Scheduler implements ActorLogic {
  receive(): void {}
}
