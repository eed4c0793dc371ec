// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go), autoscaling/v2.
// Every HPA is synced every --horizontal-pod-autoscaler-sync-period (15 s; a fixed-interval rate
// limiter, so the first sync comes 15 s after the HPA appears). A sync, in upstream's order
// (reconcileAutoscaler): get the target's scale subresource → compute the replicas each metric
// asks for (computeReplicasForMetrics: resource metrics from the metrics-server, the replica
// calculator in hpa-replicas.ts) → normalize (stabilization windows and behavior policies,
// hpa-behavior.ts) → update the scale → status and events. Conditions, reasons, messages and
// events are upstream's. The metrics.k8s.io API is a message to 'metrics-server'
// (actors/metrics-server.ts).
import type { Envelope } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { lookupKind, type KindInfo } from '../../api/registry.ts';
import { labelSelectorFromMeta, parseLabelSelector, type LabelSelector } from '../../api/selectors.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { formatTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { METRICS_LIST, METRICS_RESULT, METRICS_SERVER, type MetricsListResult } from '../metrics-server.ts';
import { Controller, controllerUser } from './controller.ts';
import { splitKey } from './controller-utils.ts';
import {
  newHistory, normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, recordInitialRecommendation, setCondition,
  storeScaleEvent, type AutoscalerHistory, type HPACondition, type Normalized,
} from './hpa-behavior.ts';
import { formatMilliQuantity, getContainerMetrics, getPodMetrics, milliValue, type PodMetricsInfo } from './hpa-metrics.ts';
import { getRawResourceReplicas, getResourceReplicas } from './hpa-replicas.ts';

/** --horizontal-pod-autoscaler-sync-period. */
export const HPA_SYNC_PERIOD_MS = 15_000;
/** A metrics request the metrics-server does not answer by then fails as an unavailable API. */
export const METRICS_REQUEST_TIMEOUT_MS = 10_000;
/** A sync whose replies never come (a dropped message) is abandoned after this. */
export const HPA_SYNC_TIMEOUT_MS = 60_000;

const HPA_KIND = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const RESYNC = 'hpa.resync';

/** autoscaling/v1 Scale, as the HPA reads it. */
interface Scale {
  specReplicas: number;
  statusReplicas: number;
  selector: string;
  resourceVersion?: string;
}

/** One sync of one HPA: the working copy, the status it started from, and the way out. */
interface Sync {
  key: string;
  hpa: KubeObject;
  original: unknown;
  reference: string;
  done: () => void;
}

interface MetricsOutcome {
  replicas: number;
  metric: string;
  statuses: unknown[] | undefined;
  error?: string;
}

/** The part of computeReplicasForMetric's answer the parent needs. */
interface MetricProposal {
  replicas: number;
  name: string;
  status: unknown;
}

type Fetched = { items: KubeObject[] } | { error: string } | undefined;

