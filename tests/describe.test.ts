// `kubectl describe pod` as kubectl 1.32 prints it: k8s.io/kubectl/pkg/describe/describe.go
// (describePod, DescribeEvents, ...) written through Go's text/tabwriter with minwidth 0,
// padding 2 (tabbedString). Every expected text below is laid out by those rules: a column block
// is a run of consecutive lines with a cell in that column, as wide as its widest cell plus 2.
// Virtual time, seed 1; times in UTC.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';
import { describeNode, describePod, describeReplicaSet, formatQuantity, goSort, goTabwriter, parseQuantityExact } from '../cli/describe.ts';
import { runKubectl } from '../cluster/kubectl.ts';

/** Lines as kubectl prints them, each ending in a line break. */
function text(...lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

function pod(name: string, container: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [container] } };
}

/** The values a run makes up (ids, digests, the token volume's suffix, addresses). */
function ids(c: Cluster, name: string): { containerID: string; imageID: string; volume: string; podIP: string; hostIP: string } {
  const p = c.get('pod', name);
  const cs = p.status.containerStatuses?.[0] ?? {};
  return { containerID: cs.containerID, imageID: cs.imageID, volume: p.spec.volumes[0].name, podIP: p.status.podIP, hostIP: p.status.hostIP };
}

describe('Go text/tabwriter (tabbedString: minwidth 0, padding 2)', () => {
  it('a line without a tab ends every column block; each block is sized on its own', () => {
    // text/tabwriter: "a column block is a run of consecutive lines with a cell in that column".
    expect(goTabwriter('Name:\tx\nNamespace:\ty\nIPs:\n  IP:\t1.2.3.4\nControlled By:\tReplicaSet/r\n')).toBe(text(
      'Name:       x',
      'Namespace:  y',
      'IPs:',
      '  IP:           1.2.3.4',
      'Controlled By:  ReplicaSet/r',
    ));
  });

  it('the text after the last tab belongs to no column, and a shorter line ends only the inner blocks', () => {
    // Column 0 spans all three lines (width 6 + 2); column 1 is a block on line 1 and another on line 3.
    expect(goTabwriter('a\tb\tc\nlonger\td\nx\tyy\tz\n')).toBe(text(
      'a       b  c',
      'longer  d',
      'x       yy  z',
    ));
  });

  it('empty cells are padded to the column width, trailing spaces kept, and unterminated text is written as is', () => {
    // All four lines have a cell in column 0, one block as wide as '  Ready ' plus 2.
    expect(goTabwriter('  Type\tStatus\n  Ready \tTrue \nIP:\t\n\tcont\nend')).toBe(
      '  Type    Status\n  Ready   True \nIP:       \n          cont\nend',
    );
    // Flushed text without a final line break: an empty cell after its last tab is no cell.
    expect(goTabwriter('ccc\t\n\t')).toBe('ccc  \n');
    expect(goTabwriter('')).toBe('');
  });

  it('widths count characters, not bytes', () => {
    expect(goTabwriter('é\tx\nab\ty\n')).toBe(text('é   x', 'ab  y'));
  });
});

describe('sort.Sort (pdqsort) as kubectl sorts events and tolerations', () => {
  it('up to 12 elements it is an insertion sort: equal keys keep their order', () => {
    const items = [3, 1, 2, 1, 3, 2].map((k, i) => ({ k, i }));
    expect(goSort(items, (a, b) => a.k < b.k).map((x) => x.i)).toEqual([1, 3, 2, 5, 0, 4]);
  });

  it('beyond 12 elements equal keys end where Go 1.23\'s pdqsort puts them', () => {
    // Orders printed by Go's own sort.Sort (same algorithm from Go 1.19 to 1.23) for these keys.
    const order = (keys: number[]) => goSort(keys.map((k, i) => ({ k, i })), (a, b) => a.k < b.k).map((x) => x.i);
    expect(order([2, 1, 2, 1, 0, 2, 1, 0, 0, 2, 1, 2, 0, 1, 2, 1, 0])).toEqual([8, 4, 16, 12, 7, 13, 6, 10, 3, 1, 15, 2, 5, 9, 11, 14, 0]);
    expect(order(Array.from({ length: 60 }, (_, i) => (i * 7) % 3))).toEqual([21, 57, 54, 3, 51, 48, 6, 45, 42, 9, 39, 36, 12, 33, 0, 15, 30, 27,
      18, 24, 31, 10, 22, 58, 19, 25, 1, 55, 28, 52, 16, 4, 49, 13, 34, 46, 7, 37, 43, 40, 50, 26, 8, 38, 44, 11, 35, 20, 59, 41, 47, 14, 29, 53, 2,
      17, 56, 32, 23, 5]);
  });

  it('beyond 12 elements it sorts, whatever the input\'s shape', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const n of [13, 50, 51, 200, 1000]) {
      const values = Array.from({ length: n }, () => next() % 37);
      for (const input of [values, [...values].sort((a, b) => a - b), [...values].sort((a, b) => b - a)]) {
        expect(goSort(input, (a, b) => a < b)).toEqual([...input].sort((a, b) => a - b));
      }
    }
  });
});

