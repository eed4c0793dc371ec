// A Job's lifecycle as the Job controller moves it through its conditions
// (concepts/workloads/controllers/job.md "Job termination and cleanup", "Terminal Job conditions";
// pkg/controller/job/job_controller.go): Active (or Suspended) until the success or failure
// criteria are met; then the interim SuccessCriteriaMet or FailureTarget condition while the
// remaining pods terminate and their tracking finalizers are removed; then Complete or Failed.
// Pure: the controller derives events from the Job's status and sends them (jobLifecycleEvent).
import { assign, setup } from 'xstate';

export interface JobMachineContext {
  reason?: string;
  message?: string;
}

export type JobMachineEvent =
  | { type: 'SUSPENDED' }
  | { type: 'RESUMED' }
  | { type: 'SUCCESS_CRITERIA_MET'; reason?: string; message?: string }
  | { type: 'FAILURE_TARGET'; reason?: string; message?: string }
  | { type: 'COMPLETED'; reason?: string; message?: string }
  | { type: 'FAILED'; reason?: string; message?: string };

export const jobMachine = setup({
  types: { context: {} as JobMachineContext, events: {} as JobMachineEvent },
  actions: {
    recordReason: assign(({ event }) => ({ reason: 'reason' in event ? event.reason : undefined, message: 'message' in event ? event.message : undefined })),
  },
}).createMachine({
  id: 'job',
  context: {},
  initial: 'Active',
  states: {
    Active: {
      on: {
        SUSPENDED: 'Suspended',
        SUCCESS_CRITERIA_MET: { target: 'SuccessCriteriaMet', actions: 'recordReason' },
        FAILURE_TARGET: { target: 'FailureTarget', actions: 'recordReason' },
        COMPLETED: { target: 'Complete', actions: 'recordReason' },
        FAILED: { target: 'Failed', actions: 'recordReason' },
      },
    },
    Suspended: {
      on: {
        RESUMED: 'Active',
        FAILURE_TARGET: { target: 'FailureTarget', actions: 'recordReason' },
        FAILED: { target: 'Failed', actions: 'recordReason' },
      },
    },
    SuccessCriteriaMet: { on: { COMPLETED: { target: 'Complete', actions: 'recordReason' } } },
    FailureTarget: { on: { FAILED: { target: 'Failed', actions: 'recordReason' } } },
    Complete: { type: 'final' },
    Failed: { type: 'final' },
  },
});

interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/**
 * The event a Job's status stands for, most advanced first: Complete, Failed, then the interim
 * SuccessCriteriaMet and FailureTarget, then Suspended True/False.
 */
export function jobLifecycleEvent(status: { conditions?: ConditionLike[] } | undefined): JobMachineEvent | undefined {
  const conds = status?.conditions ?? [];
  const get = (t: string) => conds.find((c) => c.type === t && c.status === 'True');
  const withReason = (c: ConditionLike) => ({ reason: c.reason, message: c.message });
  const order: Array<[string, JobMachineEvent['type']]> = [
    ['Complete', 'COMPLETED'], ['Failed', 'FAILED'], ['SuccessCriteriaMet', 'SUCCESS_CRITERIA_MET'], ['FailureTarget', 'FAILURE_TARGET'],
  ];
  for (const [t, type] of order) {
    const c = get(t);
    if (c) return { type, ...withReason(c) } as JobMachineEvent;
  }
  const suspended = conds.find((c) => c.type === 'Suspended');
  if (suspended?.status === 'True') return { type: 'SUSPENDED' };
  if (suspended?.status === 'False') return { type: 'RESUMED' };
  return undefined;
}
