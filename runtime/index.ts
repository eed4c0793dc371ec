// The runtime's public surface.
export { Runtime, ROOT, LIMITS, type RuntimeOptions, type PendingView, type ExitSignal, type QueuedEntry } from './runtime.ts';
export { Supervisor, shouldRestart, DEFAULT_FLAGS } from './supervisor.ts';
export { MachineLogic, MachineRunner, RuntimeClock, machineLogic, initialState, type MachineActorOptions, type SendEmitted, type InitialState, type MachineClock, type RunnerListeners, type RunnerStart } from './xstate.ts';
export { virtualScheduler } from './scheduler.ts';
export { runRealtime, type PacingOptions } from './pacing.ts';
export { Random, RandomStream, hash32 } from './prng.ts';
export { MemoryTraceSink, diffTraces, type TraceRecord, type TraceSink, type TraceKind } from './trace.ts';
export { canonicalize, canonicalJson } from './canonical.ts';
export { SimulationAssertionError } from './assert.ts';
export type * from './types.ts';
export { lastStandingTick } from './types.ts';