describe('kubectl describe pod', () => {
  it('a running nginx pod: every line as kubectl 1.32 prints it', async () => {
    // describePod: header, container block, conditions, the kube-api-access projected volume
    // (1.32 prints ConfigMapOptional: <nil>), default tolerations, and the pod's Events oldest first.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('nginx', { name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }));
    await c.runFor('30s');
    const v = ids(c, 'nginx');
    expect(c.get('pod', 'nginx').status.containerStatuses[0].state.running.startedAt).toBe('2025-01-01T00:00:02Z');
    expect(c.describe('pod', 'nginx')).toBe(text(
      'Name:             nginx',
      'Namespace:        default',
      'Priority:         0',
      'Service Account:  default',
      `Node:             node-1/${v.hostIP}`,
      'Start Time:       Wed, 01 Jan 2025 00:00:00 +0000',
      'Labels:           <none>',
      'Annotations:      <none>',
      'Status:           Running',
      `IP:               ${v.podIP}`,
      'IPs:',
      `  IP:  ${v.podIP}`,
      'Containers:',
      '  nginx:',
      `    Container ID:   ${v.containerID}`,
      '    Image:          nginx:1.14.2',
      `    Image ID:       ${v.imageID}`,
      '    Port:           80/TCP',
      '    Host Port:      0/TCP',
      '    State:          Running',
      '      Started:      Wed, 01 Jan 2025 00:00:02 +0000',
      '    Ready:          True',
      '    Restart Count:  0',
      '    Environment:    <none>',
      '    Mounts:',
      `      /var/run/secrets/kubernetes.io/serviceaccount from ${v.volume} (ro)`,
      'Conditions:',
      '  Type                        Status',
      '  PodReadyToStartContainers   True ',
      '  Initialized                 True ',
      '  Ready                       True ',
      '  ContainersReady             True ',
      '  PodScheduled                True ',
      'Volumes:',
      `  ${v.volume}:`,
      '    Type:                    Projected (a volume that contains injected data from multiple sources)',
      '    TokenExpirationSeconds:  3607',
      '    ConfigMapName:           kube-root-ca.crt',
      '    ConfigMapOptional:       <nil>',
      '    DownwardAPI:             true',
      'QoS Class:                   BestEffort',
      'Node-Selectors:              <none>',
      'Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
      '                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s',
      'Events:',
      '  Type    Reason     Age   From               Message',
      '  ----    ------     ----  ----               -------',
      '  Normal  Scheduled  30s   default-scheduler  Successfully assigned default/nginx to node-1',
      '  Normal  Pulling    30s   kubelet            Pulling image "nginx:1.14.2"',
      '  Normal  Pulled     28s   kubelet            Successfully pulled image "nginx:1.14.2" in 1.79s (1.79s including waiting). Image size: 44700000 bytes.',
      '  Normal  Created    28s   kubelet            Created container: nginx',
      '  Normal  Started    28s   kubelet            Started container nginx',
    ));
    expect(v.volume).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
  });

  it('a pod in CrashLoopBackOff: Waiting, Last State Terminated with Exit Code 1, restarts, and BackOff xN over', async () => {
    // describeStatus (State / Last State), and DescribeEvents' `<last> (x<count> over <first>)`
    // for Events the kubelet's recorder counted. The Command lines end the container's first block.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('crash', { name: 'busybox', image: 'busybox:1.36', command: ['sh', '-c', 'exit 1'] }));
    await c.runFor('5m');
    const v = ids(c, 'crash');
    // Restarts after 10, 20, 40 and 80 s of back-off; the fifth exit at 2m31s, 160 s of back-off from then.
    // BackOff is recorded at every retry of the pod worker (10-15 s), so the pod's kubelet events pass
    // the spam filter's 25 by 1m11s: the counts written stop there (one more token every 5 min).
    expect(c.get('pod', 'crash').status.containerStatuses[0].lastState.terminated.finishedAt).toBe('2025-01-01T00:02:31Z');
    expect(c.describe('pod', 'crash')).toBe(text(
      'Name:             crash',
      'Namespace:        default',
      'Priority:         0',
      'Service Account:  default',
      `Node:             node-1/${v.hostIP}`,
      'Start Time:       Wed, 01 Jan 2025 00:00:00 +0000',
      'Labels:           <none>',
      'Annotations:      <none>',
      'Status:           Running',
      `IP:               ${v.podIP}`,
      'IPs:',
      `  IP:  ${v.podIP}`,
      'Containers:',
      '  busybox:',
      `    Container ID:  ${v.containerID}`,
      '    Image:         busybox:1.36',
      `    Image ID:      ${v.imageID}`,
      '    Port:          <none>',
      '    Host Port:     <none>',
      '    Command:',
      '      sh',
      '      -c',
      '      exit 1',
      '    State:          Waiting',
      '      Reason:       CrashLoopBackOff',
      '    Last State:     Terminated',
      '      Reason:       Error',
      '      Exit Code:    1',
      '      Started:      Wed, 01 Jan 2025 00:02:31 +0000',
      '      Finished:     Wed, 01 Jan 2025 00:02:31 +0000',
      '    Ready:          False',
      '    Restart Count:  5',
      '    Environment:    <none>',
      '    Mounts:',
      `      /var/run/secrets/kubernetes.io/serviceaccount from ${v.volume} (ro)`,
      'Conditions:',
      '  Type                        Status',
      '  PodReadyToStartContainers   True ',
      '  Initialized                 True ',
      '  Ready                       False ',
      '  ContainersReady             False ',
      '  PodScheduled                True ',
      'Volumes:',
      `  ${v.volume}:`,
      '    Type:                    Projected (a volume that contains injected data from multiple sources)',
      '    TokenExpirationSeconds:  3607',
      '    ConfigMapName:           kube-root-ca.crt',
      '    ConfigMapOptional:       <nil>',
      '    DownwardAPI:             true',
      'QoS Class:                   BestEffort',
      'Node-Selectors:              <none>',
      'Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
      '                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s',
      'Events:',
      '  Type     Reason     Age                    From               Message',
      '  ----     ------     ----                   ----               -------',
      '  Normal   Scheduled  5m                     default-scheduler  Successfully assigned default/crash to node-1',
      '  Normal   Pulling    5m                     kubelet            Pulling image "busybox:1.36"',
      '  Normal   Pulled     5m                     kubelet            Successfully pulled image "busybox:1.36" in 372ms (372ms including waiting). Image size: 2150000 bytes.',
      '  Normal   Created    3m49s (x5 over 5m)     kubelet            Created container: busybox',
      '  Normal   Started    3m49s (x5 over 5m)     kubelet            Started container busybox',
      '  Normal   Pulled     3m49s (x4 over 5m)     kubelet            Container image "busybox:1.36" already present on machine',
      `  Warning  BackOff    3m49s (x9 over 4m59s)  kubelet            Back-off restarting failed container busybox in pod crash_default(${c.get('pod', 'crash').metadata.uid})`,
    ));
  });

  it('a Pending pod that asks for more cpu than the node has: Node <none>, no IP, FailedScheduling from default-scheduler', async () => {
    // describePod: Node <none> without spec.nodeName, no Start Time, `IP:` with an empty value
    // (its cell still padded), no container status lines. The scheduler's Event has only eventTime.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('big', { name: 'app', image: 'nginx:1.14.2', resources: { requests: { cpu: '5' } } }));
    await c.runFor('1m');
    const volume = c.get('pod', 'big').spec.volumes[0].name;
    expect(c.describe('pod', 'big')).toBe(text(
      'Name:             big',
      'Namespace:        default',
      'Priority:         0',
      'Service Account:  default',
      'Node:             <none>',
      'Labels:           <none>',
      'Annotations:      <none>',
      'Status:           Pending',
      'IP:               ',
      'IPs:              <none>',
      'Containers:',
      '  app:',
      '    Image:      nginx:1.14.2',
      '    Port:       <none>',
      '    Host Port:  <none>',
      '    Requests:',
      '      cpu:        5',
      '    Environment:  <none>',
      '    Mounts:',
      `      /var/run/secrets/kubernetes.io/serviceaccount from ${volume} (ro)`,
      'Conditions:',
      '  Type           Status',
      '  PodScheduled   False ',
      'Volumes:',
      `  ${volume}:`,
      '    Type:                    Projected (a volume that contains injected data from multiple sources)',
      '    TokenExpirationSeconds:  3607',
      '    ConfigMapName:           kube-root-ca.crt',
      '    ConfigMapOptional:       <nil>',
      '    DownwardAPI:             true',
      'QoS Class:                   Burstable',
      'Node-Selectors:              <none>',
      'Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s',
      '                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s',
      'Events:',
      '  Type     Reason            Age   From               Message',
      '  ----     ------            ----  ----               -------',
      '  Warning  FailedScheduling  60s   default-scheduler  0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    ));
  });

  it('kube-scheduler\'s series shows as `<last observed> (xN over <eventTime>)`, after the first attempt\'s Event', async () => {
    // DescribeEvents: Series before Count; SortableEvents sorts by lastTimestamp, which neither has.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('big', { name: 'app', image: 'nginx:1.14.2', resources: { requests: { cpu: '5' } } }));
    await c.runFor('40m');
    const events = c.describe('pod', 'big').split('Events:\n')[1];
    expect(events).toBe(text(
      '  Type     Reason            Age                From               Message',
      '  ----     ------            ----               ----               -------',
      '  Warning  FailedScheduling  40m                default-scheduler  0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      '  Warning  FailedScheduling  12m (x5 over 34m)  default-scheduler  0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    ));
  });
});

describe('describePod on a pod spec that uses what describe.go prints', () => {
  const clock = { nowMs: 3_600_000, epochMs: Date.UTC(2025, 0, 1) };
  const full: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'web-7d4b9c-abcde', namespace: 'shop', uid: 'pod-uid',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'hello' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs-uid', controller: true }],
    },
    spec: {
      nodeName: 'node-2', serviceAccountName: 'default', priority: 0,
      initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'] }],
      containers: [{
        name: 'web', image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, hostPort: 8443, protocol: 'TCP' }],
        resources: { limits: { memory: '128Mi', cpu: '500m' }, requests: { cpu: '250m' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 3, successThreshold: 1, failureThreshold: 3 },
        readinessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
        startupProbe: { tcpSocket: { port: 8080 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 30 },
        envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'DB_', secretRef: { name: 'db', optional: true } }],
        env: [
          { name: 'BANNER', value: 'line one\nline two' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
          { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color', optional: true } } },
        ],
        volumeMounts: [{ name: 'config', mountPath: '/etc/web', readOnly: true, subPath: 'web.conf' }, { name: 'cache', mountPath: '/cache' }],
      }],
      volumes: [
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'config', configMap: { name: 'settings' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data-web' } },
        { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
        { name: 'creds', secret: { secretName: 'db', optional: true } },
        { name: 'legacy', rbd: { monitors: ['10.0.0.1:6789'], image: 'disk' } },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux', disktype: 'ssd' },
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
        { operator: 'Exists' },
      ],
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } },
        { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    },
    status: {
      phase: 'Running', hostIP: '172.18.0.3', podIP: '10.244.2.7', podIPs: [{ ip: '10.244.2.7' }], startTime: '2025-01-01T00:00:00Z', qosClass: 'Burstable',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{
        name: 'init', ready: true, restartCount: 0, image: 'busybox:1.36', imageID: 'docker.io/library/busybox@sha256:abc', containerID: 'containerd://init1',
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2025-01-01T00:00:01Z', finishedAt: '2025-01-01T00:00:01Z' } },
      }],
      containerStatuses: [{
        name: 'web', ready: true, restartCount: 1, image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:def', containerID: 'containerd://web2',
        state: { running: { startedAt: '2025-01-01T00:00:03Z' } },
        lastState: { terminated: { exitCode: 137, signal: 9, reason: 'OOMKilled', message: 'out of memory', startedAt: '2025-01-01T00:00:02Z', finishedAt: '2025-01-01T00:00:02Z' } },
      }],
    },
  };
  const involved = { kind: 'Pod', namespace: 'shop', name: 'web-7d4b9c-abcde', uid: 'pod-uid' };
  const events: KubeObject[] = [
    {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-7d4b9c-abcde.a', namespace: 'shop' }, involvedObject: involved,
      type: 'Warning', reason: 'BackOff', message: '  Back-off restarting failed container web  \n', count: 3,
      firstTimestamp: '2025-01-01T00:10:05Z', lastTimestamp: '2025-01-01T00:50:00Z', source: { component: 'kubelet', host: 'node-2' },
    },
    {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-7d4b9c-abcde.b', namespace: 'shop' }, involvedObject: involved,
      type: 'Warning', reason: 'FailedScheduling', message: '0/2 nodes are available.', eventTime: '2025-01-01T00:00:00.000000Z',
      series: { count: 4, lastObservedTime: '2025-01-01T00:08:00.000000Z' }, reportingComponent: 'default-scheduler', source: {}, firstTimestamp: null, lastTimestamp: null,
    },
    {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-7d4b9c-abcde.c', namespace: 'shop' }, involvedObject: involved,
      type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned shop/web-7d4b9c-abcde to node-2', eventTime: '2025-01-01T00:09:00.000000Z',
      reportingComponent: 'default-scheduler', source: {}, firstTimestamp: null, lastTimestamp: null,
    },
  ];

  it('init containers, ports, probes, env forms, resources, volumes, tolerations, spread constraints and both Event shapes', () => {
    // Each section as describe.go writes it; SortableEvents puts the two Events without a
    // lastTimestamp first, in the order they were listed; From is source.component, else
    // reportingComponent (the host is not shown).
    expect(describePod(full, events, clock)).toBe(text(
      'Name:             web-7d4b9c-abcde',
      'Namespace:        shop',
      'Priority:         0',
      'Service Account:  default',
      'Node:             node-2/172.18.0.3',
      'Start Time:       Wed, 01 Jan 2025 00:00:00 +0000',
      'Labels:           app=web',
      '                  pod-template-hash=7d4b9c',
      'Annotations:      note: hello',
      'Status:           Running',
      'IP:               10.244.2.7',
      'IPs:',
      '  IP:           10.244.2.7',
      'Controlled By:  ReplicaSet/web-7d4b9c',
      'Init Containers:',
      '  init:',
      '    Container ID:  containerd://init1',
      '    Image:         busybox:1.36',
      '    Image ID:      docker.io/library/busybox@sha256:abc',
      '    Port:          <none>',
      '    Host Port:     <none>',
      '    Command:',
      '      sh',
      '      -c',
      '      echo hi',
      '    State:          Terminated',
      '      Reason:       Completed',
      '      Exit Code:    0',
      '      Started:      Wed, 01 Jan 2025 00:00:01 +0000',
      '      Finished:     Wed, 01 Jan 2025 00:00:01 +0000',
      '    Ready:          True',
      '    Restart Count:  0',
      '    Environment:    <none>',
      '    Mounts:         <none>',
      'Containers:',
      '  web:',
      '    Container ID:   containerd://web2',
      '    Image:          nginx:1.27',
      '    Image ID:       docker.io/library/nginx@sha256:def',
      '    Ports:          80/TCP, 443/TCP',
      '    Host Ports:     0/TCP, 8443/TCP',
      '    State:          Running',
      '      Started:      Wed, 01 Jan 2025 00:00:03 +0000',
      '    Last State:     Terminated',
      '      Reason:       OOMKilled',
      '      Message:      out of memory',
      '      Exit Code:    137',
      '      Signal:       9',
      '      Started:      Wed, 01 Jan 2025 00:00:02 +0000',
      '      Finished:     Wed, 01 Jan 2025 00:00:02 +0000',
      '    Ready:          True',
      '    Restart Count:  1',
      '    Limits:',
      '      cpu:     500m',
      '      memory:  128Mi',
      '    Requests:',
      '      cpu:      250m',
      '    Liveness:   http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3',
      '    Readiness:  exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3',
      '    Startup:    tcp-socket :8080 delay=0s timeout=1s period=10s #success=1 #failure=30',
      '    Environment Variables from:',
      '      settings  ConfigMap                 Optional: false',
      '      db        Secret with prefix \'DB_\'  Optional: true',
      '    Environment:',
      '      BANNER:     line one',
      '                  line two',
      '      POD_NAME:   web-7d4b9c-abcde (v1:metadata.name)',
      '      POD_IP:      (v1:status.podIP)',
      '      CPU_LIMIT:  500 (limits.cpu)',
      '      MEM_LIMIT:  128 (limits.memory)',
      '      PASSWORD:   <set to the key \'password\' in secret \'db\'>         Optional: false',
      '      COLOR:      <set to the key \'color\' of config map \'settings\'>  Optional: true',
      '    Mounts:',
      '      /cache from cache (rw)',
      '      /etc/web from config (ro,path="web.conf")',
      'Conditions:',
      '  Type          Status',
      '  Initialized   True ',
      '  Ready         True ',
      'Volumes:',
      '  cache:',
      '    Type:       EmptyDir (a temporary directory that shares a pod\'s lifetime)',
      '    Medium:     Memory',
      '    SizeLimit:  64Mi',
      '  config:',
      '    Type:      ConfigMap (a volume populated by a ConfigMap)',
      '    Name:      settings',
      '    Optional:  false',
      '  data:',
      '    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)',
      '    ClaimName:  data-web',
      '    ReadOnly:   false',
      '  host:',
      '    Type:          HostPath (bare host directory volume)',
      '    Path:          /var/log',
      '    HostPathType:  Directory',
      '  creds:',
      '    Type:        Secret (a volume populated by a Secret)',
      '    SecretName:  db',
      '    Optional:    true',
      '  legacy:',
      '  <unknown>',
      'QoS Class:                    Burstable',
      'Node-Selectors:               disktype=ssd',
      '                              kubernetes.io/os=linux',
      'Tolerations:                  op=Exists',
      '                              dedicated=web:NoSchedule',
      '                              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s',
      'Topology Spread Constraints:  kubernetes.io/hostname:ScheduleAnyway when max skew 2 is exceeded',
      '                              topology.kubernetes.io/zone:DoNotSchedule when max skew 1 is exceeded for selector app=web',
      'Events:',
      '  Type     Reason            Age                From               Message',
      '  ----     ------            ----               ----               -------',
      '  Warning  FailedScheduling  52m (x4 over 60m)  default-scheduler  0/2 nodes are available.',
      '  Normal   Scheduled         51m                default-scheduler  Successfully assigned shop/web-7d4b9c-abcde to node-2',
      '  Warning  BackOff           10m (x3 over 49m)  kubelet            Back-off restarting failed container web',
    ));
  });

  it('no Events: `Events:\\t<none>` joins the block above it; no volumes; QoS computed when status has none', () => {
    // DescribeEvents writes `Events:\t<none>`, a cell like `Volumes:\t<none>`, so one block runs
    // from the container's Image line to Events.
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, status: { phase: 'Pending' } };
    expect(describePod(bare, [], clock)).toBe(text(
      'Name:         solo',
      'Namespace:    default',
      'Node:         <none>',
      'Labels:       <none>',
      'Annotations:  <none>',
      'Status:       Pending',
      'IP:           ',
      'IPs:          <none>',
      'Containers:',
      '  c:',
      '    Image:        busybox',
      '    Port:         <none>',
      '    Host Port:    <none>',
      '    Environment:  <none>',
      '    Mounts:       <none>',
      'Volumes:          <none>',
      'QoS Class:        BestEffort',
      'Node-Selectors:   <none>',
      'Tolerations:      <none>',
      'Events:           <none>',
    ));
    expect(describePod(bare, undefined, clock)).not.toContain('Events:');
  });

  it('a pod being deleted: Terminating (lasts <invalid>) while its deletionTimestamp is ahead, and its grace period', () => {
    // translateTimestampSince of a future time: HumanDuration of a negative duration is <invalid>.
    const deleting = structuredClone(full);
    deleting.metadata.deletionTimestamp = '2025-01-01T01:00:30Z';
    deleting.metadata.deletionGracePeriodSeconds = 30;
    const out = describePod(deleting, [], clock);
    expect(out).toContain('\nStatus:                    Terminating (lasts <invalid>)\nTermination Grace Period:  30s\n');
  });
});

