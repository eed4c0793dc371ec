// kubectl's human-readable output. Mirrors kubernetes/kubernetes
// pkg/printers/internalversion/printers.go (the column definitions and print* row functions),
// k8s.io/apimachinery/pkg/util/duration/duration.go (HumanDuration, the AGE column),
// k8s.io/cli-runtime/pkg/printers/tableprinter.go (PrintTable: upper-cased headers, cells cut at
// the first line break with "...") and kubectl's tabwriter settings (minwidth 6, padding 3, ' ').
// Objects are plain JSON as the API server stores them (after defaulting); where a defaulted
// field is missing, the API default is assumed (replicas 1, Service type ClusterIP, protocol TCP).
import type { KubeObject } from '../api/types.ts';
import { eventTimestamp } from '../api/eventutil.ts';

export interface TableOptions {
  /** Virtual now (ms since the epoch). */
  nowMs: number;
  /** Wall-clock ms of virtual time 0; timestamps in objects are RFC 3339 relative to it. */
  epochMs: number;
  withNamespace?: boolean;
  withKindPrefix?: boolean;
  /** `-o wide`: the kind's extra columns (a kind without any prints its usual ones). */
  wide?: boolean;
}

type Cell = string | number;

interface KindPrinter {
  columns: string[];
  row: (obj: KubeObject, now: Clock) => Cell[];
  /** The columns `-o wide` adds after these, and their cells. */
  wide?: { columns: string[]; row: (obj: KubeObject) => Cell[] };
}

/** Elapsed-time helpers bound to the virtual now. */
interface Clock {
  /** Virtual now (ms). */
  now: number;
  /** translateTimestampSince: HumanDuration(now - t), or <unknown> for a missing timestamp. */
  since(ts: string | null | undefined): string;
  /** Virtual ms of a timestamp. */
  at(ts: string): number;
}

