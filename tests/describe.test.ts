// `kubectl describe pod` as kubectl 1.32 prints it: k8s.io/kubectl/pkg/describe/describe.go
// (describePod, DescribeEvents, ...) written through Go's text/tabwriter with minwidth 0,
// padding 2 (tabbedString). Every expected text below is laid out by those rules: a column block
// is a run of consecutive lines with a cell in that column, as wide as its widest cell plus 2.
// Virtual time, seed 1; times in UTC.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';
import { describePod, goSort, goTabwriter } from '../cli/describe.ts';
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
      '  Normal   Created    2m29s (x6 over 5m)     kubelet            Created container: busybox',
      '  Normal   Started    2m29s (x6 over 5m)     kubelet            Started container busybox',
      '  Normal   Pulled     2m29s (x5 over 5m)     kubelet            Container image "busybox:1.36" already present on machine',
      `  Warning  BackOff    2m29s (x5 over 4m59s)  kubelet            Back-off restarting failed container busybox in pod crash_default(${c.get('pod', 'crash').metadata.uid})`,
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
  it('describe pod NAME, pod/NAME, pods NAME -n NS; a name prefix; NotFound and other kinds', async () => {
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
    await expect(runKubectl(c, 'describe deployment web')).rejects.toThrow('error: kubesim describes pods only, not deployments.apps');
    await expect(runKubectl(c, 'describe deployments')).rejects.toThrow('error: kubesim describes pods only, not deployments.apps');
  });
});
