import { describe, expect, it } from 'vitest';
import { everything, labelSelectorFromMeta, nothing, parseFieldSelector, parseLabelSelector } from '../api/selectors.ts';
import { StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';

/** Runs `fn` and returns the StatusError it throws. */
function statusErrorOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

const KEY_REGEX_HINT = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function pod(name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec, status };
}

describe('label selectors (kubectl -l)', () => {
  it('equality selectors: app=web and app==web match the label, tier!=db also matches pods without the label', () => {
    // k8s-facts §13.4; D:concepts/overview/working-with-objects/labels (equality-based requirement)
    expect(parseLabelSelector('app=web').matches({ app: 'web' })).toBe(true);
    expect(parseLabelSelector('app==web').matches({ app: 'web' })).toBe(true);
    expect(parseLabelSelector('app=web').matches({ app: 'api' })).toBe(false);
    expect(parseLabelSelector('tier!=db').matches({ tier: 'db' })).toBe(false);
    expect(parseLabelSelector('tier!=db').matches({ app: 'web' })).toBe(true);
  });

  it('set-based selectors: in, notin, bare key (exists) and !key (does not exist)', () => {
    // k8s-facts §13.4; D:concepts/overview/working-with-objects/labels (set-based requirement)
    const inSel = parseLabelSelector('env in (production, qa)');
    expect(inSel.matches({ env: 'qa' })).toBe(true);
    expect(inSel.matches({ env: 'dev' })).toBe(false);
    expect(inSel.matches({})).toBe(false);
    const notIn = parseLabelSelector('env notin (production)');
    expect(notIn.matches({ env: 'dev' })).toBe(true);
    expect(notIn.matches({})).toBe(true);
    expect(notIn.matches({ env: 'production' })).toBe(false);
    expect(parseLabelSelector('partition').matches({ partition: '' })).toBe(true);
    expect(parseLabelSelector('partition').matches({})).toBe(false);
    expect(parseLabelSelector('!partition').matches({})).toBe(true);
    expect(parseLabelSelector('!partition').matches(undefined)).toBe(true);
    expect(parseLabelSelector('!partition').matches({ partition: 'a' })).toBe(false);
  });

  it('gt and lt compare integer label values', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/labels/selector.go (Requirement.Matches, GreaterThan/LessThan)
    expect(parseLabelSelector('gen>3').matches({ gen: '4' })).toBe(true);
    expect(parseLabelSelector('gen>3').matches({ gen: '3' })).toBe(false);
    expect(parseLabelSelector('gen<3').matches({ gen: '-1' })).toBe(true);
    expect(parseLabelSelector('gen<3').matches({ gen: 'x' })).toBe(false);
  });

  it('a comma is AND, and the selector prints its requirements sorted by key', () => {
    // k8s-facts §13.4 (comma = AND); K:labels/selector.go (parse sorts ByKey, String())
    const sel = parseLabelSelector('tier=frontend, app in (web,api),!canary');
    expect(sel.matches({ app: 'web', tier: 'frontend' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'frontend', canary: 'true' })).toBe(false);
    expect(sel.toString()).toBe('app in (api,web),!canary,tier=frontend');
    expect(sel.requirements.map((r) => r.operator)).toEqual(['In', 'DoesNotExist', '=']);
  });

  it('an empty selector string selects everything', () => {
    // D:concepts/overview/working-with-objects/labels (empty label selector selects every object)
    const sel = parseLabelSelector('');
    expect(sel.empty).toBe(true);
    expect(sel.matches(undefined)).toBe(true);
  });

  it('a value written in (in, notin) is just a value', () => {
    // K:labels/selector.go (ParserContext Values: in/notin are identifiers)
    expect(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' })).toBe(true);
  });

  it('`app:monolith` is rejected with the text kubectl prints for an invalid key', () => {
    // K:labels/selector.go parseKeyAndInferOperator + validateLabelKey (nil path prints <nil>)
    const err = statusErrorOf(() => parseLabelSelector('app:monolith'));
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(`unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${KEY_REGEX_HINT}`);
  });

  it('syntax errors carry the parser message of upstream', () => {
    // K:labels/selector.go (parse, parseValues, parseOperator)
    expect(statusErrorOf(() => parseLabelSelector('env in production')).message).toBe("unable to parse requirement: found 'production' expected: '('");
    expect(statusErrorOf(() => parseLabelSelector('a=b,')).message).toBe("found '', expected: identifier after ','");
    expect(statusErrorOf(() => parseLabelSelector('a b')).message).toBe('unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
    expect(statusErrorOf(() => parseLabelSelector('gen>abc')).message).toBe(`unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`);
  });
});

describe('metav1.LabelSelector (matchLabels / matchExpressions)', () => {
  it('matchLabels and matchExpressions are ANDed', () => {
    // k8s-facts §13.4 (matchLabels ≡ In with one value; operators In, NotIn, Exists, DoesNotExist)
    const sel = labelSelectorFromMeta({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['cache', 'frontend'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'track', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.matches({ app: 'web', tier: 'cache', track: 'stable' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'cache', track: 'stable', env: 'dev' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'db', track: 'stable' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'cache' })).toBe(false);
    expect(sel.toString()).toBe('app=web,!canary,env notin (dev),tier in (cache,frontend),track');
  });

  it('a null selector selects nothing while an empty {} selector selects everything', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector
    expect(labelSelectorFromMeta(null)).toBe(nothing);
    expect(labelSelectorFromMeta(undefined).matches({})).toBe(false);
    expect(labelSelectorFromMeta({})).toBe(everything);
    expect(labelSelectorFromMeta({ matchLabels: {}, matchExpressions: [] }).matches({ any: 'thing' })).toBe(true);
    expect(nothing.empty).toBe(false);
  });

  it('an unknown operator or an In without values is rejected', () => {
    // K:meta/v1/helpers.go LabelSelectorAsSelector; K:labels/selector.go NewRequirement
    expect(statusErrorOf(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] })).message)
      .toBe('"Equals" is not a valid label selector operator');
    expect(statusErrorOf(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).message)
      .toBe("values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty");
    expect(statusErrorOf(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).message)
      .toBe('values: Invalid value: ["x"]: values set must be empty for exists and does not exist');
  });
});

