// Planted bug: the ReplicaSet controller without expectations (pkg/controller/replicaset before
// expectations were added; cf. kubernetes#4797 and controller_utils.go's ControllerExpectations).
// A sync that runs before the informer has seen the pods created by the previous sync counts too
// few pods in its stale cache and creates more: over-creation. Everything else is the real controller.
import { ReplicaSetController } from '../../actors/controllers/replicaset.ts';
import { ControllerExpectations } from '../../actors/controllers/expectations.ts';

/** Expectations that are always satisfied: the controller acts on whatever its cache shows. */
class NoExpectations extends ControllerExpectations {
  override satisfiedExpectations(): boolean {
    return true;
  }
}

export class ReplicaSetControllerWithoutExpectations extends ReplicaSetController {
  protected override setup(): void {
    super.setup();
    // The bug: the controller never waits for its own creates and deletes to be observed.
    (this as unknown as { expectations: ControllerExpectations }).expectations = new NoExpectations(() => this.ctx.now());
  }
}
