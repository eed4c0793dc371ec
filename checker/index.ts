// The model checker's public surface.
export { defineCheck } from './define.ts';
export { explore, runSchedule, independent, type ExploreOptions, type StrategyName } from './explore.ts';
export { Execution, DEFAULT_CHOICE, CHECKER_ACTOR, type ChoiceOption, type ExecutionOptions } from './execution.ts';
export { shrink, replaySchedule, trimDefaults } from './shrink.ts';
export { loadCheck, writeReplayFile, replayCheck, traceSchedule, type CheckReplayOrigin } from './replay-file.ts';
export { checkCommand, formatResult, formatCoverage, CHECK_HELP } from './cli.ts';
export { Fingerprinter, channelOf, nodeCanon } from './fingerprint.ts';
export { FingerprintSet } from './visited.ts';
export * from './properties.ts';
export type * from './types.ts';
