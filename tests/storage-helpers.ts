// Helpers for the storage tests: manifests a Kubernetes user would write, and a zoned cluster.
import { createCluster, type Cluster } from 'kubesim';

export async function storageCluster(opts: { nodes?: number; zones?: string[]; seed?: number } = {}): Promise<Cluster> {
  const c = await createCluster({ seed: opts.seed ?? 5, nodes: opts.nodes ?? 3, zones: opts.zones ?? ['zone-a', 'zone-b'] });
  return c;
}

export function claim(name: string, size: string, extra: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, ...metadata }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...extra } };
}

export function hostPathVolume(name: string, size: string, extra: Record<string, unknown> = {}, labels?: Record<string, string>) {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...(labels ? { labels } : {}) },
    spec: { storageClassName: 'manual', capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/mnt/${name}` }, ...extra },
  };
}

export function storageClass(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'csi.kubesim.io', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', ...extra };
}

/** A pod that runs `script` with the claim mounted at /data (volume name www) and an emptyDir at /scratch. */
export function podWithClaim(name: string, claimName: string, script: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'storage-test' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', script], volumeMounts: [{ name: 'www', mountPath: '/data' }, { name: 'scratch', mountPath: '/scratch' }] }],
      volumes: [{ name: 'www', persistentVolumeClaim: { claimName } }, { name: 'scratch', emptyDir: {} }],
      ...spec,
    },
  };
}

export function events(c: Cluster, object: string): Array<{ type: string; reason: string; message: string }> {
  return c.timeline().filter((e) => e.object === object).map(({ type, reason, message }) => ({ type, reason, message }));
}

export function phase(c: Cluster, resource: string, name: string): string | undefined {
  return c.find(resource, name)?.status?.phase;
}

export function running(c: Cluster, pod: string): boolean {
  return phase(c, 'pod', pod) === 'Running';
}