describe('field selectors (kubectl --field-selector)', () => {
  it('status.phase!=Running,spec.restartPolicy=Always selects pods by field', () => {
    // D:concepts/overview/working-with-objects/field-selectors (chained selectors)
    const sel = parseFieldSelector('status.phase!=Running,spec.restartPolicy=Always', 'Pod');
    expect(sel.matches(pod('a', { restartPolicy: 'Always' }, { phase: 'Pending' }))).toBe(true);
    expect(sel.matches(pod('b', { restartPolicy: 'Always' }, { phase: 'Running' }))).toBe(false);
    expect(sel.matches(pod('c', { restartPolicy: 'Never' }, { phase: 'Pending' }))).toBe(false);
    expect(sel.fields).toEqual(['spec.restartPolicy', 'status.phase']);
    expect(sel.toString()).toBe('spec.restartPolicy=Always,status.phase!=Running');
  });

  it('spec.nodeName== selects unscheduled pods and metadata.name works for every kind', () => {
    // D:concepts/overview/working-with-objects/field-selectors (all kinds support metadata.name/namespace)
    expect(parseFieldSelector('spec.nodeName==', 'Pod').matches(pod('a'))).toBe(true);
    expect(parseFieldSelector('spec.nodeName=', 'Pod').matches(pod('a', { nodeName: 'n1' }))).toBe(false);
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'kube-system' } };
    expect(parseFieldSelector('metadata.name=cfg,metadata.namespace!=default', 'ConfigMap').matches(cm)).toBe(true);
  });

  it('Node spec.unschedulable, Event type/involvedObject and Secret type are selectable', () => {
    // K:pkg/apis/core/v1/conversion.go (field label conversion funcs per kind)
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } };
    expect(parseFieldSelector('spec.unschedulable=true', 'Node').matches(node)).toBe(true);
    expect(parseFieldSelector('spec.unschedulable=false', 'Node').matches({ ...node, spec: {} })).toBe(true);
    const ev: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, type: 'Warning', involvedObject: { kind: 'Pod', name: 'web-0' }, source: { component: 'kubelet' } };
    expect(parseFieldSelector('type=Warning,involvedObject.kind=Pod,involvedObject.name=web-0,source=kubelet', 'Event').matches(ev)).toBe(true);
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls' };
    expect(parseFieldSelector('type=kubernetes.io/tls', 'Secret').matches(secret)).toBe(true);
    const job: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { succeeded: 1 } };
    expect(parseFieldSelector('status.successful=1', 'Job').matches(job)).toBe(true);
  });

  it('an unsupported field is a 400 with the conversion func text of the kind', () => {
    // D:concepts/overview/working-with-objects/field-selectors; K:pkg/apis/core/v1/conversion.go; K:pkg/apis/batch/v1/conversion.go
    const podErr = statusErrorOf(() => parseFieldSelector('status.hostIP=10.0.0.1', 'Pod'));
    expect(podErr.code).toBe(400);
    expect(podErr.reason).toBe('BadRequest');
    expect(podErr.message).toBe('field label not supported: status.hostIP');
    expect(statusErrorOf(() => parseFieldSelector('foo.bar=baz', 'Ingress')).message)
      .toBe('"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect(statusErrorOf(() => parseFieldSelector('status.succeeded=1', 'Job')).message)
      .toBe('field label "status.succeeded" not supported for batchv1.Job');
    expect(statusErrorOf(() => parseFieldSelector('metadata.namespace=x', 'Node')).message)
      .toBe('field label not supported: metadata.namespace');
  });

  it('a term without an operator is rejected, and escaped commas are part of the value', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/fields/selector.go (parseSelector, splitTerms, UnescapeValue)
    expect(statusErrorOf(() => parseFieldSelector('status.phase', 'Pod')).message)
      .toBe("invalid selector: 'status.phase'; can't understand 'status.phase'");
    const sel = parseFieldSelector('metadata.name=a\\,b', 'Pod');
    expect(sel.matches(pod('a,b'))).toBe(true);
    expect(sel.toString()).toBe('metadata.name=a\\,b');
    expect(parseFieldSelector('', 'Pod').empty).toBe(true);
  });

  it('the legacy spec.host field is converted to spec.nodeName', () => {
    // K:pkg/apis/core/v1/conversion.go (spec.host → spec.nodeName for old v1 clients)
    const sel = parseFieldSelector('spec.host=n1', 'Pod');
    expect(sel.fields).toEqual(['spec.nodeName']);
    expect(sel.matches(pod('a', { nodeName: 'n1' }))).toBe(true);
  });
});
