// Helpers the kubectl exec and logs tests share: a bare Pod, and the message of what failed.
import type { KubeObject } from 'kubesim';

/** A Pod in `default` with these containers (and any other spec fields). */
export function pod(name: string, containers: any[], extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers, ...extra } };
}

/** The message `fn` throws (or its promise rejects with); it must fail. */
export async function failureOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected an error');
}