describe('kubectl describe inside the simulation', () => {
  it('describe pod NAME, pod/NAME, pods NAME -n NS; a name prefix; NotFound and kinds kubesim does not describe', async () => {
    // kubectl describe: `TYPE NAME` that matches nothing describes the objects whose names start
    // with NAME (DescribeMatchingResources); otherwise the server's NotFound.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('nginx-abc', { name: 'nginx', image: 'nginx:1.14.2' }));
    await c.runFor('30s');
    const expected = c.describe('pod', 'nginx-abc').slice(0, -1);
    expect(await runKubectl(c, 'describe pod nginx-abc')).toBe(expected);
    expect(await runKubectl(c, 'describe pod/nginx-abc')).toBe(expected);
    expect(await runKubectl(c, 'describe pods nginx-abc -n default')).toBe(expected);
    expect(await runKubectl(c, 'kubectl describe po nginx')).toBe(`${expected}\n`);
    expect(await runKubectl(c, 'describe pods')).toBe(expected);
    await expect(runKubectl(c, 'describe pod nope')).rejects.toThrow('Error from server (NotFound): pods "nope" not found');
    await expect(runKubectl(c, 'describe pod/nginx')).rejects.toThrow('Error from server (NotFound): pods "nginx" not found');
    await expect(runKubectl(c, 'describe pods -n kube-system')).resolves.toBe('No resources found in kube-system namespace.');
    await expect(runKubectl(c, 'describe deployment web')).rejects.toThrow('Error from server (NotFound): deployments.apps "web" not found');
    await expect(runKubectl(c, 'describe deployments')).resolves.toBe('No resources found in default namespace.');
    await expect(runKubectl(c, 'describe statefulset web')).rejects.toThrow(
      'error: kubesim describes pods, nodes, replicasets and deployments only, not statefulsets.apps');
    await expect(runKubectl(c, 'describe sts')).rejects.toThrow('error: kubesim describes pods, nodes, replicasets and deployments only, not statefulsets.apps');
    expect(() => c.describe('service', 'kubernetes')).toThrow('error: kubesim describes pods, nodes, replicasets and deployments only, not services');
  });
});

