// kubectl's human-readable output (cli/printers.ts), checked against the rules of upstream
// pkg/printers/internalversion/printers.go and apimachinery's duration.HumanDuration.
import { describe, expect, it } from 'vitest';
import { humanDuration, printAll, printEvents, printTable } from '../cli/printers.ts';
import { DEFAULT_EPOCH, formatTime } from '../api/time.ts';
import type { KubeObject } from '../api/types.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Virtual now for the tables: ten minutes after the cluster started. */
const NOW = 10 * M;
const OPTS = { nowMs: NOW, epochMs: DEFAULT_EPOCH };

function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}): any {
  return { name, ...(namespace ? { namespace } : {}), creationTimestamp: formatTime(0), ...extra };
}

function pod(name: string, spec: any, status: any, metaExtra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta(name, 'default', metaExtra), spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec }, status };
}

/** The rows of a printed table as header -> cell, cut at the header's column offsets. */
function parseTable(text: string, headers: string[]): Array<Record<string, string>> {
  const [head, ...rows] = text.trimEnd().split('\n');
  const starts: number[] = [];
  let from = 0;
  for (const h of headers) {
    const at = head.indexOf(h, from);
    expect(at, `header ${h} in ${head}`).toBeGreaterThanOrEqual(0);
    starts.push(at);
    from = at + h.length;
  }
  return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()])));
}

const POD_COLUMNS = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];

function podRow(p: KubeObject): Record<string, string> {
  return parseTable(printTable([p], OPTS), POD_COLUMNS)[0];
}

describe('AGE: kubectl duration.HumanDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [999, '0s'],
    [59 * S, '59s'],
    [90 * S, '90s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 10 * S, '3m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [70 * M, '70m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [49 * H, '2d1h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 2 * H, '8d'],
    [45 * D, '45d'],
    [367 * D, '367d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [(365 * 2 + 10) * D, '2y10d'],
    [(365 * 2) * D + 25 * H, '2y1d'],
    [(365 * 8) * D + 2 * H, '8y'],
  ];
  it.each(cases)('an object %i ms old shows AGE %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('a timestamp up to a second in the future reads 0s (clock skew), further out <invalid>', () => {
    expect(humanDuration(-1_500)).toBe('0s');
    expect(humanDuration(-2_000)).toBe('<invalid>');
  });
});

describe('kubectl get pods -o wide', () => {
  const WIDE = [...POD_COLUMNS, 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'];
  const wideRow = (p: KubeObject) => parseTable(printTable([p], { ...OPTS, wide: true }), WIDE)[0];

  it('adds IP, NODE, NOMINATED NODE and READINESS GATES, <none> where there is nothing', () => {
    const running = pod('web', { nodeName: 'node-1' }, { phase: 'Running', podIP: '10.244.1.5', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] });
    expect(wideRow(running)).toMatchObject({ NAME: 'web', STATUS: 'Running', IP: '10.244.1.5', NODE: 'node-1', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>' });
    const pending = pod('big', {}, { phase: 'Pending', nominatedNodeName: 'node-2' });
    expect(wideRow(pending)).toMatchObject({ IP: '<none>', NODE: '<none>', 'NOMINATED NODE': 'node-2' });
  });

  it('READINESS GATES counts the gates whose condition is True', () => {
    const gated = pod('gated', { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      { phase: 'Running', podIP: '10.244.1.6', conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }] });
    expect(wideRow(gated)['READINESS GATES']).toBe('1/2');
  });

  it('nodes, workloads, Services and claims add upstream\'s wide columns', () => {
    const node: KubeObject = {
      apiVersion: 'v1', kind: 'Node', metadata: meta('node-1'),
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], nodeInfo: { osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://1.7.24', kubeletVersion: 'v1.32.0' } },
    };
    expect(parseTable(printTable([node], { ...OPTS, wide: true }), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'])[0]).toMatchObject({
      NAME: 'node-1', VERSION: 'v1.32.0', 'INTERNAL-IP': '172.18.0.2', 'EXTERNAL-IP': '<none>', 'OS-IMAGE': 'Debian GNU/Linux 12 (bookworm)', 'KERNEL-VERSION': '6.8.0', 'CONTAINER-RUNTIME': 'containerd://1.7.24',
    });
    const deploy: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'default'),
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', tier: 'front' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'log', image: 'busybox:1.36' }] } } },
      status: {},
    };
    expect(parseTable(printTable([deploy], { ...OPTS, wide: true }), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'])[0]).toMatchObject({
      CONTAINERS: 'nginx,log', IMAGES: 'nginx:1.25,busybox:1.36', SELECTOR: 'app=web,tier=front',
    });
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'default'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } } };
    expect(parseTable(printTable([svc], { ...OPTS, wide: true }), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'])[0].SELECTOR).toBe('app=web');
  });

  it('a kind without wide columns prints its usual ones', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings', 'default'), data: { a: '1' } };
    expect(printTable([cm], { ...OPTS, wide: true })).toBe(printTable([cm], OPTS));
  });
});

