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

/**
 * Throws unless `cond` holds. The message is an argument, so it is built on every call: give a
 * message with values in it (a template) only on the failure path, with `if (!cond) fail(...)`.
 * On the runtime's hot paths a template argument cost a number-to-string conversion and a
 * concatenation per step, per send and per timer (≈1 KB of garbage a pod in a bring-up).
 */
export function assert(cond: unknown, message: string, scope: AssertionScope): asserts cond {
  if (!cond) throw new SimulationAssertionError(message, scope);
}

/** A failed assertion whose message names values: build it here, on the failure path only. */
export function fail(message: string, scope: AssertionScope): never {
  throw new SimulationAssertionError(message, scope);
}