describe('resource.Quantity as describe prints it', () => {
  it('String() is canonical: the largest binary suffix that divides, decimal trailing zeros in the suffix, nano rounding up', () => {
    // apimachinery pkg/api/resource/quantity.go: ParseQuantity rounds up to 1n; CanonicalizeBytes
    // prints BinarySI below 1024 or fractional as DecimalSI, and a DecimalSI exponent as a multiple of 3.
    const canonical = (s: string) => formatQuantity(parseQuantityExact(s)!);
    expect(['100m', '0.1', '1000m', '1100m', '1.5k', '2', '1e3', '0'].map(canonical)).toEqual(['100m', '100m', '1', '1100m', '1500', '2', '1e3', '0']);
    expect(['128Mi', '1024Mi', '16777216Ki', '16674816Ki', '0.5Gi', '1.5Ki', '0.5Ki', '0.1Ki', '0Mi', '100Gi'].map(canonical))
      .toEqual(['128Mi', '1Gi', '16Gi', '16284Mi', '512Mi', '1536', '512', '102400m', '0', '100Gi']);
    expect(['1n', '0.1n', '1.0000000001'].map(canonical)).toEqual(['1n', '1n', '1000000001n']);
    expect(parseQuantityExact('1Q')).toBeUndefined();
  });
});