describe('kubectl get pods: READY, STATUS and RESTARTS', () => {
  it('a running pod shows 1/1 Running with no restarts', () => {
    const p = pod('web', {}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: formatTime(5 * S) } } }] });
    expect(podRow(p)).toEqual({ NAME: 'web', READY: '1/1', STATUS: 'Running', RESTARTS: '0', AGE: '10m' });
  });

  it('a pod whose image is being pulled shows ContainerCreating', () => {
    const p = pod('web', {}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
    expect(podRow(p)).toMatchObject({ READY: '0/1', STATUS: 'ContainerCreating', RESTARTS: '0' });
  });

  it('a pod in CrashLoopBackOff shows its restarts with the time since the last one', () => {
    const p = pod('web', {}, {
      phase: 'Running',
      containerStatuses: [{
        name: 'app', ready: false, restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: formatTime(NOW - 45 * S) } },
      }],
    });
    expect(podRow(p)).toMatchObject({ READY: '0/1', STATUS: 'CrashLoopBackOff', RESTARTS: '3 (45s ago)' });
  });

  it('image pull failures show ErrImagePull then ImagePullBackOff', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff']) {
      const p = pod('web', {}, { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason } } }] });
      expect(podRow(p).STATUS).toBe(reason);
    }
  });

  it('a pod being deleted shows Terminating while its containers still run', () => {
    const p = pod('web', {}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
      { deletionTimestamp: formatTime(NOW - 5 * S) });
    expect(podRow(p)).toMatchObject({ READY: '1/1', STATUS: 'Terminating' });
  });

  it('a pod whose node is lost and which is being deleted shows Unknown', () => {
    const p = pod('web', {}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: formatTime(NOW) });
    expect(podRow(p).STATUS).toBe('Unknown');
  });

  it('a finished pod shows Completed and 0/1 ready', () => {
    const p = pod('job-x', {}, { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    expect(podRow(p)).toMatchObject({ READY: '0/1', STATUS: 'Completed', RESTARTS: '0' });
  });

  it('a container that exited without a reason shows its exit code', () => {
    const p = pod('web', {}, { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }] });
    expect(podRow(p).STATUS).toBe('ExitCode:137');
  });

  it('a pod waiting on its init container shows Init:0/1', () => {
    const p = pod('web', { initContainers: [{ name: 'migrate', image: 'busybox' }] }, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 0, state: { running: {} } }],
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    });
    expect(podRow(p)).toMatchObject({ READY: '0/1', STATUS: 'Init:0/1' });
  });

  it('a crashing init container shows Init:CrashLoopBackOff and counts its restarts', () => {
    const p = pod('web', { initContainers: [{ name: 'migrate' }] }, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: formatTime(NOW - 3 * M - 10 * S) } } }],
    });
    expect(podRow(p)).toMatchObject({ STATUS: 'Init:CrashLoopBackOff', RESTARTS: '2 (3m10s ago)' });
  });

  it('an evicted pod shows Evicted', () => {
    const p = pod('web', {}, { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
    expect(podRow(p)).toMatchObject({ READY: '0/1', STATUS: 'Evicted' });
  });

  it('a started sidecar (restartable init container) counts towards READY', () => {
    const p = pod('web', { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 0, state: { running: {} } }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    });
    expect(podRow(p)).toMatchObject({ READY: '2/2', STATUS: 'Running' });
  });
});