// ------------------------------------------------------------------ duration.HumanDuration

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** kubectl's AGE/duration column (apimachinery duration.HumanDuration): ~2-3 significant figures. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) return unitPair(minutes, 'm', seconds % 60, 's');
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) return unitPair(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return unitPair(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return unitPair(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** "3m10s", or "3m" when the smaller unit is zero. */
function unitPair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
}

function clockAt(nowMs: number, epochMs: number): Clock {
  const at = (ts: string): number => Date.parse(ts) - epochMs;
  return {
    now: nowMs,
    at,
    since: (ts) => {
      if (!ts) return '<unknown>';
      const t = at(ts);
      return Number.isNaN(t) ? '<unknown>' : humanDuration(nowMs - t);
    },
  };
}

// ------------------------------------------------------------------ small formatting helpers

function name(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

function age(obj: KubeObject, clock: Clock): string {
  return clock.since(obj.metadata.creationTimestamp as unknown as string | undefined);
}

function group(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `pod`, `deployment.apps`: strings.ToLower(GroupKind.String()), as `kubectl get all` prefixes names. */
function kindPrefix(obj: KubeObject): string {
  const g = group(obj.apiVersion ?? '');
  return (g ? `${obj.kind}.${g}` : obj.kind).toLowerCase();
}

/** Go's string order: by UTF-16 code unit, as `<` compares (the same as bytes for the ASCII names here). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** labels.FormatLabels: sorted k=v pairs, or <none>. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** metav1.FormatLabelSelector: the selector's String(), or <none> when it selects everything. */
/** metav1.FormatLabelSelector: requirements by key, values sorted; `none` when it has none. */
export function formatLabelSelector(sel: any, none = '<none>'): string {
  if (!sel) return none;
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) reqs.push({ key: e.key, text: selectorRequirement(e) });
  if (reqs.length === 0) return none;
  return reqs.sort((a, b) => byteOrder(a.key, b.key)).map((r) => r.text).join(',');
}

function selectorRequirement(e: { key: string; operator: string; values?: string[] }): string {
  const values = [...(e.values ?? [])].sort(byteOrder).join(',');
  switch (e.operator) {
    case 'In': return `${e.key} in (${values})`;
    case 'NotIn': return `${e.key} notin (${values})`;
    case 'Exists': return e.key;
    case 'DoesNotExist': return `!${e.key}`;
    default: return `${e.key} ${e.operator} (${values})`;
  }
}

/** printBoolPtr. */
function boolPtr(value: boolean | undefined | null): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

/** IntOrString.String(). */
function intOrString(v: number | string | undefined | null, missing: string): string {
  return v === undefined || v === null ? missing : String(v);
}

/** helper.GetAccessModesAsString: always in the order RWO,ROX,RWX,RWOP. */
function accessModes(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** helper.GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation wins. */
function storageClassOf(obj: KubeObject): string {
  const ann = obj.metadata.annotations ?? {};
  if (BETA_STORAGE_CLASS in ann) return ann[BETA_STORAGE_CLASS];
  return obj.spec?.storageClassName ?? '';
}

/** A resource.Quantity as stored (already canonical text); a missing one prints as "0". */
function quantity(q: string | number | undefined): string {
  return q === undefined || q === null ? '0' : String(q);
}

/** net.JoinHostPort. */
function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** listWithMoreString: up to `max` items then " + N more...", <unset> when empty. */
function listWithMore(items: string[], max: number, emptyText = '<unset>'): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? emptyText : shown;
}

// ------------------------------------------------------------------ Pod

function isRestartableInitContainer(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

function hasCondition(conditions: any[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** isPodInitializedConditionTrue: the first Initialized condition decides. */
function podInitialized(conditions: any[] | undefined): boolean {
  const c = (conditions ?? []).find((x) => x.type === 'Initialized');
  return c?.status === 'True';
}

/** The STATUS, READY and RESTARTS cells of printPod. */
function podSummary(pod: KubeObject, clock: Clock): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs: any[] = spec.initContainers ?? [];
  const initByName = new Map(initSpecs.map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + initSpecs.filter(isRestartableInitContainer).length;
  let readyCount = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = -Infinity;
  let lastSidecarRestart = -Infinity;
  const finishedAt = (cs: any): number => {
    const t = cs.lastState?.terminated?.finishedAt;
    return t ? clock.at(t) : -Infinity;
  };

  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(cs));
    const sidecar = isRestartableInitContainer(initByName.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(cs));
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) readyCount++;
      continue;
    }
    if (terminated) reason = `Init:${terminatedReason(terminated)}`;
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || podInitialized(status.conditions)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(cs));
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminated.reason || terminatedReason(terminated);
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = Boolean(pod.metadata.deletionTimestamp);
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== -Infinity) restartsText = `${restarts} (${humanDuration(clock.now - lastRestart)} ago)`;
  return { ready: `${readyCount}/${total}`, reason, restarts: restartsText };
}

/** A terminated state without a reason: Signal:N or ExitCode:N. */
function terminatedReason(t: any): string {
  if (t.reason) return t.reason;
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
}

function printPod(pod: KubeObject, clock: Clock): Cell[] {
  const s = podSummary(pod, clock);
  return [name(pod), s.ready, s.reason, s.restarts, age(pod, clock)];
}

/** printPod's wide cells: IP, NODE, NOMINATED NODE, READINESS GATES (true gates / gates). */
function printPodWide(pod: KubeObject): Cell[] {
  const gates: any[] = pod.spec?.readinessGates ?? [];
  const conditions: any[] = pod.status?.conditions ?? [];
  const trueGates = gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length;
  return [pod.status?.podIP || '<none>', pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', gates.length ? `${trueGates}/${gates.length}` : '<none>'];
}

/** The pod's STATUS column as `kubectl get pods` shows it (Init:0/1, CrashLoopBackOff, Terminating, …). */
export function podStatusColumn(pod: KubeObject): string {
  return podSummary(pod, clockAt(0, 0)).reason;
}

// ------------------------------------------------------------------ workloads

function replicas(obj: KubeObject): number {
  return obj.spec?.replicas ?? 1;
}

function printDeployment(d: KubeObject, clock: Clock): Cell[] {
  const st = d.status ?? {};
  return [name(d), `${st.readyReplicas ?? 0}/${replicas(d)}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(d, clock)];
}

function printReplicaSet(rs: KubeObject, clock: Clock): Cell[] {
  const st = rs.status ?? {};
  return [name(rs), replicas(rs), st.replicas ?? 0, st.readyReplicas ?? 0, age(rs, clock)];
}

function printStatefulSet(ss: KubeObject, clock: Clock): Cell[] {
  return [name(ss), `${ss.status?.readyReplicas ?? 0}/${replicas(ss)}`, age(ss, clock)];
}

function printDaemonSet(ds: KubeObject, clock: Clock): Cell[] {
  const st = ds.status ?? {};
  return [name(ds), st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0,
    st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), age(ds, clock)];
}

/** hasJobCondition: the first condition of the type decides. */
function jobCondition(job: KubeObject, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x: any) => x.type === type);
  return c?.status === 'True';
}

function jobStatus(job: KubeObject): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec?.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, clock: Clock): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime;
  return humanDuration((end ? clock.at(end) : clock.now) - clock.at(start));
}

function printJob(job: KubeObject, clock: Clock): Cell[] {
  return [name(job), jobStatus(job), jobCompletions(job), jobDuration(job, clock), age(job, clock)];
}

function printCronJob(cj: KubeObject, clock: Clock): Cell[] {
  const last = cj.status?.lastScheduleTime ? clock.since(cj.status.lastScheduleTime) : '<none>';
  return [name(cj), cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>', boolPtr(cj.spec?.suspend ?? false),
    (cj.status?.active ?? []).length, last, age(cj, clock)];
}

function printReplicationController(rc: KubeObject, clock: Clock): Cell[] {
  const st = rc.status ?? {};
  return [name(rc), replicas(rc), st.replicas ?? 0, st.readyReplicas ?? 0, age(rc, clock)];
}

function formatHpaMetrics(specs: any[], statuses: any[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => hpaMetric(spec, statuses[i]));
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

/** One entry of formatHPAMetrics. */
function hpaMetric(spec: any, status: any): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = spec[key]?.target ?? {};
      const current = status?.[key]?.current;
      if (target.averageValue !== undefined) return `${current?.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${current ? quantity(current.value) : unknown}/${quantity(target.value)}`;
    }
    case 'Pods':
      return `${status?.pods ? quantity(status.pods.current?.averageValue) : unknown}/${quantity(spec.pods?.target?.averageValue)}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const src = spec[key] ?? {};
      const cur = status?.[key]?.current;
      if (src.target?.averageValue !== undefined) return `${src.name}: ${status?.[key] ? quantity(cur?.averageValue) : unknown}/${src.target.averageValue}`;
      const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : unknown;
      const target = src.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
      return `${src.name}: ${current}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

/** autoscaling/v1's CPU target, as the internal (v2) metric list it converts to. */
function hpaMetricsOf(hpa: KubeObject): { specs: any[]; statuses: any[] } {
  if (hpa.spec?.metrics || !String(hpa.apiVersion).endsWith('/v1')) {
    return { specs: hpa.spec?.metrics ?? [], statuses: hpa.status?.currentMetrics ?? [] };
  }
  const target = hpa.spec?.targetCPUUtilizationPercentage;
  if (target === undefined) return { specs: [], statuses: [] };
  const current = hpa.status?.currentCPUUtilizationPercentage;
  return {
    specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
    statuses: current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
  };
}

function printHpa(hpa: KubeObject, clock: Clock): Cell[] {
  const ref = hpa.spec?.scaleTargetRef ?? {};
  const { specs, statuses } = hpaMetricsOf(hpa);
  const min = hpa.spec?.minReplicas;
  return [name(hpa), `${ref.kind ?? ''}/${ref.name ?? ''}`, formatHpaMetrics(specs, statuses),
    min === undefined || min === null ? '<unset>' : String(min), hpa.spec?.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, age(hpa, clock)];
}

function printPdb(pdb: KubeObject, clock: Clock): Cell[] {
  return [name(pdb), intOrString(pdb.spec?.minAvailable, 'N/A'), intOrString(pdb.spec?.maxUnavailable, 'N/A'),
    pdb.status?.disruptionsAllowed ?? 0, age(pdb, clock)];
}

// ------------------------------------------------------------------ networking

const LOAD_BALANCER_WIDTH = 16;

/** loadBalancerStatusStringer (not wide): sorted unique IPs/hostnames, clipped to 16 bytes. */
function loadBalancerIps(status: any): string {
  const set = new Set<string>();
  for (const ing of status?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  const r = [...set].sort(byteOrder).join(',');
  return r.length > LOAD_BALANCER_WIDTH ? `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : r;
}

function serviceExternalIp(svc: KubeObject): string {
  const external: string[] = svc.spec?.externalIPs ?? [];
  switch (serviceType(svc)) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIps(svc.status?.loadBalancer);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function serviceType(svc: KubeObject): string {
  return svc.spec?.type ?? 'ClusterIP';
}

/** makePortString: 80/TCP, 80:30080/TCP. */
function servicePorts(ports: any[] | undefined): string {
  const text = (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  }).join(',');
  return text === '' ? '<none>' : text;
}

function printService(svc: KubeObject, clock: Clock): Cell[] {
  const clusterIp = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>';
  return [name(svc), serviceType(svc), clusterIp || '<none>', serviceExternalIp(svc), servicePorts(svc.spec?.ports), age(svc, clock)];
}

/** formatEndpoints: up to 3 ip:port, then " + N more...". */
function formatEndpoints(ep: KubeObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const ss of subsets) {
    const addresses: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports ?? [];
    if (ports.length === 0) {
      for (const a of addresses) all.push(a.ip);
      continue;
    }
    for (const port of ports) for (const a of addresses) all.push(joinHostPort(a.ip, port.port));
  }
  const max = 3;
  const shown = all.slice(0, max).join(',');
  return all.length > max ? `${shown} + ${all.length - max} more...` : shown;
}

function printEndpoints(ep: KubeObject, clock: Clock): Cell[] {
  return [name(ep), formatEndpoints(ep), age(ep, clock)];
}

function printEndpointSlice(es: KubeObject, clock: Clock): Cell[] {
  const ports = (es.ports ?? []).map((p: any) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*'));
  const addresses = (es.endpoints ?? []).flatMap((e: any) => e.addresses ?? []);
  return [name(es), es.addressType ?? '', listWithMore(ports, 3), listWithMore(addresses, 3), age(es, clock)];
}

function printIngress(ing: KubeObject, clock: Clock): Cell[] {
  const rules: any[] = ing.spec?.rules ?? [];
  const hosts = rules.map((r) => r.host).filter((h) => h);
  const max = 3;
  let hostText = hosts.slice(0, max).join(',');
  if (hosts.length === 0) hostText = '*';
  else if (rules.length > max) hostText = `${hostText} + ${rules.length - max} more...`;
  const ports = (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80';
  return [name(ing), ing.spec?.ingressClassName ?? '<none>', hostText, loadBalancerIps(ing.status?.loadBalancer), ports, age(ing, clock)];
}

function printNetworkPolicy(np: KubeObject, clock: Clock): Cell[] {
  return [name(np), formatLabelSelector(np.spec?.podSelector), age(np, clock)];
}

// ------------------------------------------------------------------ cluster and config

/** STATUS: Ready/NotReady from the Ready condition (Unknown without one), then SchedulingDisabled. */
function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted. */
function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size === 0 ? '<none>' : [...roles].sort(byteOrder).join(',');
}

function printNode(node: KubeObject, clock: Clock): Cell[] {
  return [name(node), nodeStatus(node), nodeRoles(node), age(node, clock), node.status?.nodeInfo?.kubeletVersion ?? ''];
}

function printNamespace(ns: KubeObject, clock: Clock): Cell[] {
  return [name(ns), ns.status?.phase ?? '', age(ns, clock)];
}

function printConfigMap(cm: KubeObject, clock: Clock): Cell[] {
  return [name(cm), Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, clock)];
}

function printSecret(s: KubeObject, clock: Clock): Cell[] {
  return [name(s), s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s, clock)];
}

function printServiceAccount(sa: KubeObject, clock: Clock): Cell[] {
  return [name(sa), (sa.secrets ?? []).length, age(sa, clock)];
}

function printPvc(pvc: KubeObject, clock: Clock): Cell[] {
  const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
  const volume = pvc.spec?.volumeName ?? '';
  const capacity = volume ? quantity(pvc.status?.capacity?.storage) : '';
  const modes = volume ? accessModes(pvc.status?.accessModes) : '';
  return [name(pvc), phase, volume, capacity, modes, storageClassOf(pvc), pvc.spec?.volumeAttributesClassName ?? '<unset>', age(pvc, clock)];
}

function printPv(pv: KubeObject, clock: Clock): Cell[] {
  const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
  const phase = pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
  return [name(pv), quantity(pv.spec?.capacity?.storage), accessModes(pv.spec?.accessModes), pv.spec?.persistentVolumeReclaimPolicy ?? '',
    phase, claim, storageClassOf(pv), pv.spec?.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '', age(pv, clock)];
}

/** storageutil.IsDefaultAnnotation: the GA or beta is-default-class annotation set to "true". */
function isDefaultStorageClass(sc: KubeObject): boolean {
  const ann = sc.metadata.annotations ?? {};
  return ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

function printStorageClass(sc: KubeObject, clock: Clock): Cell[] {
  const scName = isDefaultStorageClass(sc) ? `${name(sc)} (default)` : name(sc);
  return [scName, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate',
    sc.allowVolumeExpansion ? 'true' : 'false', age(sc, clock)];
}

function printLease(lease: KubeObject, clock: Clock): Cell[] {
  return [name(lease), lease.spec?.holderIdentity ?? '', age(lease, clock)];
}

function printRoleBinding(rb: KubeObject, clock: Clock): Cell[] {
  return [name(rb), `${rb.roleRef?.kind ?? ''}/${rb.roleRef?.name ?? ''}`, age(rb, clock)];
}

/** Kinds without a printer in printers.go get the API server's default table: NAME, CREATED AT. */
function printCreatedAt(obj: KubeObject): Cell[] {
  return [name(obj), String(obj.metadata.creationTimestamp ?? '<unknown>')];
}

/** The involved object of a core/v1 Event (or the `regarding` of an events.k8s.io/v1 one). */
function eventTarget(ev: KubeObject): string {
  const ref = ev.involvedObject ?? ev.regarding ?? {};
  const kind = String(ref.kind ?? '').toLowerCase();
  return ref.name ? `${kind}/${ref.name}` : kind;
}

function eventMessage(ev: KubeObject): string {
  return String(ev.message ?? ev.note ?? '').trim();
}

function printEvent(ev: KubeObject, clock: Clock): Cell[] {
  const first = ev.firstTimestamp ? clock.since(ev.firstTimestamp) : clock.since(ev.eventTime);
  let last = ev.lastTimestamp ? clock.since(ev.lastTimestamp) : first;
  if (ev.series) last = clock.since(ev.series.lastObservedTime);
  return [last, ev.type ?? '', ev.reason ?? '', eventTarget(ev), eventMessage(ev)];
}

function printNameAge(obj: KubeObject, clock: Clock): Cell[] {
  return [name(obj), age(obj, clock)];
}

// ------------------------------------------------------------------ -o wide

/** layoutContainerCells: the containers' names and images, comma-separated. */
function containerCells(podSpec: any): Cell[] {
  const containers: any[] = podSpec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
}

const WORKLOAD_WIDE = { columns: ['CONTAINERS', 'IMAGES', 'SELECTOR'], row: (o: KubeObject) => [...containerCells(o.spec?.template?.spec), formatLabelSelector(o.spec?.selector)] };

function nodeAddress(node: KubeObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';
}

const PRINTERS: Record<string, KindPrinter> = {
  Pod: { columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], row: printPod, wide: { columns: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'], row: printPodWide } },
  Deployment: { columns: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], row: printDeployment, wide: WORKLOAD_WIDE },
  ReplicaSet: { columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], row: printReplicaSet, wide: WORKLOAD_WIDE },
  ReplicationController: { columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'], row: printReplicationController },
  StatefulSet: { columns: ['NAME', 'READY', 'AGE'], row: printStatefulSet, wide: { columns: ['CONTAINERS', 'IMAGES'], row: (o) => containerCells(o.spec?.template?.spec) } },
  DaemonSet: { columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'], row: printDaemonSet, wide: WORKLOAD_WIDE },
  Job: { columns: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'], row: printJob, wide: WORKLOAD_WIDE },
  CronJob: {
    columns: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'], row: printCronJob,
    wide: { columns: ['CONTAINERS', 'IMAGES', 'SELECTOR'], row: (o) => [...containerCells(o.spec?.jobTemplate?.spec?.template?.spec), formatLabelSelector(o.spec?.jobTemplate?.spec?.selector)] },
  },
  HorizontalPodAutoscaler: { columns: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'], row: printHpa },
  PodDisruptionBudget: { columns: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], row: printPdb },
  Service: { columns: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], row: printService, wide: { columns: ['SELECTOR'], row: (o) => [formatLabels(o.spec?.selector)] } },
  Endpoints: { columns: ['NAME', 'ENDPOINTS', 'AGE'], row: printEndpoints },
  EndpointSlice: { columns: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'], row: printEndpointSlice },
  Ingress: { columns: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'], row: printIngress },
  NetworkPolicy: { columns: ['NAME', 'POD-SELECTOR', 'AGE'], row: printNetworkPolicy },
  Node: {
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], row: printNode,
    wide: {
      columns: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
      row: (n) => [nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'), n.status?.nodeInfo?.osImage || '<unknown>', n.status?.nodeInfo?.kernelVersion || '<unknown>', n.status?.nodeInfo?.containerRuntimeVersion || '<unknown>'],
    },
  },
  Namespace: { columns: ['NAME', 'STATUS', 'AGE'], row: printNamespace },
  ConfigMap: { columns: ['NAME', 'DATA', 'AGE'], row: printConfigMap },
  Secret: { columns: ['NAME', 'TYPE', 'DATA', 'AGE'], row: printSecret },
  ServiceAccount: { columns: ['NAME', 'SECRETS', 'AGE'], row: printServiceAccount },
  PersistentVolumeClaim: {
    columns: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'], row: printPvc,
    wide: { columns: ['VOLUMEMODE'], row: (o) => [o.spec?.volumeMode ?? '<unset>'] },
  },
  PersistentVolume: {
    columns: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
    row: printPv,
    wide: { columns: ['VOLUMEMODE'], row: (o) => [o.spec?.volumeMode ?? '<unset>'] },
  },
  StorageClass: { columns: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'], row: printStorageClass },
  Lease: { columns: ['NAME', 'HOLDER', 'AGE'], row: printLease },
  RoleBinding: { columns: ['NAME', 'ROLE', 'AGE'], row: printRoleBinding },
  ClusterRoleBinding: { columns: ['NAME', 'ROLE', 'AGE'], row: printRoleBinding },
  Role: { columns: ['NAME', 'CREATED AT'], row: printCreatedAt },
  ClusterRole: { columns: ['NAME', 'CREATED AT'], row: printCreatedAt },
  Event: { columns: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], row: printEvent },
};

const DEFAULT_PRINTER: KindPrinter = { columns: ['NAME', 'AGE'], row: printNameAge };

function printerFor(kind: string): KindPrinter {
  return PRINTERS[kind] ?? DEFAULT_PRINTER;
}

// ------------------------------------------------------------------ the table writer

const TABWRITER_MIN_WIDTH = 6;
const TABWRITER_PADDING = 3;

/** tableprinter's cell text: a string is cut at its first line break and marked with "...". */
function cellText(cell: Cell): string {
  const text = String(cell);
  const brk = text.search(/[\f\n\r]/);
  return brk < 0 ? text : `${text.slice(0, brk)}...`;
}

/** Characters, as utf8.RuneCount counts a cell's width. */
export function runeLength(s: string): number {
  return [...s].length;
}

/**
 * text/tabwriter as kubectl configures it: every tab-terminated cell is padded to its column's
 * widest cell plus 3 (at least 6); the last cell of a line is not padded.
 */
export function tabwrite(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length - 1; j++) {
      widths[j] = Math.max(widths[j] ?? 0, Math.max(runeLength(row[j]) + TABWRITER_PADDING, TABWRITER_MIN_WIDTH));
    }
  }
  return rows.map((row) => row.map((cell, j) => (j < row.length - 1 ? cell + ' '.repeat(widths[j] - runeLength(cell)) : cell)).join('')).join('\n') + '\n';
}

function sortByNamespaceAndName(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => byteOrder(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || byteOrder(name(a), name(b)));
}

/** The objects grouped by kind, in order of first appearance (as `kubectl get pods,svc`). */
function groupByKind(objects: KubeObject[]): KubeObject[][] {
  const groups = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const g = groups.get(o.kind);
    if (g) g.push(o);
    else groups.set(o.kind, [o]);
  }
  return [...groups.values()];
}

function kindTable(objects: KubeObject[], opts: TableOptions): string {
  const printer = printerFor(objects[0].kind);
  const clock = clockAt(opts.nowMs, opts.epochMs);
  const withNamespace = Boolean(opts.withNamespace) && objects.some((o) => o.metadata.namespace);
  const nameColumn = printer.columns.indexOf('NAME');
  const wide = opts.wide ? printer.wide : undefined;
  const columns = wide ? [...printer.columns, ...wide.columns] : printer.columns;
  const header = withNamespace ? ['NAMESPACE', ...columns] : columns;
  const rows = sortByNamespaceAndName(objects).map((obj) => {
    const cells = (wide ? [...printer.row(obj, clock), ...wide.row(obj)] : printer.row(obj, clock)).map(cellText);
    if (opts.withKindPrefix && nameColumn >= 0) cells[nameColumn] = `${kindPrefix(obj)}/${cells[nameColumn]}`;
    return withNamespace ? [obj.metadata.namespace ?? '', ...cells] : cells;
  });
  return tabwrite([header, ...rows]);
}

/** `kubectl get <kind>`: header and rows; several kinds print one table each, separated by a blank line. */
export function printTable(objects: KubeObject[], opts: TableOptions): string {
  if (objects.length === 0) return '';
  return groupByKind(objects).map((g) => kindTable(g, opts)).join('\n');
}

// ------------------------------------------------------------------ kubectl get all

/** The "all" category, in the order `kubectl get all` lists it. */
const ALL_ORDER = ['Pod', 'ReplicationController', 'Service', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet',
  'HorizontalPodAutoscaler', 'CronJob', 'Job'];

/** Objects every cluster has that `get all`-style output leaves out as noise. */
function isNoise(obj: KubeObject): boolean {
  const n = name(obj);
  if (obj.kind === 'Event') return true;
  if (obj.kind === 'ServiceAccount' && n === 'default') return true;
  if (obj.kind === 'ConfigMap' && n === 'kube-root-ca.crt') return true;
  return obj.kind === 'Lease' && obj.metadata.namespace === 'kube-node-lease';
}

function kindRank(kind: string): number {
  const i = ALL_ORDER.indexOf(kind);
  return i < 0 ? ALL_ORDER.length : i;
}

/** One table per kind: the "all" kinds first in kubectl's order, then the rest by kind name. */
function kindTables(objects: KubeObject[], opts: TableOptions): string[] {
  const groups = groupByKind(objects).sort((a, b) => kindRank(a[0].kind) - kindRank(b[0].kind) || byteOrder(a[0].kind, b[0].kind));
  return groups.map((g) => kindTable(g, { ...opts, withNamespace: false, withKindPrefix: true }));
}

/** `kubectl get all`-like: per namespace (sorted), then a Cluster-scoped section. */
export function printAll(objects: KubeObject[], opts: { nowMs: number; epochMs: number; wide?: boolean }): string {
  const shown = objects.filter((o) => !isNoise(o));
  const byNamespace = new Map<string, KubeObject[]>();
  const clusterScoped: KubeObject[] = [];
  for (const o of shown) {
    const ns = o.metadata.namespace;
    if (!ns) clusterScoped.push(o);
    else byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o]);
  }
  const sections = [...byNamespace.keys()].sort(byteOrder).map((ns) => `Namespace: ${ns}\n${kindTables(byNamespace.get(ns)!, opts).join('\n')}`);
  if (clusterScoped.length > 0) sections.push(`Cluster-scoped:\n${kindTables(clusterScoped, opts).join('\n')}`);
  return sections.length === 0 ? 'No resources found\n' : sections.join('\n');
}

// ------------------------------------------------------------------ event timeline

/** h:mm:ss.mmm of virtual time since the cluster started. */
export function formatVirtualTime(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  const h = Math.floor(abs / HOUR);
  const m = Math.floor((abs % HOUR) / MINUTE);
  const s = Math.floor((abs % MINUTE) / SECOND);
  const milli = abs % SECOND;
  return `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(milli).padStart(3, '0')}`;
}

/** The event timeline (`kubectl events` style), TIME being virtual time since the cluster started. */
export function printEvents(events: KubeObject[], opts: { epochMs: number }): string {
  const rows = events.map((ev) => {
    const ts = eventTimestamp(ev);
    const time = ts ? formatVirtualTime(Date.parse(ts) - opts.epochMs) : '<unknown>';
    return [time, ev.type ?? '', ev.reason ?? '', eventTarget(ev), eventMessage(ev)].map(cellText);
  });
  return tabwrite([['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ...rows]);
}