describe('kubectl describe node', () => {
  const apiPod = (name: string, requests: Record<string, string>, limits: Record<string, string>) =>
    pod(name, { name, image: 'nginx:1.14.2', resources: { requests, limits } });

  it('a node with two pods: lease, conditions, capacity, the non-terminated pods with their share of allocatable, totals, events', async () => {
    // describeNode, describeNodeLease, describeNodeResource (percentages are
    // int64(float64(req) / float64(allocatable) * 100)), DescribeEvents over the node's two event
    // searches (uid, then name as uid). A Succeeded pod is left out by the field selector.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(apiPod('api', { cpu: '250m', memory: '64Mi' }, { cpu: '500m', memory: '128Mi' }));
    c.create(apiPod('web', { cpu: '100m', memory: '128Mi' }, { cpu: '200m', memory: '256Mi' }));
    c.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'done', image: 'busybox:1.36', command: ['sh', '-c', 'exit 0'], resources: { requests: { cpu: '1', memory: '1Gi' } } }] },
    });
    await c.runFor('1m');
    const node = c.get('node', 'node-1');
    const info = node.status.nodeInfo;
    expect(c.get('pod', 'done').status.phase).toBe('Succeeded');
    // What the describer reads: the kubelet's last status report at 10 s, its Lease renewed at 60 s,
    // and memory as the kubelet stores it (16777216Ki prints as 16Gi, 16674816Ki as 16284Mi).
    expect(node.status.conditions.map((x: any) => x.lastHeartbeatTime)).toEqual(Array(4).fill('2025-01-01T00:00:10Z'));
    expect(c.get('lease', 'node-1', 'kube-node-lease').spec.renewTime).toBe('2025-01-01T00:01:00.000000Z');
    expect([node.status.capacity.memory, node.status.allocatable.memory]).toEqual(['16777216Ki', '16674816Ki']);
    // The kubelet's Events (uid node-1) as the API server lists them, all at 0 s; the node controller's at 5 s.
    const kubeletLines: Record<string, string> = {
      Starting: '  Normal  Starting                 60s   kubelet          Starting kubelet.',
      NodeHasSufficientMemory: '  Normal  NodeHasSufficientMemory  60s   kubelet          Node node-1 status is now: NodeHasSufficientMemory',
      NodeHasNoDiskPressure: '  Normal  NodeHasNoDiskPressure    60s   kubelet          Node node-1 status is now: NodeHasNoDiskPressure',
      NodeHasSufficientPID: '  Normal  NodeHasSufficientPID     60s   kubelet          Node node-1 status is now: NodeHasSufficientPID',
      NodeAllocatableEnforced: '  Normal  NodeAllocatableEnforced  60s   kubelet          Updated Node Allocatable limit across pods',
      NodeReady: '  Normal  NodeReady                60s   kubelet          Node node-1 status is now: NodeReady',
    };
    const kubelet = c.list('events').filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.uid === 'node-1');
    expect(kubelet.map((e) => e.reason).sort()).toEqual(Object.keys(kubeletLines).sort());
    expect(c.describe('node', 'node-1')).toBe(text(
      'Name:               node-1',
      'Roles:              <none>',
      'Labels:             beta.kubernetes.io/arch=amd64',
      '                    beta.kubernetes.io/os=linux',
      '                    kubernetes.io/arch=amd64',
      '                    kubernetes.io/hostname=node-1',
      '                    kubernetes.io/os=linux',
      '                    node.kubernetes.io/instance-type=kubesim-4cpu',
      'Annotations:        node.alpha.kubernetes.io/ttl: 0',
      '                    volumes.kubernetes.io/controller-managed-attach-detach: true',
      'CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000',
      'Taints:             <none>',
      'Unschedulable:      false',
      'Lease:',
      '  HolderIdentity:  node-1',
      '  AcquireTime:     <unset>',
      '  RenewTime:       Wed, 01 Jan 2025 00:01:00 +0000',
      'Conditions:',
      '  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message',
      '  ----             ------  -----------------                 ------------------                ------                       -------',
      '  MemoryPressure   False   Wed, 01 Jan 2025 00:00:10 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available',
      '  DiskPressure     False   Wed, 01 Jan 2025 00:00:10 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasNoDiskPressure     kubelet has no disk pressure',
      '  PIDPressure      False   Wed, 01 Jan 2025 00:00:10 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletHasSufficientPID      kubelet has sufficient PID available',
      '  Ready            True    Wed, 01 Jan 2025 00:00:10 +0000   Wed, 01 Jan 2025 00:00:00 +0000   KubeletReady                 kubelet is posting ready status',
      'Addresses:',
      `  InternalIP:  ${node.status.addresses[0].address}`,
      '  Hostname:    node-1',
      'Capacity:',
      '  cpu:                4',
      '  ephemeral-storage:  100Gi',
      '  hugepages-1Gi:      0',
      '  hugepages-2Mi:      0',
      '  memory:             16Gi',
      '  pods:               110',
      'Allocatable:',
      '  cpu:                4',
      '  ephemeral-storage:  100Gi',
      '  hugepages-1Gi:      0',
      '  hugepages-2Mi:      0',
      '  memory:             16284Mi',
      '  pods:               110',
      'System Info:',
      `  Machine ID:                 ${info.machineID}`,
      `  System UUID:                ${info.systemUUID}`,
      `  Boot ID:                    ${info.bootID}`,
      '  Kernel Version:             6.8.0-kubesim',
      '  OS Image:                   Debian GNU/Linux 12 (bookworm)',
      '  Operating System:           linux',
      '  Architecture:               amd64',
      '  Container Runtime Version:  containerd://1.7.24',
      '  Kubelet Version:            v1.32.0',
      '  Kube-Proxy Version:         v1.32.0',
      'PodCIDR:                      10.244.1.0/24',
      'PodCIDRs:                     10.244.1.0/24',
      'Non-terminated Pods:          (2 in total)',
      '  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age',
      '  ---------                   ----    ------------  ----------  ---------------  -------------  ---',
      '  default                     api     250m (6%)     500m (12%)  64Mi (0%)        128Mi (0%)     60s',
      '  default                     web     100m (2%)     200m (5%)   128Mi (0%)       256Mi (1%)     60s',
      'Allocated resources:',
      '  (Total limits may be over 100 percent, i.e., overcommitted.)',
      '  Resource           Requests    Limits',
      '  --------           --------    ------',
      '  cpu                350m (8%)   700m (17%)',
      '  memory             192Mi (1%)  384Mi (2%)',
      '  ephemeral-storage  0 (0%)      0 (0%)',
      '  hugepages-1Gi      0 (0%)      0 (0%)',
      '  hugepages-2Mi      0 (0%)      0 (0%)',
      'Events:',
      '  Type    Reason                   Age   From             Message',
      '  ----    ------                   ----  ----             -------',
      ...kubelet.map((e) => kubeletLines[e.reason]),
      '  Normal  RegisteredNode           55s   node-controller  Node node-1 event: Registered Node node-1 in Controller',
    ));
  });

  it('roles from node-role labels, a Lease it cannot get, capacity standing in for allocatable, an extended resource', () => {
    // findNodeRoles (an empty role after the prefix is none); describeNodeLease's error line joins the
    // header block; describeNodeResource uses capacity when allocatable is empty, guards the totals'
    // percentages against a resource the node lacks, and lists extended resources without one.
    const node: KubeObject = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: 'cp', creationTimestamp: '2025-01-01T00:00:00Z',
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/': 'x' },
      },
      spec: { providerID: 'kind://docker/kind/cp' },
      status: { capacity: { cpu: '2', memory: '4Gi', 'example.com/gpu': '1' } },
    };
    const job: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { nodeName: 'cp', containers: [{ name: 'x', resources: { requests: { cpu: '500m', 'example.com/gpu': '1' } } }] },
    };
    const clock = { nowMs: 60_000, epochMs: Date.UTC(2025, 0, 1) };
    // System Info with no values: each title padded to the block's width (28 + 2), nothing after.
    const blank = (title: string) => `  ${title}:`.padEnd(30);
    expect(describeNode(node, [job], { error: 'leases.coordination.k8s.io "cp" not found' }, undefined, clock)).toBe(text(
      'Name:               cp',
      'Roles:              control-plane,master',
      'Labels:             kubernetes.io/role=master',
      '                    node-role.kubernetes.io/=x',
      '                    node-role.kubernetes.io/control-plane=',
      'Annotations:        <none>',
      'CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000',
      'Taints:             <none>',
      'Unschedulable:      false',
      'Lease:              Failed to get lease: leases.coordination.k8s.io "cp" not found',
      'Addresses:',
      'Capacity:',
      '  cpu:              2',
      '  example.com/gpu:  1',
      '  memory:           4Gi',
      'System Info:',
      ...['Machine ID', 'System UUID', 'Boot ID', 'Kernel Version', 'OS Image', 'Operating System', 'Architecture',
        'Container Runtime Version', 'Kubelet Version', 'Kube-Proxy Version'].map(blank),
      'ProviderID:                   kind://docker/kind/cp',
      'Non-terminated Pods:          (1 in total)',
      '  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age',
      '  ---------                   ----    ------------  ----------  ---------------  -------------  ---',
      '  default                     x       500m (25%)    0 (0%)      0 (0%)           0 (0%)         60s',
      'Allocated resources:',
      '  (Total limits may be over 100 percent, i.e., overcommitted.)',
      '  Resource           Requests    Limits',
      '  --------           --------    ------',
      '  cpu                500m (25%)  0 (0%)',
      '  memory             0 (0%)      0 (0%)',
      '  ephemeral-storage  0 (0%)      0 (0%)',
      '  example.com/gpu    1           0',
    ));
  });

  it('a cordoned, tainted node: Taints sorted by effect then key, Unschedulable true', async () => {
    // printTaintsMultilineWithIndent sorts by `effect,key`; Taint.ToString is key[=value]:Effect.
    // The node lifecycle controller adds node.kubernetes.io/unschedulable:NoSchedule on cordon.
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.runFor('10s');
    c.cordon('node-1');
    const taints = [{ key: 'gpu', effect: 'PreferNoSchedule' }, { key: 'dedicated', value: 'web', effect: 'NoSchedule' }];
    c.patch('node', 'node-1', { spec: { taints: [...(c.get('node', 'node-1').spec.taints ?? []), ...taints] } }, { type: 'merge' });
    await c.runFor('10s');
    expect(c.get('node', 'node-1').spec.taints.map((t: any) => t.key)).toContain('node.kubernetes.io/unschedulable');
    expect(c.describe('node', 'node-1').split('Lease:')[0].split('\n').slice(10).join('\n')).toBe(text(
      'CreationTimestamp:  Wed, 01 Jan 2025 00:00:00 +0000',
      'Taints:             dedicated=web:NoSchedule',
      '                    node.kubernetes.io/unschedulable:NoSchedule',
      '                    gpu:PreferNoSchedule',
      'Unschedulable:      true',
    ));
  });
});