describe('kubectl get for workloads, services and nodes', () => {
  it('a Deployment row shows READY ready/desired, UP-TO-DATE and AVAILABLE, padded like kubectl', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('nginx', 'default'),
      spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(printTable([d], OPTS)).toBe(
      'NAME    READY   UP-TO-DATE   AVAILABLE   AGE\n' +
      'nginx   2/3     3            2           10m\n');
  });

  it('a NodePort Service shows port:nodePort/protocol and no external IP', () => {
    const svc: KubeObject = {
      apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'default', { creationTimestamp: formatTime(NOW - 45 * S) }),
      spec: { type: 'NodePort', clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'], ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] },
    };
    expect(printTable([svc], OPTS)).toBe(
      'NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE\n' +
      'web    NodePort   10.96.0.12   <none>        80:30080/TCP   45s\n');
  });

  it('a LoadBalancer Service without an address yet shows <pending>; a headless one shows None', () => {
    const lb: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: meta('lb', 'default'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.20'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } };
    const headless: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: meta('db', 'default'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] } };
    const rows = parseTable(printTable([lb, headless], OPTS), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(rows).toEqual([
      { NAME: 'db', TYPE: 'ClusterIP', 'CLUSTER-IP': 'None', 'EXTERNAL-IP': '<none>', 'PORT(S)': '5432/TCP', AGE: '10m' },
      { NAME: 'lb', TYPE: 'LoadBalancer', 'CLUSTER-IP': '10.96.0.20', 'EXTERNAL-IP': '<pending>', 'PORT(S)': '443:31443/TCP', AGE: '10m' },
    ]);
  });

  it('a cordoned control-plane Node shows Ready,SchedulingDisabled, its role and kubelet version', () => {
    const cordoned: KubeObject = {
      apiVersion: 'v1', kind: 'Node', metadata: meta('cp-1', undefined, { labels: { 'node-role.kubernetes.io/control-plane': '' } }),
      spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.0' } },
    };
    const down: KubeObject = {
      apiVersion: 'v1', kind: 'Node', metadata: meta('worker-1'),
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }], nodeInfo: { kubeletVersion: 'v1.31.0' } },
    };
    const fresh: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: meta('worker-2'), status: {} };
    const rows = parseTable(printTable([cordoned, down, fresh], OPTS), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows).toEqual([
      { NAME: 'cp-1', STATUS: 'Ready,SchedulingDisabled', ROLES: 'control-plane', AGE: '10m', VERSION: 'v1.31.0' },
      { NAME: 'worker-1', STATUS: 'NotReady', ROLES: '<none>', AGE: '10m', VERSION: 'v1.31.0' },
      { NAME: 'worker-2', STATUS: 'Unknown', ROLES: '<none>', AGE: '10m', VERSION: '' },
    ]);
  });

  it('Jobs show Running/Complete, COMPLETIONS succeeded/completions and DURATION', () => {
    const done: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('backup', 'default'), spec: { completions: 1, parallelism: 1 },
      status: { succeeded: 1, startTime: formatTime(0), completionTime: formatTime(30 * S), conditions: [{ type: 'Complete', status: 'True' }] },
    };
    const running: KubeObject = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('crunch', 'default'), spec: { parallelism: 3 },
      status: { active: 3, startTime: formatTime(NOW - 4 * M) },
    };
    const rows = parseTable(printTable([done, running], OPTS), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(rows).toEqual([
      { NAME: 'backup', STATUS: 'Complete', COMPLETIONS: '1/1', DURATION: '30s', AGE: '10m' },
      { NAME: 'crunch', STATUS: 'Running', COMPLETIONS: '0/1 of 3', DURATION: '4m', AGE: '10m' },
    ]);
  });

  it('a CronJob shows its schedule, <none> time zone, suspend flag and last schedule', () => {
    const cj: KubeObject = {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('nightly', 'default'),
      spec: { schedule: '*/5 * * * *', suspend: false }, status: { active: [{ name: 'nightly-1' }], lastScheduleTime: formatTime(NOW - 5 * M) },
    };
    expect(parseTable(printTable([cj], OPTS), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'])[0]).toEqual({
      NAME: 'nightly', SCHEDULE: '*/5 * * * *', TIMEZONE: '<none>', SUSPEND: 'False', ACTIVE: '1', 'LAST SCHEDULE': '5m', AGE: '10m',
    });
  });

  it('a DaemonSet shows its counts and node selector', () => {
    const ds: KubeObject = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('kube-proxy', 'kube-system'),
      spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    expect(parseTable(printTable([ds], OPTS), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'])[0]).toEqual({
      NAME: 'kube-proxy', DESIRED: '3', CURRENT: '3', READY: '2', 'UP-TO-DATE': '3', AVAILABLE: '2', 'NODE SELECTOR': 'kubernetes.io/os=linux', AGE: '10m',
    });
  });

  it('a bound PVC shows its volume, capacity and abbreviated access modes', () => {
    const pvc: KubeObject = {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data', 'default'),
      spec: { volumeName: 'pvc-123', storageClassName: 'standard', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'] },
    };
    expect(parseTable(printTable([pvc], OPTS), ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'])[0]).toEqual({
      NAME: 'data', STATUS: 'Bound', VOLUME: 'pvc-123', CAPACITY: '1Gi', 'ACCESS MODES': 'RWO,RWOP', STORAGECLASS: 'standard', VOLUMEATTRIBUTESCLASS: '<unset>', AGE: '10m',
    });
  });

  it('an HPA shows its reference and cpu current/target utilisation', () => {
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('web', 'default'),
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50 } } }] },
    };
    expect(parseTable(printTable([hpa], OPTS), ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'])[0]).toEqual({
      NAME: 'web', REFERENCE: 'Deployment/web', TARGETS: 'cpu: 50%/80%', MINPODS: '1', MAXPODS: '5', REPLICAS: '2', AGE: '10m',
    });
  });

  it('-A adds a NAMESPACE column first; a kind without a printer shows NAME and AGE', () => {
    const objs: KubeObject[] = [
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('b', 'team-b') },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('a', 'team-a') },
    ];
    expect(printTable(objs, { ...OPTS, withNamespace: true })).toBe(
      'NAMESPACE   NAME   AGE\n' +
      'team-a      a      10m\n' +
      'team-b      b      10m\n');
  });
});

