// The StatefulSet tutorial's `web` example (kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set):
// ordered start, scale to 5 and back to 2, a rolling update in reverse ordinal order, and a pod
// deleted and recreated with the same name (and, with working storage, the same claim and data).
// Run: npx tsx scenarios/statefulset.ts
import { createCluster, loadManifests, type Cluster, type KubeObject } from 'kubesim';
import { eventsSince, podTable, say } from './lib/show.ts';

const MANIFEST = 'manifests/web-statefulset.yaml';
const cluster = await createCluster({ seed: 1 });
const ready = (p: KubeObject | undefined) => !!p && !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
  && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const readyWeb = (c: Cluster) => c.list('pods', { labelSelector: 'app=nginx' }).filter(ready).map((p) => p.metadata.name);

// A timeline of what a `kubectl get pods -w -l app=nginx` watcher sees, one line per change that matters.
const seen = new Map<string, string>();
cluster.watch('pods', (ev, c) => {
  const p = ev.object;
  const state = ev.type === 'DELETED' ? 'deleted' : p.metadata.deletionTimestamp ? 'Terminating' : ready(p) ? 'Running and Ready' : ev.type === 'ADDED' ? 'created' : undefined;
  const key = `${p.metadata.uid}`;
  if (!state || seen.get(key) === state) return;
  seen.set(key, state);
  const where = p.spec.nodeName ? ` on ${p.spec.nodeName}` : '';
  say(c, `  ${(p.metadata.name ?? '').padEnd(6)} ${state}${state === 'Running and Ready' ? where : ''}${state === 'created' ? `  (revision ${p.metadata.labels?.['controller-revision-hash']})` : ''}`);
}, { labelSelector: 'app=nginx' });

say(cluster, `kubectl apply -f ${MANIFEST}   (headless Service nginx + StatefulSet web, 2 replicas, claim template www 1Gi)`);
await cluster.apply(MANIFEST);
await cluster.runFor('1m');
let storage = cluster.find('pvc', 'www-web-0')?.status?.phase === 'Bound';
if (!storage) {
  say(cluster, 'claim www-web-0 is still Pending (no volume provisioner in this build): web-0 cannot start, so web-1 is never created.');
  say(cluster, 'Running the rest of the example without volumeClaimTemplates (delete the set and its claims, apply it again):');
  cluster.delete('sts', 'web');
  await cluster.runUntil((c) => c.list('pods', { labelSelector: 'app=nginx' }).length === 0 && !c.find('sts', 'web'), { timeout: '5m' });
  for (const pvc of cluster.list('pvc')) cluster.delete('pvc', pvc.metadata.name!);
  const sts = loadManifests([MANIFEST]).map((d) => d.object).find((o) => o.kind === 'StatefulSet')!;
  delete sts.spec.volumeClaimTemplates;
  delete sts.spec.template.spec.containers[0].volumeMounts;
  await cluster.apply(sts);
}
await cluster.runUntil((c) => readyWeb(c).length === 2, { timeout: '10m' });
const p1 = cluster.get('pod', 'web-1');
say(cluster, `web-1's DNS name: ${p1.spec.hostname}.${p1.spec.subdomain}.default.svc.cluster.local`);
console.log(podTable(cluster, 'app=nginx'));

say(cluster, 'kubectl scale sts web --replicas=5');
cluster.patch('sts', 'web', { spec: { replicas: 5 } }, { type: 'merge' });
await cluster.runUntil((c) => readyWeb(c).length === 5, { timeout: '10m' });
say(cluster, 'kubectl patch sts web -p \'{"spec":{"replicas":2}}\'   (scale down: highest ordinal first, one at a time)');
cluster.patch('sts', 'web', { spec: { replicas: 2 } }, { type: 'merge' });
await cluster.runUntil((c) => c.list('pods', { labelSelector: 'app=nginx' }).length === 2 && readyWeb(c).length === 2, { timeout: '10m' });
if (storage) say(cluster, `claims after scaling down (kept: retention policy Retain): ${cluster.list('pvc').map((p) => p.metadata.name).join(', ')}`);

say(cluster, 'kubectl patch sts web --type=json -p \'[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.k8s.io/nginx-slim:0.24"}]\'');
const before = cluster.get('sts', 'web').status.currentRevision;
cluster.patch('sts', 'web', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.k8s.io/nginx-slim:0.24' }], { type: 'json' });
await cluster.runUntil((c) => c.get('sts', 'web').status.currentRevision !== before, { timeout: '10m' });
const st = cluster.get('sts', 'web').status;
say(cluster, `rolled out: currentRevision ${before} → ${st.currentRevision}; revisions: ${cluster.list('controllerrevisions').map((r) => `${r.metadata.name} (${r.revision})`).join(', ')}`);

const uid = cluster.get('pod', 'web-0').metadata.uid;
if (storage) cluster.storage.get(cluster.get('pv', cluster.get('pvc', 'www-web-0').spec.volumeName).spec.csi.volumeHandle)?.store.files.set('/index.html', 'web-0\n' as any);
say(cluster, 'kubectl delete pod web-0');
cluster.delete('pod', 'web-0');
await cluster.runUntil((c) => ready(c.find('pod', 'web-0')) && c.get('pod', 'web-0').metadata.uid !== uid, { timeout: '10m' });
const again = cluster.get('pod', 'web-0');
say(cluster, `web-0 is back: same name and hostname (${again.spec.hostname}), new uid, claim ${again.spec.volumes?.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName ?? '(none)'}`);
storage = storage && cluster.find('pvc', 'www-web-0')?.status?.phase === 'Bound';
if (storage) {
  const pv = cluster.get('pv', cluster.get('pvc', 'www-web-0').spec.volumeName);
  say(cluster, `index.html on www-web-0 after the restart: ${JSON.stringify(cluster.storage.get(pv.spec.csi.volumeHandle)?.store.files.get('/index.html'))}`);
}
console.log(podTable(cluster, 'app=nginx'));
console.log('\n  What the StatefulSet controller reported:');
console.log(eventsSince(cluster, 0, (e) => e.involvedObject.kind === 'StatefulSet'));