describe('kubectl describe replicaset', () => {
  it('the frontend ReplicaSet of 3: selector, replicas, pods by phase, pod template, SuccessfulCreate events', async () => {
    // describeReplicaSet with DescribePodTemplate ("  Containers:", container names one space
    // deeper, Node-Selectors and Tolerations of the template); the last-applied annotation is skipped.
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.apply('manifests/frontend-replicaset.yaml');
    await c.runFor('1m');
    const created = c.list('events', { namespace: 'default' }).filter((e) => e.involvedObject.name === 'frontend').map((e) => e.message);
    expect([...created].sort()).toEqual(c.list('pods', { labelSelector: 'tier=frontend' }).map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(c.describe('rs', 'frontend')).toBe(text(
      'Name:         frontend',
      'Namespace:    default',
      'Selector:     tier=frontend',
      'Labels:       app=guestbook',
      '              tier=frontend',
      'Annotations:  <none>',
      'Replicas:     3 current / 3 desired',
      'Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed',
      'Pod Template:',
      '  Labels:  tier=frontend',
      '  Containers:',
      '   php-redis:',
      '    Image:         us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5',
      '    Port:          <none>',
      '    Host Port:     <none>',
      '    Environment:   <none>',
      '    Mounts:        <none>',
      '  Volumes:         <none>',
      '  Node-Selectors:  <none>',
      '  Tolerations:     <none>',
      'Events:',
      '  Type    Reason            Age   From                   Message',
      '  ----    ------            ----  ----                   -------',
      ...created.map((m) => `  Normal  SuccessfulCreate  60s   replicaset-controller  ${m}`),
    ));
  });

  it('a pod template with annotations, service account, init containers, resources, env, volumes and constraints; owner, conditions', () => {
    // DescribePodTemplate's fields in its order; a fieldRef prints no value (no pod to resolve it);
    // getPodStatusForController counts only pods the selector lists and the ReplicaSet controls.
    const rs: KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name: 'web-7d4b9c', namespace: 'shop', uid: 'rs-uid', labels: { app: 'web', 'pod-template-hash': '7d4b9c' },
        annotations: { 'deployment.kubernetes.io/revision': '2' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }],
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] },
        template: {
          metadata: { labels: { app: 'web', 'pod-template-hash': '7d4b9c', tier: 'front' }, annotations: { 'prometheus.io/scrape': 'true' } },
          spec: {
            serviceAccountName: 'web', priorityClassName: 'high',
            initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'] }],
            containers: [{
              name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: '250m' } },
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
              volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
            }],
            volumes: [{ name: 'cache', emptyDir: {} }],
            nodeSelector: { 'kubernetes.io/os': 'linux', disktype: 'ssd' },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }],
          },
        },
      },
      status: { replicas: 2, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] },
    };
    const labels = { app: 'web', 'pod-template-hash': '7d4b9c', tier: 'front' };
    const owned = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs-uid', controller: true }];
    const member = (name: string, phase: string, extra: Record<string, unknown> = {}): KubeObject =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels, ownerReferences: owned, ...extra }, status: { phase } });
    const pods = [
      member('a', 'Running'), member('b', 'Pending'), member('c', 'Failed'),
      member('orphan', 'Running', { ownerReferences: [] }), member('other-tier', 'Running', { labels: { ...labels, tier: 'back' } }),
      member('elsewhere', 'Running', { namespace: 'default' }),
    ];
    const clock = { nowMs: 60_000, epochMs: Date.UTC(2025, 0, 1) };
    expect(describeReplicaSet(rs, pods, [], clock)).toBe(text(
      'Name:           web-7d4b9c',
      'Namespace:      shop',
      'Selector:       app=web,pod-template-hash=7d4b9c,tier in (edge,front)',
      'Labels:         app=web',
      '                pod-template-hash=7d4b9c',
      'Annotations:    deployment.kubernetes.io/revision: 2',
      'Controlled By:  Deployment/web',
      'Replicas:       2 current / 2 desired',
      'Pods Status:    1 Running / 1 Waiting / 0 Succeeded / 1 Failed',
      'Pod Template:',
      '  Labels:           app=web',
      '                    pod-template-hash=7d4b9c',
      '                    tier=front',
      '  Annotations:      prometheus.io/scrape: true',
      '  Service Account:  web',
      '  Init Containers:',
      '   init:',
      '    Image:      busybox:1.36',
      '    Port:       <none>',
      '    Host Port:  <none>',
      '    Command:',
      '      sh',
      '      -c',
      '      echo hi',
      '    Environment:  <none>',
      '    Mounts:       <none>',
      '  Containers:',
      '   web:',
      '    Image:      nginx:1.27',
      '    Port:       80/TCP',
      '    Host Port:  0/TCP',
      '    Limits:',
      '      cpu:     500m',
      '      memory:  1Gi',
      '    Requests:',
      '      cpu:  250m',
      '    Environment:',
      '      POD_NAME:   (v1:metadata.name)',
      '    Mounts:',
      '      /cache from cache (rw)',
      '  Volumes:',
      '   cache:',
      '    Type:                       EmptyDir (a temporary directory that shares a pod\'s lifetime)',
      '    Medium:                     ',
      '    SizeLimit:                  <unset>',
      '  Topology Spread Constraints:  kubernetes.io/hostname:ScheduleAnyway when max skew 1 is exceeded',
      '  Priority Class Name:          high',
      '  Node-Selectors:               disktype=ssd',
      '                                kubernetes.io/os=linux',
      '  Tolerations:                  dedicated=web:NoSchedule',
      'Conditions:',
      '  Type             Status  Reason',
      '  ----             ------  ------',
      '  ReplicaFailure   True    FailedCreate',
      'Events:            <none>',
    ));
  });
});