describe('kubectl get all', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Event', metadata: meta('web.1', 'default'), involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Scheduled' },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', 'default'), data: { 'ca.crt': 'x' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings', 'default'), data: { a: '1', b: '2' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default') },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d4f', 'default'), spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'default'), spec: { replicas: 1 }, status: { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('kubernetes', 'default'), spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }] } },
    pod('web-5d4f-x1', {}, { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] }),
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('node-1', 'kube-node-lease'), spec: { holderIdentity: 'node-1' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('migrate', 'app'), spec: { completions: 1 }, status: { active: 1, startTime: formatTime(NOW - 20 * S) } },
    { apiVersion: 'v1', kind: 'Node', metadata: meta('node-1'), status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.31.0' } } },
  ];

  it('groups by namespace, prints kinds in get-all order with kind/name, leaves out noise, then cluster-scoped objects', () => {
    expect(printAll(objects, OPTS)).toBe([
      'Namespace: app',
      'NAME                STATUS    COMPLETIONS   DURATION   AGE',
      'job.batch/migrate   Running   0/1           20s        10m',
      '',
      'Namespace: default',
      'NAME              READY   STATUS    RESTARTS   AGE',
      'pod/web-5d4f-x1   1/1     Running   0          10m',
      '',
      'NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE',
      'service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   10m',
      '',
      'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
      'deployment.apps/web   1/1     1            1           10m',
      '',
      'NAME                       DESIRED   CURRENT   READY   AGE',
      'replicaset.apps/web-5d4f   1         1         1       10m',
      '',
      'NAME                 DATA   AGE',
      'configmap/settings   2      10m',
      '',
      'Cluster-scoped:',
      'NAME          STATUS   ROLES    AGE   VERSION',
      'node/node-1   Ready    <none>   10m   v1.31.0',
      '',
    ].join('\n'));
  });

  it('an empty cluster prints No resources found', () => {
    expect(printAll([], OPTS)).toBe('No resources found\n');
  });
});

describe('event timeline', () => {
  it('shows virtual time since start, type, reason, kind/name and the message', () => {
    const events: KubeObject[] = [
      { apiVersion: 'v1', kind: 'Event', metadata: meta('web.1', 'default'), type: 'Normal', reason: 'Scheduled', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Successfully assigned default/web-1 to node-1', lastTimestamp: formatTime(2 * S) },
      { apiVersion: 'v1', kind: 'Event', metadata: meta('web.2', 'default'), type: 'Warning', reason: 'BackOff', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'Back-off restarting failed container\nsecond line', lastTimestamp: formatTime(5 * M + 50 * S) },
      { apiVersion: 'v1', kind: 'Event', metadata: meta('web.3', 'default'), type: 'Normal', reason: 'ScalingReplicaSet', involvedObject: { kind: 'Deployment', name: 'web' }, message: 'Scaled up replica set web-5d4f to 1', lastTimestamp: formatTime(H + 1 * S) },
    ];
    expect(printEvents(events, { epochMs: DEFAULT_EPOCH })).toBe([
      'TIME          TYPE      REASON              OBJECT           MESSAGE',
      '0:00:02.000   Normal    Scheduled           pod/web-1        Successfully assigned default/web-1 to node-1',
      '0:05:50.000   Warning   BackOff             pod/web-1        Back-off restarting failed container...',
      '1:00:01.000   Normal    ScalingReplicaSet   deployment/web   Scaled up replica set web-5d4f to 1',
      '',
    ].join('\n'));
  });

  it('kubectl get events shows LAST SEEN as an age', () => {
    const ev: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: meta('web.1', 'default'), type: 'Normal', reason: 'Pulled', involvedObject: { kind: 'Pod', name: 'web-1' }, message: 'pulled', firstTimestamp: formatTime(M), lastTimestamp: formatTime(NOW - 30 * S), count: 4 };
    expect(parseTable(printTable([ev], OPTS), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])[0]).toEqual({
      'LAST SEEN': '30s', TYPE: 'Normal', REASON: 'Pulled', OBJECT: 'pod/web-1', MESSAGE: 'pulled',
    });
  });
});
