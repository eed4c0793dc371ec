// The Priority admission plugin (plugin/pkg/admission/priority/admission.go): on Pod CREATE it
// resolves spec.priorityClassName (or the globalDefault class) to spec.priority and
// spec.preemptionPolicy, and rejects an unknown class; on PriorityClass CREATE/UPDATE it keeps a
// single globalDefault. The built-in system classes resolve even before their objects exist.
import type { KubeObject } from './types.ts';
import type { AdmissionAttributes, AdmissionPlugin, ApiServer } from './server.ts';
import { newAdmissionForbidden, newForbidden } from './errors.ts';
import { groupResource, lookupKind } from './registry.ts';

export const SYSTEM_CLUSTER_CRITICAL = 'system-cluster-critical';
export const SYSTEM_NODE_CRITICAL = 'system-node-critical';
/** scheduling.SystemCriticalPriority (2 000 000 000); node-critical is 1000 above it. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;
/** scheduling.HighestUserDefinablePriority. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;

interface ResolvedClass {
  name: string;
  value: number;
  preemptionPolicy: string;
}

/** The system classes kube-apiserver creates at bootstrap (pkg/apis/scheduling/v1/helpers.go). */
const SYSTEM_CLASSES: Record<string, ResolvedClass> = {
  [SYSTEM_NODE_CRITICAL]: { name: SYSTEM_NODE_CRITICAL, value: SYSTEM_CRITICAL_PRIORITY + 1000, preemptionPolicy: 'PreemptLowerPriority' },
  [SYSTEM_CLUSTER_CRITICAL]: { name: SYSTEM_CLUSTER_CRITICAL, value: SYSTEM_CRITICAL_PRIORITY, preemptionPolicy: 'PreemptLowerPriority' },
};

const priorityClassInfo = () => lookupKind('scheduling.k8s.io/v1', 'PriorityClass')!;

function classOf(pc: KubeObject): ResolvedClass {
  return { name: pc.metadata.name!, value: pc.value ?? 0, preemptionPolicy: pc.preemptionPolicy ?? 'PreemptLowerPriority' };
}

/** getDefaultPriorityClass: the globalDefault class (the lowest value if several claim it). */
function defaultClass(server: ApiServer): KubeObject | undefined {
  let found: KubeObject | undefined;
  for (const pc of server.list(priorityClassInfo(), undefined).items as KubeObject[]) {
    if (pc.globalDefault && (!found || (pc.value ?? 0) < (found.value ?? 0))) found = pc;
  }
  return found;
}

function admitPod({ obj, server, info }: AdmissionAttributes): void {
  const pod = obj!;
  const spec = (pod.spec ??= {});
  let resolved: ResolvedClass;
  if (!spec.priorityClassName) {
    const d = defaultClass(server);
    resolved = d ? classOf(d) : { name: '', value: DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS, preemptionPolicy: 'PreemptLowerPriority' };
    if (d) spec.priorityClassName = d.metadata.name;
  } else {
    const pc = server.peek(priorityClassInfo(), undefined, spec.priorityClassName);
    const sys = SYSTEM_CLASSES[spec.priorityClassName];
    if (!pc && !sys) throw newAdmissionForbidden(groupResource(info), pod, `no PriorityClass with name ${spec.priorityClassName} was found`);
    resolved = pc ? classOf(pc) : sys;
  }
  if (typeof spec.priority === 'number' && spec.priority !== resolved.value) {
    throw newAdmissionForbidden(groupResource(info), pod, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${resolved.value} from the given PriorityClass name`);
  }
  spec.priority = resolved.value;
  if (spec.preemptionPolicy && spec.preemptionPolicy !== resolved.preemptionPolicy) {
    throw newAdmissionForbidden(groupResource(info), pod, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${resolved.preemptionPolicy} from the given PriorityClass name`);
  }
  spec.preemptionPolicy = resolved.preemptionPolicy;
}

function admitPriorityClass({ obj, old, server, info, operation }: AdmissionAttributes): void {
  const pc = obj!;
  const forbidden = (reason: string) => newForbidden(groupResource(info), pc.metadata?.name ?? '', reason);
  if (operation === 'CREATE' && SYSTEM_CLASSES[pc.metadata?.name ?? ''] && pc.value !== SYSTEM_CLASSES[pc.metadata.name!].value) {
    throw forbidden(`the name of the priority class is a reserved name for system use only: ${pc.metadata.name}`);
  }
  if (!SYSTEM_CLASSES[pc.metadata?.name ?? ''] && (pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    throw forbidden(`maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`);
  }
  if (!pc.globalDefault) return;
  const d = defaultClass(server);
  if (d && (operation === 'CREATE' || d.metadata.name !== (old ?? pc).metadata.name)) {
    throw forbidden(`PriorityClass ${d.metadata.name} is already marked as default. Only one default can exist`);
  }
}

/** The Priority admission plugin (mutating: it sets spec.priority; it also validates PriorityClasses). */
export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  admit(attrs: AdmissionAttributes): void {
    if (attrs.subresource) return;
    if (attrs.info.kind === 'Pod' && attrs.operation === 'CREATE' && attrs.obj) admitPod(attrs);
    else if (attrs.info.kind === 'PriorityClass' && attrs.info.group === 'scheduling.k8s.io' && attrs.obj && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) admitPriorityClass(attrs);
  },
};

/** Registers the plugin in the server's mutating chain, after defaulting (idempotent). */
export function registerPriorityAdmission(server: ApiServer): void {
  if (server.mutating.some((p) => p.name === priorityAdmission.name)) return;
  const defaulting = server.mutating.findIndex((p) => p.name === 'Defaulting');
  server.mutating.splice(defaulting + 1, 0, priorityAdmission);
}
