// Cheap, split assertions in the style of TigerBeetle: a failure names the seed, the virtual
// time and the step, which is all it takes to replay it.

export interface AssertionScope {
  seed: number;
  now(): number;
  steps(): number;
}

export class SimulationAssertionError extends Error {
  constructor(message: string, scope: AssertionScope) {
    super(`${message} (seed ${scope.seed}, virtual time ${scope.now()} ms, step ${scope.steps()}; ` +
      `replay with the same seed to reproduce)`);
    this.name = 'SimulationAssertionError';
  }
}

export function assert(cond: unknown, message: string, scope: AssertionScope): asserts cond {
  if (!cond) throw new SimulationAssertionError(message, scope);
}