describe('kubectl describe deployment', () => {
  it('nginx-deployment once available: replicas, strategy, pod template, conditions, NewReplicaSet, ScalingReplicaSet', async () => {
    // describeDeployment; OldReplicaSets and NewReplicaSet as printReplicaSetsByLabels writes them.
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.apply('manifests/nginx-deployment.yaml');
    await c.runFor('1m');
    const rs = c.list('rs', { labelSelector: 'app=nginx' });
    expect(rs).toHaveLength(1);
    const name = rs[0].metadata.name;
    expect(c.describe('deploy', 'nginx-deployment')).toBe(text(
      'Name:                   nginx-deployment',
      'Namespace:              default',
      'CreationTimestamp:      Wed, 01 Jan 2025 00:00:00 +0000',
      'Labels:                 app=nginx',
      'Annotations:            deployment.kubernetes.io/revision: 1',
      'Selector:               app=nginx',
      'Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable',
      'StrategyType:           RollingUpdate',
      'MinReadySeconds:        0',
      'RollingUpdateStrategy:  25% max unavailable, 25% max surge',
      'Pod Template:',
      '  Labels:  app=nginx',
      '  Containers:',
      '   nginx:',
      '    Image:         nginx:1.14.2',
      '    Port:          80/TCP',
      '    Host Port:     0/TCP',
      '    Environment:   <none>',
      '    Mounts:        <none>',
      '  Volumes:         <none>',
      '  Node-Selectors:  <none>',
      '  Tolerations:     <none>',
      'Conditions:',
      '  Type           Status  Reason',
      '  ----           ------  ------',
      '  Available      True    MinimumReplicasAvailable',
      '  Progressing    True    NewReplicaSetAvailable',
      'OldReplicaSets:  <none>',
      `NewReplicaSet:   ${name} (3/3 replicas created)`,
      'Events:',
      '  Type    Reason             Age   From                   Message',
      '  ----    ------             ----  ----                   -------',
      `  Normal  ScalingReplicaSet  60s   deployment-controller  Scaled up replica set ${name} from 0 to 3`,
    ));
  });

  it('set image: mid-rollout both ReplicaSets with their replicas; after it the old one stays at 0/0 and the ScalingReplicaSet steps', async () => {
    // DeploymentDescriber passes every old ReplicaSet (allOldRSes, scaled to 0 too), sorted by creation.
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.apply('manifests/nginx-deployment.yaml');
    await c.runFor('1m');
    const old = c.list('rs', { labelSelector: 'app=nginx' })[0].metadata.name;
    await runKubectl(c, 'set image deployment/nginx-deployment nginx=nginx:1.16.1');
    await c.runFor('1s');
    const next = c.list('rs', { labelSelector: 'app=nginx' }).find((rs) => rs.metadata.name !== old)!.metadata.name;
    const status = c.get('deploy', 'nginx-deployment').status;
    expect([status.replicas, status.updatedReplicas, status.availableReplicas, status.unavailableReplicas]).toEqual([4, 1, 3, 1]);
    const mid = c.describe('deploy', 'nginx-deployment');
    expect(mid).toContain('\nAnnotations:            deployment.kubernetes.io/revision: 2\n');
    expect(mid).toContain('\nReplicas:               3 desired | 1 updated | 4 total | 3 available | 1 unavailable\n');
    expect(mid).toContain('\n    Image:         nginx:1.16.1\n');
    expect(mid.split('Conditions:\n')[1]).toBe(text(
      '  Type           Status  Reason',
      '  ----           ------  ------',
      '  Available      True    MinimumReplicasAvailable',
      '  Progressing    True    ReplicaSetUpdated',
      `OldReplicaSets:  ${old} (3/3 replicas created)`,
      `NewReplicaSet:   ${next} (1/1 replicas created)`,
      'Events:',
      '  Type    Reason             Age   From                   Message',
      '  ----    ------             ----  ----                   -------',
      `  Normal  ScalingReplicaSet  61s   deployment-controller  Scaled up replica set ${old} from 0 to 3`,
      `  Normal  ScalingReplicaSet  1s    deployment-controller  Scaled up replica set ${next} from 0 to 1`,
    ));
    await c.runFor('1m');
    // The steps of the rollout, at 60 s (the new ReplicaSet's first pod), 62 s and 63 s; now is 121 s.
    const steps = c.events({ namespace: 'default' }).filter((e) => e.involvedObject.kind === 'Deployment').map((e) => e.lastTimestamp);
    expect(steps).toEqual(['2025-01-01T00:00:00Z', '2025-01-01T00:01:00Z', ...Array(2).fill('2025-01-01T00:01:02Z'), ...Array(3).fill('2025-01-01T00:01:03Z')]);
    expect(c.describe('deploy', 'nginx-deployment').split('Conditions:\n')[1]).toBe(text(
      '  Type           Status  Reason',
      '  ----           ------  ------',
      '  Available      True    MinimumReplicasAvailable',
      '  Progressing    True    NewReplicaSetAvailable',
      `OldReplicaSets:  ${old} (0/0 replicas created)`,
      `NewReplicaSet:   ${next} (3/3 replicas created)`,
      'Events:',
      '  Type    Reason             Age   From                   Message',
      '  ----    ------             ----  ----                   -------',
      `  Normal  ScalingReplicaSet  2m1s  deployment-controller  Scaled up replica set ${old} from 0 to 3`,
      `  Normal  ScalingReplicaSet  61s   deployment-controller  Scaled up replica set ${next} from 0 to 1`,
      `  Normal  ScalingReplicaSet  59s   deployment-controller  Scaled down replica set ${old} from 3 to 2`,
      `  Normal  ScalingReplicaSet  59s   deployment-controller  Scaled up replica set ${next} from 1 to 2`,
      `  Normal  ScalingReplicaSet  58s   deployment-controller  Scaled down replica set ${old} from 2 to 1`,
      `  Normal  ScalingReplicaSet  58s   deployment-controller  Scaled up replica set ${next} from 2 to 3`,
      `  Normal  ScalingReplicaSet  58s   deployment-controller  Scaled down replica set ${old} from 1 to 0`,
    ));
  });
});

