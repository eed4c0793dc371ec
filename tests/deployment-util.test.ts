// The Deployment controller's arithmetic, ported from pkg/controller/deployment/util/deployment_util.go
// and controller_utils.go (ComputeHash); worked examples from k8s-facts §1.1, §1.4, §1.5 and §1.8.
import { describe, expect, it } from 'vitest';
import {
  SAFE_ALPHABET, computeHash, fnv32a, getProportion, maxSurge, maxUnavailable, newRSNewReplicas, proportionalSizes,
  resolveFenceposts, safeEncodeString, setNewReplicaSetAnnotations,
} from '../actors/controllers/deployment-util.ts';

const deployment = (replicas: number, maxSurgeV: number | string, maxUnavailableV: number | string, extra: any = {}): any => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1, annotations: {} },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } } },
  ...extra,
});
const rs = (name: string, replicas: number, created: string, annotations: Record<string, string> = {}): any => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, uid: name, creationTimestamp: created, annotations }, spec: { replicas },
});

describe('pod-template-hash (ComputeHash)', () => {
  it('FNV-32a matches the published test vectors', () => {
    // http://www.isthe.com/chongo/tech/comp/fnv/ : FNV-1a 32 of "" and "a".
    expect(fnv32a(new Uint8Array())).toBe(0x811c9dc5);
    expect(fnv32a(new TextEncoder().encode('a'))).toBe(0xe40c292c);
  });

  it('is the SafeEncodeString of the decimal hash: only consonants and digits without vowels or look-alikes', () => {
    expect(safeEncodeString('0123456789')).toBe([...'0123456789'].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % 27]).join(''));
    const h = computeHash({ metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] } });
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  it('is deterministic, independent of key order, and changes with the template or the collision count', () => {
    const a = computeHash({ spec: { containers: [{ name: 'n', image: 'nginx:1.14.2' }] }, metadata: { labels: { app: 'x' } } });
    const b = computeHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ image: 'nginx:1.14.2', name: 'n' }] } });
    expect(a).toBe(b);
    expect(computeHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'n', image: 'nginx:1.16.1' }] } })).not.toBe(a);
    expect(computeHash({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'n', image: 'nginx:1.14.2' }] } }, 1)).not.toBe(a);
  });
});

describe('maxSurge and maxUnavailable', () => {
  it('25%/25% of 3 replicas is a surge of 1 and no unavailability (surge rounds up, unavailable down)', () => {
    expect([maxSurge(deployment(3, '25%', '25%')), maxUnavailable(deployment(3, '25%', '25%'))]).toEqual([1, 0]);
    expect([maxSurge(deployment(10, '30%', '30%')), maxUnavailable(deployment(10, '30%', '30%'))]).toEqual([3, 3]);
  });

  it('when both resolve to 0 (0 and 1% of 2), maxUnavailable becomes 1 (ResolveFenceposts)', () => {
    expect(resolveFenceposts(0, '1%', 2)).toEqual([0, 1]);
    expect(maxUnavailable(deployment(2, 0, '1%'))).toBe(1);
  });

  it('maxUnavailable is capped at spec.replicas and is 0 for Recreate', () => {
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
    expect(maxUnavailable({ ...deployment(3, 1, 1), spec: { replicas: 3, strategy: { type: 'Recreate' } } })).toBe(0);
  });
});

describe('rolling arithmetic', () => {
  it('the nginx example grows the new ReplicaSet to 1 while 3 old pods run (total at most 4), §1.5', () => {
    const d = deployment(3, '25%', '25%');
    const old = rs('old', 3, '2025-01-01T00:00:00Z');
    const fresh = rs('new', 0, '2025-01-01T00:01:00Z');
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(1);
    expect(newRSNewReplicas(d, [{ ...old, spec: { replicas: 2 } }, { ...fresh, spec: { replicas: 1 } }], { ...fresh, spec: { replicas: 1 } })).toBe(2);
    expect(newRSNewReplicas(d, [old, { ...fresh, spec: { replicas: 1 } }], { ...fresh, spec: { replicas: 1 } })).toBe(1);
  });

  it('proportional scaling: 10 → 15 with maxSurge 3 mid-rollout (old 8, new 5) gives old 11 and new 7 (docs example)', () => {
    const d = deployment(15, 3, 2, { status: { replicas: 13 } });
    const old = rs('old', 8, '2025-01-01T00:00:00Z', { 'deployment.kubernetes.io/max-replicas': '13' });
    const fresh = rs('new', 5, '2025-01-01T00:01:00Z', { 'deployment.kubernetes.io/max-replicas': '13' });
    expect(getProportion(old, d, 5, 0)).toBe(3);
    expect(getProportion(fresh, d, 5, 3)).toBe(2);
    expect(proportionalSizes(d, [old, fresh]).map((x) => [x.rs.metadata.name, x.size])).toEqual([['old', 11], ['new', 7]]);
  });

  it('proportional scaling down takes the leftover from the largest ReplicaSet and never goes below 0', () => {
    const d = deployment(0, 3, 2, { status: { replicas: 13 } });
    const old = rs('old', 8, '2025-01-01T00:00:00Z', { 'deployment.kubernetes.io/max-replicas': '13' });
    const fresh = rs('new', 5, '2025-01-01T00:01:00Z', { 'deployment.kubernetes.io/max-replicas': '13' });
    expect(proportionalSizes(d, [old, fresh]).map((x) => x.size)).toEqual([0, 0]);
  });

  it('a reused ReplicaSet keeps its former revisions in revision-history', () => {
    const d = deployment(3, 1, 0);
    const r = rs('r', 3, '2025-01-01T00:00:00Z', { 'deployment.kubernetes.io/revision': '2' });
    expect(setNewReplicaSetAnnotations(d, r, '4', true)).toBe(true);
    expect(r.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/revision-history': '2' });
    setNewReplicaSetAnnotations(d, r, '6', true);
    expect(r.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('2,4');
  });
});
