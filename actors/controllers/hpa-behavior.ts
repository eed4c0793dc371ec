// How the HPA turns a metric recommendation into a new size (pkg/controller/podautoscaler/
// horizontal.go): the recommendation history and stabilization windows, the scaling policies of
// spec.behavior (normalizeDesiredReplicasWithBehaviors), the legacy rules without a behavior
// (normalizeDesiredReplicas: scale-down stabilization, at most max(2 × current, 4) on a scale-up),
// and the conditions each step sets. Pure: state and time are passed in.
//
// Worked example (the documentation's Percent policy): 10% of 72 pods is 7.2, rounded up to 8.
import { formatTime } from '../../api/time.ts';

/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DOWNSCALE_STABILIZATION_WINDOW_MS = 5 * 60_000;
export const SCALE_UP_LIMIT_FACTOR = 2.0;
export const SCALE_UP_LIMIT_MINIMUM = 4.0;

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface TimestampedScaleEvent {
  /** Absolute number of replicas added or removed. */
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

/** The controller's memory of one HPA: lost with the controller, as upstream's maps are. */
export interface AutoscalerHistory {
  recommendations: TimestampedRecommendation[];
  scaleUpEvents: TimestampedScaleEvent[];
  scaleDownEvents: TimestampedScaleEvent[];
}

export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: HPAScalingPolicy[];
}

export interface HPACondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function newHistory(): AutoscalerHistory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** setConditionInList: adds or updates a condition; lastTransitionTime changes only with the status. */
export function setCondition(conditions: HPACondition[], type: HPACondition['type'], status: HPACondition['status'], reason: string, message: string, now: number, epoch?: number): HPACondition[] {
  const list = conditions.map((c) => ({ ...c }));
  let cond = list.find((c) => c.type === type);
  if (!cond) {
    // A new condition starts with no status, so it always gets a transition time.
    cond = { type, status: '' as HPACondition['status'] };
    list.push(cond);
  }
  if (cond.status !== status) cond.lastTransitionTime = formatTime(now, epoch);
  cond.status = status;
  cond.reason = reason;
  cond.message = message;
  return list;
}

/** recordInitialRecommendation: the first sync remembers the current size as a recommendation. */
export function recordInitialRecommendation(h: AutoscalerHistory, currentReplicas: number, now: number): void {
  if (h.recommendations.length === 0) h.recommendations.push({ recommendation: currentReplicas, timestamp: now });
}

export interface Normalized {
  desiredReplicas: number;
  ableToScale: { reason: string; message: string };
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

/**
 * stabilizeRecommendation (no behavior): records the recommendation (replacing one older than the
 * window) and returns the highest recommendation of the window, this one included.
 */
export function stabilizeRecommendation(h: AutoscalerHistory, desired: number, now: number, windowMs = DOWNSCALE_STABILIZATION_WINDOW_MS): number {
  let max = desired;
  let oldIndex = -1;
  const cutoff = now - windowMs;
  h.recommendations.forEach((rec, i) => {
    if (rec.timestamp < cutoff) oldIndex = i;
    else if (rec.recommendation > max) max = rec.recommendation;
  });
  const entry = { recommendation: desired, timestamp: now };
  if (oldIndex >= 0) h.recommendations[oldIndex] = entry;
  else h.recommendations.push(entry);
  return max;
}

/** normalizeDesiredReplicas: stabilization, then convertDesiredReplicasWithRules. */
export function normalizeDesiredReplicas(h: AutoscalerHistory, currentReplicas: number, desired: number, minReplicas: number, maxReplicas: number, now: number, windowMs?: number): Normalized {
  const stabilized = stabilizeRecommendation(h, desired, now, windowMs);
  const ableToScale = stabilized !== desired
    ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
    : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const r = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, maxReplicas);
  return { desiredReplicas: r.replicas, ableToScale, scalingLimited: { status: r.replicas === stabilized ? 'False' : 'True', reason: r.reason, message: r.message } };
}

/** calculateScaleUpLimit: max(2 × current, 4). */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