describe('kubectl describe node, rs and deploy inside the simulation', () => {
  it('describe node node-1, describe rs frontend, describe deploy/nginx-deployment print what Cluster.describe does', async () => {
    // kubectl's TYPE NAME and TYPE/NAME forms; the short names no, rs, deploy; a cluster-scoped
    // kind lists every object; `No resources found` names the namespace only for namespaced kinds.
    const c = await createCluster({ seed: 1, nodes: 2 });
    await c.apply(['manifests/frontend-replicaset.yaml', 'manifests/nginx-deployment.yaml']);
    await c.runFor('1m');
    const node = c.describe('node', 'node-1').slice(0, -1);
    const rs = c.describe('replicaset', 'frontend').slice(0, -1);
    const deploy = c.describe('deployment', 'nginx-deployment').slice(0, -1);
    expect(await runKubectl(c, 'describe node node-1')).toBe(node);
    expect(await runKubectl(c, 'describe no/node-1')).toBe(node);
    expect(await runKubectl(c, 'describe rs frontend')).toBe(rs);
    expect(await runKubectl(c, 'describe replicasets/frontend -n default')).toBe(rs);
    expect(await runKubectl(c, 'describe deploy/nginx-deployment')).toBe(deploy);
    expect(await runKubectl(c, 'kubectl describe deployments.apps nginx-deployment')).toBe(deploy);
    // kubectl describe prints each further object after "\n\n": two blank lines between them.
    expect(await runKubectl(c, 'describe nodes')).toBe(`${node}\n\n\n${c.describe('node', 'node-2').slice(0, -1)}`);
    expect(await runKubectl(c, 'describe deployments')).toBe(deploy);
    await expect(runKubectl(c, 'describe rs -n kube-system')).resolves.toBe('No resources found in kube-system namespace.');
    await expect(runKubectl(c, 'describe node node-9')).rejects.toThrow('Error from server (NotFound): nodes "node-9" not found');
  });
});
