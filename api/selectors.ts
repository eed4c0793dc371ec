// Label and field selectors, as apimachinery's pkg/labels (selector.go: the lexer, the parser,
// NewRequirement, Requirement.Matches), metav1.LabelSelectorAsSelector (helpers.go), pkg/fields
// (selector.go: splitTerms, splitTerm, UnescapeValue) and the per-kind field label conversions of
// pkg/apis/{core,batch}/v1/conversion.go with the selectable field sets of pkg/registry/*/strategy.go.
// Selectors are compiled once; matching reads properties and compares strings, allocating nothing.
import { fieldErrorMessage, field, newBadRequest } from './errors.ts';
import type { FieldError } from './errors.ts';
import type { KubeObject } from './types.ts';
import { isQualifiedName, isValidLabelValue } from './validation.ts';

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | '=' | '==' | '!=' | 'Gt' | 'Lt';

export interface Requirement { key: string; operator: Operator; values: string[] }

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  readonly empty: boolean;
  toString(): string;
  requirements: readonly Requirement[];
}

type Labels = Record<string, string>;
type LabelTest = (labels: Labels) => boolean;

const NO_LABELS: Labels = Object.freeze({}) as Labels;

/** The label's value, or undefined when absent (inherited properties such as `constructor` are not labels). */
function lookup(labels: Labels, key: string): string | undefined {
  const v = labels[key];
  return typeof v === 'string' ? v : undefined;
}

/** strconv.ParseInt(s, 10, 64) for the values label selectors compare with Gt/Lt. */
function parseInt64(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

function compileIn(key: string, values: string[]): LabelTest {
  if (values.length === 1) {
    const only = values[0];
    return (labels) => lookup(labels, key) === only;
  }
  const set = new Set(values);
  return (labels) => {
    const v = lookup(labels, key);
    return v !== undefined && set.has(v);
  };
}

function compileNotIn(key: string, values: string[]): LabelTest {
  const isIn = compileIn(key, values);
  return (labels) => lookup(labels, key) === undefined || !isIn(labels);
}

function compileCompare(key: string, value: string, greater: boolean): LabelTest {
  const bound = parseInt64(value);
  return (labels) => {
    const v = lookup(labels, key);
    if (v === undefined || bound === undefined) return false;
    const n = parseInt64(v);
    if (n === undefined) return false;
    return greater ? n > bound : n < bound;
  };
}

/** Requirement.Matches, turned into one closure per requirement at compile time. */
function compileRequirement(r: Requirement): LabelTest {
  switch (r.operator) {
    case 'In': case '=': case '==': return compileIn(r.key, r.values);
    case 'NotIn': case '!=': return compileNotIn(r.key, r.values);
    case 'Exists': return (labels) => lookup(labels, r.key) !== undefined;
    case 'DoesNotExist': return (labels) => lookup(labels, r.key) === undefined;
    case 'Gt': return compileCompare(r.key, r.values[0], true);
    case 'Lt': return compileCompare(r.key, r.values[0], false);
  }
}

/** Requirement.String(): `!a`, `a`, `a=b`, `a in (x,y)` (values sorted on output), `a>3`. */
function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'DoesNotExist': return `!${r.key}`;
    case 'Exists': return r.key;
    case 'In': return `${r.key} in (${sortedValues(r.values).join(',')})`;
    case 'NotIn': return `${r.key} notin (${sortedValues(r.values).join(',')})`;
    case 'Gt': return `${r.key}>${r.values[0]}`;
    case 'Lt': return `${r.key}<${r.values[0]}`;
    default: return `${r.key}${r.operator}${r.values[0]}`;
  }
}