/** convertDesiredReplicasWithRules: clamp to [min, min(max, scale-up limit)], naming the limit. */
export function convertDesiredReplicasWithRules(currentReplicas: number, desired: number, minReplicas: number, maxReplicas: number): { replicas: number; reason: string; message: string } {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  let maximum: number;
  let reason: string;
  let message: string;
  if (maxReplicas > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < minReplicas) return { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maximum) return { replicas: maximum, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

export interface NormalizationArg {
  scaleUp: HPAScalingRules;
  scaleDown: HPAScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/**
 * normalizeDesiredReplicasWithBehaviors: stabilize within the scale-up and scale-down windows,
 * then limit the rate by the policies and clamp to [min, max].
 */
export function normalizeDesiredReplicasWithBehaviors(h: AutoscalerHistory, arg: NormalizationArg, now: number): Normalized {
  const scaleDown = { ...arg.scaleDown, stabilizationWindowSeconds: arg.scaleDown.stabilizationWindowSeconds ?? DOWNSCALE_STABILIZATION_WINDOW_MS / 1000 };
  const a: NormalizationArg = { ...arg, scaleDown };
  const s = stabilizeRecommendationWithBehaviors(h, a, now);
  const ableToScale = s.recommendation !== arg.desiredReplicas
    ? { reason: s.reason, message: s.message }
    : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  const r = convertDesiredReplicasWithBehaviorRate(h, { ...a, desiredReplicas: s.recommendation }, now);
  return { desiredReplicas: r.replicas, ableToScale, scalingLimited: { status: r.replicas === s.recommendation ? 'False' : 'True', reason: r.reason, message: r.message } };
}

/**
 * stabilizeRecommendationWithBehaviors: the recommendation is kept between the lowest one of the
 * scale-up window and the highest one of the scale-down window (both including this one), starting
 * from the current size; the new recommendation replaces one older than both windows.
 */
export function stabilizeRecommendationWithBehaviors(h: AutoscalerHistory, arg: NormalizationArg, now: number): { recommendation: number; reason: string; message: string } {
  let up = arg.desiredReplicas;
  let down = arg.desiredReplicas;
  const upCutoff = now - (arg.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = now - (arg.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
  let oldIndex = -1;
  h.recommendations.forEach((rec, i) => {
    if (rec.timestamp > upCutoff) up = Math.min(rec.recommendation, up);
    if (rec.timestamp > downCutoff) down = Math.max(rec.recommendation, down);
    if (rec.timestamp < upCutoff && rec.timestamp < downCutoff) oldIndex = i;
  });
  let recommendation = arg.currentReplicas;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  const entry = { recommendation: arg.desiredReplicas, timestamp: now };
  if (oldIndex >= 0) h.recommendations[oldIndex] = entry;
  else h.recommendations.push(entry);
  if (arg.desiredReplicas >= arg.currentReplicas) {
    return { recommendation, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
  }
  return { recommendation, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
}

/** convertDesiredReplicasWithBehaviorRate: the policies' limit for this period, then min/max. */
export function convertDesiredReplicasWithBehaviorRate(h: AutoscalerHistory, arg: NormalizationArg, now: number): { replicas: number; reason: string; message: string } {
  if (arg.desiredReplicas > arg.currentReplicas) {
    let scaleUpLimit = calculateScaleUpLimitWithScalingRules(arg.currentReplicas, h.scaleUpEvents, h.scaleDownEvents, arg.scaleUp, now);
    if (scaleUpLimit < arg.currentReplicas) scaleUpLimit = arg.currentReplicas;
    let maximum = arg.maxReplicas;
    let reason = 'TooManyReplicas';
    let message = 'the desired replica count is more than the maximum replica count';
    if (maximum > scaleUpLimit) {
      maximum = scaleUpLimit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    }
    if (arg.desiredReplicas > maximum) return { replicas: maximum, reason, message };
  } else if (arg.desiredReplicas < arg.currentReplicas) {
    let scaleDownLimit = calculateScaleDownLimitWithBehaviors(arg.currentReplicas, h.scaleUpEvents, h.scaleDownEvents, arg.scaleDown, now);
    if (scaleDownLimit > arg.currentReplicas) scaleDownLimit = arg.currentReplicas;
    let minimum = arg.minReplicas;
    let reason = 'TooFewReplicas';
    let message = 'the desired replica count is less than the minimum replica count';
    if (minimum < scaleDownLimit) {
      minimum = scaleDownLimit;
      reason = 'ScaleDownLimit';
      message = 'the desired replica count is decreasing faster than the maximum scale rate';
    }
    if (arg.desiredReplicas < minimum) return { replicas: minimum, reason, message };
  }
  return { replicas: arg.desiredReplicas, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

/** getReplicasChangePerPeriod: replicas changed by events newer than the period. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestamp > cutoff) replicas += e.replicaChange;
  return replicas;
}

/**
 * calculateScaleUpLimitWithScalingRules: per policy, the size at the start of its period plus
 * the policy's allowance (Percent rounds up); Max takes the largest, Min the smallest; Disabled
 * allows none.
 */
export function calculateScaleUpLimitWithScalingRules(currentReplicas: number, up: TimestampedScaleEvent[], down: TimestampedScaleEvent[], rules: HPAScalingRules, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return currentReplicas;
  let result = select === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, up, now) + getReplicasChangePerPeriod(p.periodSeconds, down, now);
    let proposed = 0;
    if (p.type === 'Pods') proposed = periodStart + p.value;
    else if (p.type === 'Percent') proposed = Math.ceil(periodStart * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors: the mirror image; Percent rounds the remaining size down. */
export function calculateScaleDownLimitWithBehaviors(currentReplicas: number, up: TimestampedScaleEvent[], down: TimestampedScaleEvent[], rules: HPAScalingRules, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return currentReplicas;
  let result = select === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = currentReplicas - getReplicasChangePerPeriod(p.periodSeconds, up, now) + getReplicasChangePerPeriod(p.periodSeconds, down, now);
    let proposed = 0;
    if (p.type === 'Pods') proposed = periodStart - p.value;
    else if (p.type === 'Percent') proposed = Math.trunc(periodStart * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** getLongestPolicyPeriod. */
function longestPolicyPeriod(rules: HPAScalingRules | undefined): number {
  let longest = 0;
  for (const p of rules?.policies ?? []) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

/** markScaleEventsOutdated. */
function markOutdated(events: TimestampedScaleEvent[], periodSeconds: number, now: number): void {
  const cutoff = now - periodSeconds * 1000;
  for (const e of events) if (e.timestamp < cutoff) e.outdated = true;
}

/** storeScaleEvent: only with a behavior; reuses the slot of an outdated event. */
export function storeScaleEvent(h: AutoscalerHistory, behavior: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules } | undefined, prevReplicas: number, newReplicas: number, now: number): void {
  if (!behavior) return;
  const upward = newReplicas > prevReplicas;
  const events = upward ? h.scaleUpEvents : h.scaleDownEvents;
  markOutdated(events, longestPolicyPeriod(upward ? behavior.scaleUp : behavior.scaleDown), now);
  let oldIndex = -1;
  events.forEach((e, i) => {
    if (e.outdated) oldIndex = i;
  });
  const entry = { replicaChange: Math.abs(newReplicas - prevReplicas), timestamp: now, outdated: false };
  if (oldIndex >= 0) events[oldIndex] = entry;
  else events.push(entry);
}
