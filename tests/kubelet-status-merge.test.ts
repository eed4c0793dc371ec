// The status manager's merge (status_manager.go mergePodStatus): the kubelet's conditions, its
// PodScheduled when the API has none, then the conditions others own. equalsMerged answers
// "does the API already hold the merged status?" without building it; it must agree exactly.
import { describe, expect, it } from 'vitest';
import { deepEqual } from '../api/equal.ts';
import { equalsMerged, mergePodStatus } from '../actors/node/kubelet.ts';

const TYPES = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'DisruptionTarget', 'example.com/gate'];

/** A small seeded generator (the test's cases are the same on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function conditions(r: () => number): any[] {
  const out: any[] = [];
  for (const type of TYPES) if (r() < 0.6) out.push({ type, status: r() < 0.5 ? 'True' : 'False', lastTransitionTime: r() < 0.5 ? 't1' : 't2' });
  return r() < 0.2 ? out.reverse() : out;
}

function status(r: () => number): any {
  const s: any = { phase: r() < 0.5 ? 'Running' : 'Pending' };
  if (r() < 0.9) s.conditions = conditions(r);
  if (r() < 0.5) s.podIP = r() < 0.5 ? '10.0.0.1' : '10.0.0.2';
  if (r() < 0.2) s.nominatedNodeName = undefined;
  return s;
}

describe('the kubelet status manager', () => {
  it('equalsMerged agrees with comparing against mergePodStatus, on 5,000 generated pairs and on the merge itself', () => {
    const r = rng(7);
    for (let i = 0; i < 5_000; i++) {
      const mine = status(r);
      const api = r() < 0.1 ? undefined : status(r);
      expect(equalsMerged(api, mine)).toBe(deepEqual(api, mergePodStatus(mine, api)));
      // What the status manager writes is what it then finds equal.
      const merged = mergePodStatus(mine, api);
      expect(equalsMerged(merged, mine)).toBe(true);
    }
  });
});
