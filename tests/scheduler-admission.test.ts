// The Priority admission plugin (plugin/pkg/admission/priority/admission.go) on its own API
// server: PriorityClass resolution, the globalDefault class, the built-in system classes and
// upstream's 403 messages.
import { describe, expect, it } from 'vitest';
import { ApiServer } from '../api/server.ts';
import { isStatusError } from '../api/errors.ts';
import { registerPriorityAdmission } from '../api/admission-priority.ts';
import { SYSTEM_MASTERS, type KubeObject } from '../api/types.ts';

function server(): ApiServer {
  let n = 0;
  const s = new ApiServer({ now: () => 0, uid: () => `uid-${n++}`, nameSuffix: () => 'abcde', randomInt: () => 0, freeze: false });
  s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Namespace', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } }, SYSTEM_MASTERS);
  registerPriorityAdmission(s);
  return s;
}

function createPod(s: ApiServer, name: string, spec: Record<string, unknown> = {}): KubeObject {
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } };
  return s.handle({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace: 'default', body }, SYSTEM_MASTERS);
}

function createClass(s: ApiServer, name: string, value: number, extra: Record<string, unknown> = {}): KubeObject {
  const body = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra };
  return s.handle({ verb: 'create', apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', body }, SYSTEM_MASTERS);
}

function errorOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('Priority admission plugin', () => {
  it('resolves priorityClassName to spec.priority and spec.preemptionPolicy', () => {
    // D:concepts/scheduling-eviction/pod-priority-preemption.
    const s = server();
    createClass(s, 'high', 1000, { preemptionPolicy: 'Never' });
    const p = createPod(s, 'web', { priorityClassName: 'high' });
    expect(p.spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'Never' });
  });

  it('rejects an unknown class: pods "x" is forbidden: no PriorityClass with name foo was found', () => {
    // admission.go resolvePriorityClass → admission.NewForbidden.
    const s = server();
    expect(errorOf(() => createPod(s, 'x', { priorityClassName: 'foo' }))).toEqual({ code: 403, message: 'pods "x" is forbidden: no PriorityClass with name foo was found' });
  });

  it('gives pods without a class the globalDefault class, or priority 0 when there is none', () => {
    // admission.go getDefaultPriority; scheduling.DefaultPriorityWhenNoDefaultClassExists.
    const s = server();
    expect(createPod(s, 'a').spec).toMatchObject({ priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
    createClass(s, 'normal', 100, { globalDefault: true });
    expect(createPod(s, 'b').spec).toMatchObject({ priorityClassName: 'normal', priority: 100 });
  });

  it('knows system-cluster-critical (2000000000) and system-node-critical (2000001000)', () => {
    // pkg/apis/scheduling/v1/helpers.go systemPriorityClasses.
    const s = server();
    expect(createPod(s, 'dns', { priorityClassName: 'system-cluster-critical' }).spec.priority).toBe(2000000000);
    expect(createPod(s, 'proxy', { priorityClassName: 'system-node-critical' }).spec.priority).toBe(2000001000);
  });

  it('rejects a spec.priority that differs from the class value', () => {
    // admission.go: "the integer value of priority (%d) must not be provided in pod spec; …".
    const s = server();
    createClass(s, 'high', 1000);
    expect(errorOf(() => createPod(s, 'p', { priorityClassName: 'high', priority: 5 })).message)
      .toBe('pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  });

  it('allows only one globalDefault PriorityClass', () => {
    // admission.go validatePriorityClass.
    const s = server();
    createClass(s, 'one', 1, { globalDefault: true });
    expect(errorOf(() => createClass(s, 'two', 2, { globalDefault: true })).message)
      .toBe('priorityclasses.scheduling.k8s.io "two" is forbidden: PriorityClass one is already marked as default. Only one default can exist');
  });
});