function sortedValues(values: string[]): string[] {
  return values.length > 1 ? [...values].sort(compareStrings) : values;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** internalSelector: an AND of requirements sorted by key (selector.Add sorts ByKey). */
class RequirementsSelector implements LabelSelector {
  readonly requirements: readonly Requirement[];
  private readonly tests: readonly LabelTest[];

  constructor(requirements: Requirement[]) {
    const sorted = [...requirements].sort((a, b) => compareStrings(a.key, b.key));
    this.requirements = Object.freeze(sorted.map((r) => Object.freeze({ ...r, values: [...r.values] })));
    this.tests = sorted.map(compileRequirement);
  }

  get empty(): boolean { return this.requirements.length === 0; }

  matches(labels: Labels | undefined): boolean {
    const ls = labels ?? NO_LABELS;
    const tests = this.tests;
    for (let i = 0; i < tests.length; i++) if (!tests[i](ls)) return false;
    return true;
  }

  toString(): string { return this.requirements.map(requirementString).join(','); }
}

/** labels.Nothing(): matches no labels, not even empty ones. */
class NothingSelector implements LabelSelector {
  readonly requirements: readonly Requirement[] = Object.freeze([]);
  get empty(): boolean { return false; }
  matches(): boolean { return false; }
  toString(): string { return ''; }
}

/** labels.Everything() */
export const everything: LabelSelector = new RequirementsSelector([]);
/** labels.Nothing() */
export const nothing: LabelSelector = new NothingSelector();

// --- validation, as content.IsLabelKey / content.IsLabelValue (shared with api/validation.ts) ---

/** content.IsLabelKey (the same rule as validation's IsQualifiedName). */
export function isLabelKey(value: string): readonly string[] {
  return isQualifiedName(value);
}

/** content.IsLabelValue: empty, or at most 63 characters of the label charset. */
export function isLabelValue(value: string): string[] {
  return isValidLabelValue(value);
}

/** utilerrors.NewAggregate(...).Error(): one message bare, several deduplicated inside `[...]`. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const VALID_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

/** labels.NewRequirement's checks; returns the field errors (the path is relative: `key`, `values[0][k]`). */
function requirementErrors(key: string, op: Operator, values: string[], valuesForRender: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const keyErrs = isLabelKey(key);
  if (keyErrs.length) errs.push(field.invalid('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(field.invalid('values', valuesForRender, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(field.invalid('values', valuesForRender, 'exact-match compatibility requires one single value'));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length !== 0) errs.push(field.invalid('values', valuesForRender, 'values set must be empty for exists and does not exist'));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(field.invalid('values', valuesForRender, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(field.invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(field.notSupported('operator', op, VALID_OPERATORS));
  }
  values.forEach((v, i) => {
    const valueErrs = isLabelValue(v);
    if (valueErrs.length) errs.push(field.invalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

/** NewRequirement: throws the aggregated field errors' text, wrapped by `wrap`. */
function newRequirement(key: string, op: Operator, values: string[], wrap: (msg: string) => string, render: unknown = values): Requirement {
  const errs = requirementErrors(key, op, values, render);
  if (errs.length) throw newBadRequest(wrap(aggregate(errs.map(fieldErrorMessage))));
  return { key, operator: op, values };
}

// --- the lexer and parser of labels.Parse ----------------------------------------------------

const enum Tok {
  Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan,
  Identifier, In, LessThan, NotEquals, NotIn, OpenPar,
}

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': Tok.ClosedPar, ',': Tok.Comma, '!': Tok.DoesNotExist, '==': Tok.DoubleEquals, '=': Tok.Equals,
  '>': Tok.GreaterThan, 'in': Tok.In, '<': Tok.LessThan, '!=': Tok.NotEquals, 'notin': Tok.NotIn, '(': Tok.OpenPar,
};

interface Scanned { tok: Tok; lit: string }

function isWhitespace(ch: string): boolean { return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n'; }
function isSpecialSymbol(ch: string): boolean { return '=!(),><'.includes(ch) && ch !== ''; }

function tokenFor(lit: string): Tok | undefined {
  return Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, lit) ? STRING_TO_TOKEN[lit] : undefined;
}

/** Lexer.Lex over the whole string: identifiers/keywords, then the longest operator of special symbols. */
function scan(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) { out.push({ tok: Tok.EndOfString, lit: '' }); return out; }
    if (isSpecialSymbol(s[pos])) {
      const { item, next } = scanSpecialSymbol(s, pos);
      out.push(item);
      pos = next;
    } else {
      const start = pos;
      while (pos < s.length && !isSpecialSymbol(s[pos]) && !isWhitespace(s[pos])) pos++;
      const lit = s.slice(start, pos);
      out.push({ tok: tokenFor(lit) ?? Tok.Identifier, lit });
    }
  }
}

function scanSpecialSymbol(s: string, pos: number): { item: Scanned; next: number } {
  let last: Scanned | undefined;
  let next = pos;
  let buffer = '';
  while (next < s.length && isSpecialSymbol(s[next])) {
    buffer += s[next];
    const tok = tokenFor(buffer);
    if (tok !== undefined) { last = { tok, lit: buffer }; next++; } else if (last) break; else next++;
  }
  return { item: last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buffer}'` }, next };
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class LabelParser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In the Values context `in` and `notin` are plain identifiers. */
  private lookahead(values: boolean): Scanned { return this.asContext(this.at(this.position), values); }
  private consume(values: boolean): Scanned { return this.asContext(this.at(this.position++), values); }
  /** Past the end the parser keeps seeing the end-of-string token. */
  private at(i: number): Scanned { return this.items[Math.min(i, this.items.length - 1)]; }
  private asContext(item: Scanned, values: boolean): Scanned {
    return values && (item.tok === Tok.In || item.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: item.lit } : item;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === Tok.EndOfString) return reqs;
      if (tok !== Tok.Identifier && tok !== Tok.DoesNotExist) fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.parseRequirement());
      const after = this.consume(true);
      if (after.tok === Tok.EndOfString) return reqs;
      if (after.tok !== Tok.Comma) fail(`found '${after.lit}', expected: ',' or 'end of string'`);
      const next = this.lookahead(true);
      if (next.tok !== Tok.Identifier && next.tok !== Tok.DoesNotExist) fail(`found '${next.lit}', expected: identifier after ','`);
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator) return newRequirement(key, operator, [], wrapRequirement);
    const op = this.parseOperator();
    const values = op === 'In' || op === 'NotIn' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...new Set(values)].sort(compareStrings), wrapRequirement);
  }

  private parseKeyAndInferOperator(): { key: string; operator?: Operator } {
    let item = this.consume(true);
    let operator: Operator | undefined;
    if (item.tok === Tok.DoesNotExist) { operator = 'DoesNotExist'; item = this.consume(true); }
    if (item.tok !== Tok.Identifier) failRequirement(`found '${item.lit}', expected: identifier`);
    const keyErrs = isLabelKey(item.lit);
    if (keyErrs.length) failRequirement(fieldErrorMessage(field.invalid('<nil>', item.lit, keyErrs.join('; '))));
    const t = this.lookahead(true).tok;
    if ((t === Tok.EndOfString || t === Tok.Comma) && operator !== 'DoesNotExist') operator = 'Exists';
    return { key: item.lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case Tok.In: return 'In';
      case Tok.Equals: return '=';
      case Tok.DoubleEquals: return '==';
      case Tok.GreaterThan: return 'Gt';
      case Tok.LessThan: return 'Lt';
      case Tok.NotIn: return 'NotIn';
      case Tok.NotEquals: return '!=';
      default: return failRequirement(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== Tok.OpenPar) failRequirement(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === Tok.ClosedPar) { this.consume(true); return ['']; }
    if (tok !== Tok.Identifier && tok !== Tok.Comma) failRequirement(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifiersList();
    if (this.consume(true).tok !== Tok.ClosedPar) failRequirement(`found '${lit}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries (`(,a)`, `(a,,b)`, `(a,)`) mean the empty value. */
  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === Tok.Identifier) {
        values.push(lit);
        const next = this.lookahead(true);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return values;
        failRequirement(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok !== Tok.Comma) failRequirement(`found '${lit}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const next = this.lookahead(true).tok;
      if (next === Tok.ClosedPar) { values.push(''); return values; }
      if (next === Tok.Comma) values.push('');
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true).tok;
    if (next === Tok.EndOfString || next === Tok.Comma) return [''];
    const { tok, lit } = this.consume(true);
    if (tok === Tok.Identifier) return [lit];
    return failRequirement(`found '${lit}', expected: identifier`);
  }
}

function wrapRequirement(msg: string): string { return `unable to parse requirement: ${msg}`; }
function fail(msg: string): never { throw newBadRequest(msg); }
function failRequirement(msg: string): never { throw newBadRequest(wrapRequirement(msg)); }

/**
 * labels.Parse: the `kubectl -l` syntax. `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`.
 * Throws StatusError 400 BadRequest with upstream's parse error text.
 */
export function parseLabelSelector(s: string): LabelSelector {
  const reqs = new LabelParser(scan(s)).parse();
  return reqs.length === 0 ? everything : new RequirementsSelector(reqs);
}

interface MetaLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const META_OPERATORS: Record<string, Operator> = { In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` selects everything;
 * matchLabels are `key=value` requirements; a bad operator or bad values throw 400 BadRequest.
 */
export function labelSelectorFromMeta(sel: MetaLabelSelector | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothing;
  const matchLabels = sel.matchLabels ?? {};
  const expressions = sel.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return everything;
  const reqs: Requirement[] = Object.keys(matchLabels).map((k) => newRequirement(k, '=', [matchLabels[k]], String));
  for (const expr of expressions) {
    const op = Object.prototype.hasOwnProperty.call(META_OPERATORS, expr.operator) ? META_OPERATORS[expr.operator] : undefined;
    if (!op) throw newBadRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const values = [...(expr.values ?? [])];
    reqs.push(newRequirement(expr.key, op, values, String, values.length ? values : null));
  }
  return new RequirementsSelector(reqs);
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

export interface FieldSelector {
  matches(obj: KubeObject): boolean;
  readonly empty: boolean;
  toString(): string;
  fields: readonly string[];
  /** The value a `field=value` term requires (undefined: no such term), for a lookup instead of a scan. */
  required(field: string): string | undefined;
}

type FieldGetter = (obj: KubeObject) => string;

function str(v: unknown): string { return typeof v === 'string' ? v : ''; }
function bool(v: unknown): string { return v === true ? 'true' : 'false'; }
function int(v: unknown): string { return typeof v === 'number' ? String(v) : '0'; }

const name: FieldGetter = (o) => str(o.metadata?.name);
const namespace: FieldGetter = (o) => str(o.metadata?.namespace);
const OBJECT_META: Record<string, FieldGetter> = { 'metadata.name': name, 'metadata.namespace': namespace };

/** pod strategy ToSelectableFields: status.podIP is podIPs[0]; status.podIPs is accepted but never set. */
const POD_FIELDS: Record<string, FieldGetter> = {
  ...OBJECT_META,
  'spec.nodeName': (o) => str(o.spec?.nodeName),
  'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
  'spec.schedulerName': (o) => str(o.spec?.schedulerName),
  'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
  'spec.hostNetwork': (o) => bool(o.spec?.hostNetwork),
  'status.phase': (o) => str(o.status?.phase),
  'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
  'status.podIPs': () => '',
  'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
};

const EVENT_FIELDS: Record<string, FieldGetter> = {
  ...OBJECT_META,
  'involvedObject.kind': (o) => str(o.involvedObject?.kind),
  'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
  'involvedObject.name': (o) => str(o.involvedObject?.name),
  'involvedObject.uid': (o) => str(o.involvedObject?.uid),
  'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
  'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
  'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
  'reason': (o) => str(o.reason),
  'reportingComponent': (o) => str(o.reportingComponent),
  'source': (o) => str(o.source?.component) || str(o.reportingComponent),
  'type': (o) => str(o.type),
};

interface FieldKind { fields: Record<string, FieldGetter>; aliases?: Record<string, string>; unsupported: (label: string) => string }

const coreUnsupported = (label: string): string => `field label not supported: ${label}`;

/** The kinds that register a field label conversion func; others use DefaultMetaV1FieldSelectorConversion. */
const FIELD_KINDS: Record<string, FieldKind> = {
  Pod: { fields: POD_FIELDS, aliases: { 'spec.host': 'spec.nodeName' }, unsupported: coreUnsupported },
  Node: { fields: { 'metadata.name': name, 'spec.unschedulable': (o) => bool(o.spec?.unschedulable) }, unsupported: coreUnsupported },
  ReplicationController: { fields: { ...OBJECT_META, 'status.replicas': (o) => int(o.status?.replicas) }, unsupported: coreUnsupported },
  ReplicaSet: { fields: { ...OBJECT_META, 'status.replicas': (o) => int(o.status?.replicas) }, unsupported: coreUnsupported },
  Event: { fields: EVENT_FIELDS, unsupported: coreUnsupported },
  Namespace: { fields: { 'metadata.name': name, 'status.phase': (o) => str(o.status?.phase) }, unsupported: coreUnsupported },
  Secret: { fields: { ...OBJECT_META, type: (o) => str(o.type) }, unsupported: coreUnsupported },
  Service: { fields: { ...OBJECT_META, 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) }, unsupported: coreUnsupported },
  Job: {
    fields: { ...OBJECT_META, 'status.successful': (o) => int(o.status?.succeeded) },
    unsupported: (label) => `field label ${JSON.stringify(label)} not supported for batchv1.Job`,
  },
};

const DEFAULT_KIND: FieldKind = {
  fields: OBJECT_META,
  unsupported: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

interface FieldTerm { field: string; value: string; negate: boolean; get: FieldGetter }

/** fields.EscapeValue: `\`, `,` and `=` are backslash-escaped in a term's value. */
function escapeValue(s: string): string { return s.replace(/[\\,=]/g, (c) => `\\${c}`); }

/** fields.UnescapeValue */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') fail(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point.
      fail(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) fail('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.splitTerms: split on commas that are not backslash-escaped. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(selector.slice(start, i)); start = i + 1; }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** fields.splitTerm: the first `!=`, `==` or `=` splits field from value. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** The kind's field label conversion (Transform): maps aliases, rejects unsupported labels. */
function convertFieldLabel(kind: FieldKind, label: string): { field: string; get: FieldGetter } {
  const converted = kind.aliases?.[label] ?? label;
  if (!Object.prototype.hasOwnProperty.call(kind.fields, converted)) fail(kind.unsupported(label));
  return { field: converted, get: kind.fields[converted] };
}

class TermsSelector implements FieldSelector {
  readonly fields: readonly string[];
  constructor(private readonly terms: readonly FieldTerm[]) {
    this.fields = Object.freeze(terms.map((t) => t.field));
  }
  get empty(): boolean { return this.terms.length === 0; }
  matches(obj: KubeObject): boolean {
    const terms = this.terms;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      if ((t.get(obj) === t.value) === t.negate) return false;
    }
    return true;
  }
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.negate ? '!=' : '='}${escapeValue(t.value)}`).join(',');
  }
  required(field: string): string | undefined {
    for (const t of this.terms) if (t.field === field && !t.negate) return t.value;
    return undefined;
  }
}

/**
 * fields.ParseSelector + the kind's field label conversion: `=`, `==`, `!=`, comma = AND.
 * An unsupported field throws 400 BadRequest with the conversion's text, e.g.
 * `field label not supported: status.hostIP` for Pods.
 */
export function parseFieldSelector(s: string, kind: string): FieldSelector {
  const fieldKind = Object.prototype.hasOwnProperty.call(FIELD_KINDS, kind) ? FIELD_KINDS[kind] : DEFAULT_KIND;
  const parts = splitTerms(s).sort(compareStrings);
  const parsed: { label: string; value: string; negate: boolean }[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) fail(`invalid selector: '${s}'; can't understand '${part}'`);
    parsed.push({ label: split.lhs, value: unescapeValue(split.rhs), negate: split.op === '!=' });
  }
  const terms: FieldTerm[] = parsed.map((t) => ({ ...convertFieldLabel(fieldKind, t.label), value: t.value, negate: t.negate }));
  return new TermsSelector(terms);
}