export class HorizontalPodAutoscalerController extends Controller {
  protected readonly user = controllerUser('horizontal-pod-autoscaler');
  private hpaInformer!: Informer;
  private podInformer!: Informer;
  private recorder!: EventRecorder;
  /** recommendations, scaleUpEvents, scaleDownEvents: per HPA key. */
  private readonly histories = new Map<string, AutoscalerHistory>();
  /** hpaSelectors: the selector each HPA last used (null until its first sync). */
  private readonly hpaSelectors = new Map<string, LabelSelector | null>();
  private readonly waiting = new Set<string>();
  private readonly syncing = new Map<string, { token: number; timer: number }>();
  private readonly metricsRequests = new Map<number, { cb: (r: Fetched) => void; timer: number }>();
  private nextToken = 1;
  private nextRequest = 1;

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'horizontal-pod-autoscaler' }, this.ctx.random('events'));
    this.hpaInformer = this.informer({ kind: HPA_KIND, name: 'hpas' });
    this.podInformer = this.informer({ kind: POD_KIND, name: 'pods' });
    this.hpaInformer.addHandlers({
      add: (hpa) => this.enqueueHPA(hpa),
      update: (_old, hpa) => this.enqueueHPA(hpa),
      delete: (hpa) => this.hpaSelectors.delete(keyOf(hpa)),
    });
  }

  override receive(env: Envelope): void {
    const m = env.message;
    if (m.type === RESYNC) {
      this.waiting.delete(m.key as string);
      this.enqueue(m.key as string);
      return;
    }
    if (m.type === METRICS_RESULT) {
      this.onMetrics(m as unknown as MetricsListResult);
      return;
    }
    super.receive(env);
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), waiting: [...this.waiting].sort(), syncing: [...this.syncing.keys()].sort() };
  }

  /** enqueueHPA: AddRateLimited with the fixed sync period; registers the HPA's selector slot. */
  private enqueueHPA(hpa: KubeObject): void {
    const key = keyOf(hpa);
    if (!this.hpaSelectors.has(key)) this.hpaSelectors.set(key, null);
    this.addRateLimited(key);
  }

  /** A key already waiting keeps its earlier time (the delaying queue keeps the earliest). */
  private addRateLimited(key: string): void {
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.ctx.startTimer(`resync ${key}`, HPA_SYNC_PERIOD_MS, { type: RESYNC, key });
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): void {
    if (this.syncing.has(key)) return;
    const token = this.nextToken++;
    const timer = this.ctx.startTimer(`sync-timeout ${key}`, HPA_SYNC_TIMEOUT_MS, () => this.finish(key, token, false), { background: true });
    this.syncing.set(key, { token, timer });
    this.reconcileKey(key, (deleted) => this.finish(key, token, deleted));
  }

  /** processNextWorkItem's tail: every HPA that still exists is synced again one period later. */
  private finish(key: string, token: number, deleted: boolean): void {
    const s = this.syncing.get(key);
    if (!s || s.token !== token) return;
    this.ctx.cancelTimer(s.timer);
    this.syncing.delete(key);
    if (!deleted) this.addRateLimited(key);
  }

  /** reconcileKey: a deleted HPA's history is forgotten. */
  private reconcileKey(key: string, done: (deleted: boolean) => void): void {
    const [namespace, name] = splitKey(key);
    const hpa = this.hpaInformer.get(namespace, name);
    if (!hpa) {
      this.histories.delete(key);
      done(true);
      return;
    }
    const copy = clone(hpa);
    copy.spec = withV1Metrics(copy.spec ?? {});
    copy.status = copy.status ?? {};
    const ref = copy.spec.scaleTargetRef ?? {};
    const sync: Sync = { key, hpa: copy, original: clone(copy.status), reference: `${ref.kind}/${namespace}/${ref.name}`, done: () => done(false) };
    this.reconcileAutoscaler(sync);
  }

  // ------------------------------------------------------------------ reconcileAutoscaler, in upstream's order

  /** Resolves the target's kind, then reads its scale subresource. */
  private reconcileAutoscaler(s: Sync): void {
    const ref = s.hpa.spec.scaleTargetRef ?? {};
    const gvError = parseGroupVersionError(ref.apiVersion ?? '');
    if (gvError) return this.failGetScale(s, gvError);
    const info = lookupKind(ref.apiVersion, ref.kind);
    if (!info) return this.failGetScale(s, `no matches for kind "${ref.kind}" in group "${groupOf(ref.apiVersion)}"`);
    if (!info.scale) return this.failGetScale(s, 'the server could not find the requested resource');
    this.client.get({ apiVersion: ref.apiVersion, kind: ref.kind }, s.hpa.metadata.namespace, ref.name, (r) => {
      if (!r.ok) return this.failGetScale(s, r.status.message);
      this.setCond(s, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
      this.afterGetScale(s, info, scaleOf(r.object));
    });
  }

  /** FailedGetScale: event, AbleToScale False, status written. */
  private failGetScale(s: Sync, message: string): void {
    this.recorder.event(s.hpa, 'Warning', 'FailedGetScale', message);
    this.setCond(s, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`);
    this.updateStatusIfNeeded(s, s.done);
  }

  /** The branch of reconcileAutoscaler after the scale: disabled, out of [min, max], or the metrics. */
  private afterGetScale(s: Sync, info: KindInfo, scale: Scale): void {
    const current = scale.specReplicas;
    const history = this.history(s.key);
    recordInitialRecommendation(history, current, this.ctx.now());
    const minReplicas: number = s.hpa.spec.minReplicas ?? 1;
    const maxReplicas: number = s.hpa.spec.maxReplicas;
    if (current === 0 && minReplicas !== 0) {
      this.setCond(s, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      return this.finishSync(s, current, current, undefined, false);
    }
    if (current > maxReplicas) return this.rescale(s, info, scale, maxReplicas, 'Current number of replicas above Spec.MaxReplicas', undefined);
    if (current < minReplicas) return this.rescale(s, info, scale, minReplicas, 'Current number of replicas below Spec.MinReplicas', undefined);
    this.computeReplicasForMetrics(s, scale, (outcome) => {
      if (outcome.error !== undefined && outcome.replicas === -1) {
        this.setCurrentReplicasAndMetricsInStatus(s, current, outcome.statuses);
        this.updateStatusIfNeeded(s, () => {
          this.recorder.event(s.hpa, 'Warning', 'FailedComputeMetricsReplicas', outcome.error!);
          s.done();
        });
        return;
      }
      let desired = 0;
      let rescaleMetric = '';
      if (outcome.replicas > desired) {
        desired = outcome.replicas;
        rescaleMetric = outcome.metric;
      }
      let reason = '';
      if (desired > current) reason = `${rescaleMetric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n = this.normalize(s, history, current, desired, minReplicas, maxReplicas);
      if (n === current) return this.finishSync(s, current, current, outcome.statuses, false);
      this.rescale(s, info, scale, n, reason, outcome.statuses);
    });
  }

  /** normalizeDesiredReplicas or normalizeDesiredReplicasWithBehaviors, with their conditions. */
  private normalize(s: Sync, history: AutoscalerHistory, current: number, desired: number, minReplicas: number, maxReplicas: number): number {
    const behavior = s.hpa.spec.behavior;
    const now = this.ctx.now();
    const n: Normalized = behavior
      ? normalizeDesiredReplicasWithBehaviors(history, { scaleUp: behavior.scaleUp ?? {}, scaleDown: behavior.scaleDown ?? {}, minReplicas, maxReplicas, currentReplicas: current, desiredReplicas: desired }, now)
      : normalizeDesiredReplicas(history, current, desired, minReplicas, maxReplicas, now);
    this.setCond(s, 'AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message);
    this.setCond(s, 'ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message);
    return n.desiredReplicas;
  }

  /** Updates the target's scale subresource; SuccessfulRescale or FailedRescale. */
  private rescale(s: Sync, info: KindInfo, scale: Scale, desired: number, reason: string, statuses: unknown[] | undefined): void {
    const ref = s.hpa.spec.scaleTargetRef;
    const ns = s.hpa.metadata.namespace;
    const current = scale.specReplicas;
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: ref.name, namespace: ns, resourceVersion: scale.resourceVersion }, spec: { replicas: desired } };
    this.client.request({ verb: 'update', apiVersion: ref.apiVersion, kind: info.kind, namespace: ns, name: ref.name, body, subresource: 'scale' }, (r) => {
      if (!r.ok) {
        this.recorder.event(s.hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${r.status.message}`);
        this.setCond(s, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${r.status.message}`);
        this.setCurrentReplicasAndMetricsInStatus(s, current, statuses);
        return this.updateStatusIfNeeded(s, s.done);
      }
      this.setCond(s, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      this.recorder.event(s.hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      storeScaleEvent(this.history(s.key), s.hpa.spec.behavior, current, desired, this.ctx.now());
      this.ctx.log('hpa.rescale', { hpa: s.key, from: current, to: desired, reason });
      this.finishSync(s, current, desired, statuses, true);
    });
  }

  private finishSync(s: Sync, current: number, desired: number, statuses: unknown[] | undefined, rescaled: boolean): void {
    this.setStatus(s, current, desired, statuses, rescaled);
    this.updateStatusIfNeeded(s, s.done);
  }

  // ------------------------------------------------------------------ metrics

  /**
   * computeReplicasForMetrics: validates the selector, fetches the pods' resource metrics once,
   * and takes the largest proposal; all metrics invalid, or some invalid on a scale-down, is an
   * error (replicas −1).
   */
  private computeReplicasForMetrics(s: Sync, scale: Scale, cb: (o: MetricsOutcome) => void): void {
    const selector = this.validateAndParseSelector(s, scale.selector);
    if (typeof selector === 'string') return cb({ replicas: -1, metric: '', statuses: undefined, error: selector });
    const specs: any[] = s.hpa.spec.metrics ?? [];
    const needsResourceMetrics = specs.some((m) => m.type === 'Resource' || m.type === 'ContainerResource');
    const compute = (fetched: Fetched) => {
      const statuses: unknown[] = specs.map(() => ({ type: '' }));
      let replicas = 0;
      let metric = '';
      let invalid = 0;
      let firstError: string | undefined;
      let firstCondition: { reason: string; message: string } | undefined;
      specs.forEach((spec, i) => {
        const p = this.computeReplicasForMetric(s, spec, scale.specReplicas, selector, fetched);
        if ('error' in p) {
          if (invalid === 0) {
            firstError = p.error;
            firstCondition = p.condition;
          }
          invalid++;
          return;
        }
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) {
          replicas = p.replicas;
          metric = p.name;
        }
      });
      const error = firstError !== undefined ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}` : undefined;
      if (invalid >= specs.length || (invalid > 0 && replicas < scale.specReplicas)) {
        this.setCond(s, 'ScalingActive', 'False', firstCondition!.reason, firstCondition!.message);
        return cb({ replicas: -1, metric: '', statuses, error });
      }
      this.setCond(s, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
      cb({ replicas, metric, statuses, error });
    };
    if (!needsResourceMetrics) return compute(undefined);
    this.fetchPodMetrics(s.hpa.metadata.namespace, scale.selector, compute);
  }

  /**
   * validateAndParseSelector: the scale must have a parsable selector, and the pods it selects
   * must not be controlled by another HPA.
   */
  private validateAndParseSelector(s: Sync, selector: string): LabelSelector | string {
    if (selector === '') {
      this.recorder.event(s.hpa, 'Warning', 'SelectorRequired', 'selector is required');
      this.setCond(s, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return 'selector is required';
    }
    let parsed: LabelSelector;
    try {
      parsed = parseLabelSelector(selector);
    } catch (e) {
      const message = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.recorder.event(s.hpa, 'Warning', 'InvalidSelector', message);
      this.setCond(s, 'ScalingActive', 'False', 'InvalidSelector', message);
      return message;
    }
    if (this.hpaSelectors.has(s.key)) this.hpaSelectors.set(s.key, parsed);
    const namespace = s.hpa.metadata.namespace ?? 'default';
    const controlling = new Set<string>();
    for (const pod of this.podInformer.list(namespace)) {
      if (!parsed.matches(pod.metadata.labels)) continue;
      for (const [key, sel] of this.hpaSelectors) {
        if (sel && splitKey(key)[0] === namespace && sel.matches(pod.metadata.labels)) controlling.add(key);
      }
    }
    if (controlling.size > 1) {
      const message = `pods by selector ${selector} are controlled by multiple HPAs: [${[...controlling].sort().join(' ')}]`;
      this.recorder.event(s.hpa, 'Warning', 'AmbiguousSelector', message);
      this.setCond(s, 'ScalingActive', 'False', 'AmbiguousSelector', message);
      return message;
    }
    return parsed;
  }

  /** computeReplicasForMetric: one metric's proposal, or its error and the condition it would set. */
  private computeReplicasForMetric(s: Sync, spec: any, specReplicas: number, selector: LabelSelector, fetched: Fetched):
    MetricProposal | { error: string; condition: { reason: string; message: string } } {
    const fail = (reason: string, err: string, wrapped: string) => ({ error: wrapped, condition: this.unableToCompute(s, reason, err) });
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const isContainer = spec.type === 'ContainerResource';
        const source = isContainer ? spec.containerResource ?? {} : spec.resource ?? {};
        const r = this.computeStatusForResourceMetric(s, specReplicas, source, isContainer, selector, fetched);
        if ('error' in r) {
          return isContainer
            ? fail('FailedGetContainerResourceMetric', r.error, `failed to get ${source.container} container metric value: ${r.error}`)
            : fail('FailedGetResourceMetric', r.error, `failed to get ${source.name} resource metric value: ${r.error}`);
        }
        return r;
      }
      case 'Pods': {
        const err = `unable to get metric ${spec.pods?.metric?.name}: unable to fetch metrics from custom metrics API: ${NO_CUSTOM_METRICS_API}`;
        return fail('FailedGetPodsMetric', err, `failed to get pods metric value: ${err}`);
      }
      case 'Object': {
        const obj = spec.object?.describedObject ?? {};
        const err = `unable to get metric ${spec.object?.metric?.name}: ${obj.kind} on ${s.hpa.metadata.namespace} ${obj.name}/unable to fetch metrics from custom metrics API: ${NO_CUSTOM_METRICS_API}`;
        return fail('FailedGetObjectMetric', err, `failed to get object metric value: ${err}`);
      }
      case 'External': {
        const name = spec.external?.metric?.name;
        const err = `unable to get external metric ${s.hpa.metadata.namespace}/${name}/nil: unable to fetch metrics from external metrics API: ${NO_EXTERNAL_METRICS_API}`;
        return fail('FailedGetExternalMetric', err, `failed to get ${name} external metric value: ${err}`);
      }
      default: {
        const err = `unknown metric source type "${spec.type}"`;
        return fail('InvalidMetricSourceType', err, err);
      }
    }
  }

  /** getUnableComputeReplicaCountCondition: a Warning event and the ScalingActive False condition. */
  private unableToCompute(s: Sync, reason: string, err: string): { reason: string; message: string } {
    this.recorder.event(s.hpa, 'Warning', reason, err);
    return { reason, message: `the HPA was unable to compute the replica count: ${err}` };
  }

  /** computeStatusForResourceMetricGeneric: AverageValue (raw) or Utilization (percentage of request). */
  private computeStatusForResourceMetric(s: Sync, currentReplicas: number, source: any, isContainer: boolean, selector: LabelSelector, fetched: Fetched): MetricProposal | { error: string } {
    const resource: string = source.name;
    const container: string = isContainer ? source.container ?? '' : '';
    const target = source.target ?? {};
    const metrics = this.resourceMetric(resource, container, fetched);
    const pods = this.podInformer.list(s.hpa.metadata.namespace ?? 'default').filter((p) => selector.matches(p.metadata.labels));
    const opts = { now: this.ctx.now() };
    const statusOf = (current: Record<string, unknown>) => isContainer
      ? { type: 'ContainerResource', containerResource: { name: resource, container, current } }
      : { type: 'Resource', resource: { name: resource, current } };
    if (target.averageValue !== undefined) {
      if (typeof metrics === 'string') return { error: `failed to get ${resource} usage: unable to get metrics for resource ${resource}: ${metrics}` };
      const r = getRawResourceReplicas(currentReplicas, milliValue(target.averageValue), resource, pods, metrics, opts);
      if (!r.ok) return { error: `failed to get ${resource} usage: ${r.error}` };
      return { replicas: r.replicas, name: `${resource} resource`, status: statusOf({ averageValue: formatMilliQuantity(r.usage) }) };
    }
    if (target.averageUtilization === undefined) {
      return { error: 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set' };
    }
    if (typeof metrics === 'string') return { error: `failed to get ${resource} utilization: unable to get metrics for resource ${resource}: ${metrics}` };
    const r = getResourceReplicas(currentReplicas, target.averageUtilization, resource, pods, metrics, container, opts);
    if (!r.ok) return { error: `failed to get ${resource} utilization: ${r.error}` };
    const name = isContainer ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
    return { replicas: r.replicas, name, status: statusOf({ averageUtilization: r.utilization, averageValue: formatMilliQuantity(r.rawUtilization) }) };
  }

  /** resourceMetricsClient.GetResourceMetric over the fetched PodMetrics list. */
  private resourceMetric(resource: string, container: string, fetched: Fetched): PodMetricsInfo | string {
    if (!fetched) return 'no metrics returned from resource metrics API';
    if ('error' in fetched) return `unable to fetch metrics from resource metrics API: ${fetched.error}`;
    if (fetched.items.length === 0) return 'no metrics returned from resource metrics API';
    if (container === '') return getPodMetrics(fetched.items, resource);
    const r = getContainerMetrics(fetched.items, resource, container);
    return typeof r === 'string' ? `failed to get container metrics: ${r}` : r;
  }

  /** Lists pods.metrics.k8s.io in the namespace by the selector (a message to the metrics-server). */
  private fetchPodMetrics(namespace: string | undefined, labelSelector: string, cb: (r: Fetched) => void): void {
    const id = this.ctx.incarnation * 1_000_000_000 + this.nextRequest++;
    const timer = this.ctx.startTimer('metrics-timeout', METRICS_REQUEST_TIMEOUT_MS, () => {
      if (!this.metricsRequests.delete(id)) return;
      cb({ error: 'the server is currently unable to handle the request (get pods.metrics.k8s.io)' });
    });
    this.metricsRequests.set(id, { cb, timer });
    this.ctx.send(METRICS_SERVER, { type: METRICS_LIST, id, resource: 'pods', namespace: namespace ?? 'default', labelSelector });
  }

  private onMetrics(r: MetricsListResult): void {
    const pending = this.metricsRequests.get(r.id);
    if (!pending) return;
    this.metricsRequests.delete(r.id);
    this.ctx.cancelTimer(pending.timer);
    pending.cb(r.ok ? { items: r.items } : { error: r.status.message });
  }

  // ------------------------------------------------------------------ status

  private history(key: string): AutoscalerHistory {
    let h = this.histories.get(key);
    if (!h) {
      h = newHistory();
      this.histories.set(key, h);
    }
    return h;
  }

  private setCond(s: Sync, type: HPACondition['type'], status: HPACondition['status'], reason: string, message: string): void {
    s.hpa.status.conditions = setCondition(s.hpa.status.conditions ?? [], type, status, reason, message, this.ctx.now());
  }

  /** setCurrentReplicasAndMetricsInStatus: keeps the desired replicas of the last status. */
  private setCurrentReplicasAndMetricsInStatus(s: Sync, current: number, statuses: unknown[] | undefined): void {
    this.setStatus(s, current, s.hpa.status.desiredReplicas ?? 0, statuses, false);
  }

  /** setStatus: the status is rebuilt from these fields (empty ones are omitted, as Go's omitempty). */
  private setStatus(s: Sync, current: number, desired: number, statuses: unknown[] | undefined, rescaled: boolean): void {
    const old = s.hpa.status;
    const status: Record<string, unknown> = { desiredReplicas: desired };
    if (current !== 0) status.currentReplicas = current;
    const lastScaleTime = rescaled ? formatTime(this.ctx.now()) : old.lastScaleTime;
    if (lastScaleTime) status.lastScaleTime = lastScaleTime;
    if (statuses && statuses.length) status.currentMetrics = statuses;
    if (old.conditions?.length) status.conditions = old.conditions;
    s.hpa.status = status;
  }

  /** updateStatusIfNeeded: PUT /status unless nothing changed; FailedUpdateStatus on error. */
  private updateStatusIfNeeded(s: Sync, then: () => void): void {
    if (deepEqual(s.original, s.hpa.status)) return then();
    this.client.updateStatus(s.hpa, (r) => {
      if (!r.ok) this.recorder.event(s.hpa, 'Warning', 'FailedUpdateStatus', r.status.message);
      then();
    });
  }
}

// ---------------------------------------------------------------------- helpers

/** What the custom and external metrics clients answer when no adapter serves those APIs. */
const NO_CUSTOM_METRICS_API = 'the server could not find the requested resource (get pods.custom.metrics.k8s.io)';
const NO_EXTERNAL_METRICS_API = 'the server could not find the requested resource (get external.metrics.k8s.io)';

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** schema.ParseGroupVersion's error, if any: at most one slash. */
function parseGroupVersionError(apiVersion: string): string | undefined {
  if (apiVersion === '' || apiVersion === '/') return undefined;
  if (apiVersion.split('/').length > 2) return `unexpected GroupVersion string: ${apiVersion}`;
  return undefined;
}

/** The autoscaling/v1 Scale of a workload: spec.replicas, status.replicas, status.selector. */
export function scaleOf(obj: KubeObject): Scale {
  let selector = '';
  try {
    if (obj.spec?.selector) selector = labelSelectorFromMeta(obj.spec.selector).toString();
  } catch {
    selector = '';
  }
  return { specReplicas: obj.spec?.replicas ?? 1, statusReplicas: obj.status?.replicas ?? 0, selector, resourceVersion: obj.metadata.resourceVersion };
}

/** An autoscaling/v1 object read through v2: targetCPUUtilizationPercentage becomes a cpu metric. */
function withV1Metrics(spec: any): any {
  if (Array.isArray(spec.metrics) && spec.metrics.length) return spec;
  const percent = spec.targetCPUUtilizationPercentage ?? 80;
  return { ...spec, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } } }] };
}
