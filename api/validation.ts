// API validation: the field errors the API server returns as 422 Invalid.
// Mirrors kubernetes/kubernetes:
//   staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go   (DNS names, ports, config keys, RegexError)
//   staging/src/k8s.io/apimachinery/pkg/api/validate/content/kube.go     (label keys and values)
//   staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go     (ObjectMeta create/update)
//   staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation          (labels, label selectors)
//   staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go         (quantity syntax)
//   pkg/apis/core/validation/validation.go                               (Pod, Service, ConfigMap, Secret, PV, PVC, ...)
//   pkg/apis/apps/validation/validation.go                               (Deployment, ReplicaSet, StatefulSet, DaemonSet)
//   pkg/apis/batch/validation/validation.go                              (Job, CronJob; cron syntax from robfig/cron v3)
//   pkg/apis/autoscaling/validation, pkg/apis/policy/validation          (HPA, PDB)
//   pkg/registry/*/strategy.go                                           (selector immutability on update)
// Error texts are upstream's; a comment marks the few that could not be checked against source.
import { cronScheduleError } from './cron.ts';
import { field, type FieldError } from './errors.ts';
import type { KubeObject } from './types.ts';
import type { KindInfo } from './registry.ts';
import { BoundedMemo, NONE } from './equal.ts';

/** A JSON object inside a Kubernetes object. */
type Json = Record<string, any>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortedKeys(o: unknown): string[] {
  return isObject(o) ? Object.keys(o).sort() : [];
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

// =============================================================================================
// Value rendering (field.Error prints non-scalar bad values with Go's %#v)
// =============================================================================================

/**
 * A bad value that field.Error prints verbatim. errors.ts renders strings quoted and objects as
 * JSON; upstream prints maps and structs with Go's %#v (e.g. `map[string]string{"app":"x"}`).
 * A function value is printed through its toString(), which gives us the exact Go text.
 */
function goValue(text: string): unknown {
  const rendered = (): string => text;
  rendered.toString = (): string => text;
  return rendered;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** %#v of a map[string]string: keys sorted, `map[string]string{"a":"b", "c":"d"}`; nil map prints `(nil)`. */
function goStringMap(m: unknown): string {
  if (!isObject(m)) return 'map[string]string(nil)';
  const entries = sortedKeys(m).map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(v: unknown): string {
  if (!Array.isArray(v)) return '[]string(nil)';
  return `[]string{${v.map((s) => goQuote(String(s))).join(', ')}}`;
}

/** %#v of a metav1.LabelSelector, as seen in `spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable`. */
function goLabelSelector(sel: unknown): string {
  if (!isObject(sel)) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e: Json) =>
      `v1.LabelSelectorRequirement{Key:${goQuote(String(e?.key ?? ''))}, Operator:${goQuote(String(e?.operator ?? ''))}, Values:${goStringSlice(e?.values)}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** An IntOrString prints through its String() method: the bare int or the bare string. */
function intOrStringValue(v: unknown): unknown {
  return typeof v === 'string' ? goValue(v) : v;
}

/** metav1.Time prints through time.Time.String(): `2024-01-02 03:04:05 +0000 UTC`. */
function goTime(v: unknown): unknown {
  if (typeof v !== 'string' || v === '') return goValue('0001-01-01 00:00:00 +0000 UTC');
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(v);
  return m ? goValue(`${m[1]} ${m[2]}${m[3] ?? ''} +0000 UTC`) : v;
}

// =============================================================================================
// Names (apimachinery util/validation)
// =============================================================================================

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

/** validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const shown = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${shown}regex used for validation is '${fmt}')`;
}

/** validation.MaxLenError. (apimachinery's newest `content` package says "bytes"; v1.3x servers print "characters".) */
function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Whether `s` takes more than `max` bytes in UTF-8. A UTF-16 code unit takes one to three bytes, so
 * only a string between max/3 and max code units long needs counting (Buffer.byteLength, a native
 * call, took 0.3 s of a 30,000-pod bring-up for names that are all short).
 */
function longerThan(s: string, max: number): boolean {
  if (s.length > max) return true;
  return s.length * 3 > max && byteLength(s) > max;
}

export function isDNS1123Label(s: string): string[] {
  const errs: string[] = [];
  if (longerThan(s, 63)) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(s)) {
    if (DNS1123_SUBDOMAIN_RE.test(s)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(s: string): string[] {
  const errs: string[] = [];
  if (longerThan(s, 253)) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(s)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function isDNS1035Label(s: string): string[] {
  const errs: string[] = [];
  if (longerThan(s, 63)) errs.push(maxLenError(63));
  if (!DNS1035_LABEL_RE.test(s)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** path.IsValidPathSegmentName (RBAC object names). */
function isValidPathSegmentName(s: string): string[] {
  if (s === '.' || s === '..') return [`may not be '${s}'`];
  return ['/', '%'].filter((c) => s.includes(c)).map((c) => `may not contain '${c}'`);
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (longerThan(port, 15)) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';

/** validation.IsConfigMapKey (ConfigMap and Secret data keys). */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (longerThan(key, 253)) errs.push(maxLenError(253));
  if (!new RegExp(`^${CONFIG_MAP_KEY_FMT}$`).test(key)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const PERCENT_FMT = '[0-9]+%';

function isValidPercent(s: string): string[] {
  return new RegExp(`^${PERCENT_FMT}$`).test(s)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, '1%', '93%')];
}

// =============================================================================================
// Labels and annotations (content.IsLabelKey / IsLabelValue)
// =============================================================================================

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

/**
 * IsQualifiedName: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters.
 * The same few keys (`app`, `kubernetes.io/hostname`, finalizers) are checked on every object:
 * a key's messages are worked out once (the list returned is shared: do not change it).
 */
export function isQualifiedName(value: string): readonly string[] {
  return qualifiedNameMessages.get(value);
}

const qualifiedNameMessages = new BoundedMemo<string, readonly string[]>(4096, (value) => Object.freeze(qualifiedNameErrors(value)));

function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a valid label key ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (longerThan(name, 63)) errs.push(`name part ${maxLenError(63)}`);
  if (!LABEL_KEY_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (longerThan(value, 63)) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** v1validation.ValidateLabels: errors are reported at the map's path (not per key), keys in sorted order. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of sortedKeys(labels)) {
    for (const msg of isQualifiedName(k)) errs.push(field.invalid(path, k, msg));
    for (const msg of isValidLabelValue(String(labels![k]))) errs.push(field.invalid(path, labels![k], msg));
  }
  return errs;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const k of sortedKeys(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, msg));
    total += byteLength(k) + byteLength(String((annotations as Json)[k]));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push({ type: 'FieldValueTooLong', field: path, detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  return errs;
}

// =============================================================================================
// ObjectMeta
// =============================================================================================

type NameFn = (name: string, prefix: boolean) => string[];

/** NameIsDNSSubdomain and friends: with prefix (generateName), a trailing '-' is allowed. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

const nameIsDNSSubdomain: NameFn = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
const nameIsDNSLabel: NameFn = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
const nameIsDNS1035Label: NameFn = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
const nameIsPathSegment: NameFn = (n, prefix) => (prefix ? [] : isValidPathSegmentName(n));

/** Per-kind name rules (ValidateXName in upstream validation packages). Default: DNS-1123 subdomain. */
const NAME_RULES: Record<string, NameFn> = {
  '/Namespace': nameIsDNSLabel,
  '/Service': nameIsDNS1035Label,
  'apps/StatefulSet': nameIsDNSLabel,
  'rbac.authorization.k8s.io/Role': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRole': nameIsPathSegment,
  'rbac.authorization.k8s.io/RoleBinding': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRoleBinding': nameIsPathSegment,
};

/** Each kind's rule, found once (the key text was built and looked up on every create). */
const nameRules = new BoundedMemo<KindInfo, NameFn>(1024, (info) => NAME_RULES[`${info.group}/${info.kind}`] ?? nameIsDNSSubdomain);

function nameRuleFor(info: KindInfo): NameFn {
  return nameRules.get(info);
}

/** A namespace's DNS-1123 label messages, checked once per name (every namespaced create checks its namespace). */
const namespaceMessages = new BoundedMemo<string, readonly string[]>(1024, (ns) => Object.freeze(isDNS1123Label(ns)));

function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of asArray(refs)) {
    if (!isObject(ref)) continue;
    const apiVersion = String(ref.apiVersion ?? '');
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(field.invalid(`${path}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(field.invalid(`${path}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(field.invalid(`${path}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(field.invalid(path, goValue('[]v1.OwnerReference{...}'),
          `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = asArray(finalizers).map(String);
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(field.invalid(path, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, goValue(goStringSlice(list)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateMetaCommon(meta: Json, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (namespaced) {
    if (!meta.namespace) errs.push(field.required('metadata.namespace'));
    else for (const msg of namespaceMessages.get(String(meta.namespace))) errs.push(field.invalid('metadata.namespace', meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  // Only the fields present are checked (an Event has none of them; a create spread five empty lists).
  if (meta.generation !== undefined) errs.push(...validateNonnegative(meta.generation, 'metadata.generation'));
  if (meta.labels !== undefined) errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  if (meta.annotations !== undefined) errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (meta.ownerReferences !== undefined) errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  if (meta.finalizers !== undefined) errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

/** ValidateObjectMeta on create: generateName, name (per-kind rule), namespace scope, labels, annotations. */
function validateObjectMeta(meta: Json, info: KindInfo): FieldError[] {
  const errs: FieldError[] = [];
  const nameFn = nameRuleFor(info);
  if (meta.generateName) {
    for (const msg of nameFn(String(meta.generateName), true)) errs.push(field.invalid('metadata.generateName', meta.generateName, msg));
  }
  if (!meta.name) errs.push(field.required('metadata.name', 'name or generateName is required'));
  else for (const msg of nameFn(String(meta.name), false)) errs.push(field.invalid('metadata.name', meta.name, msg));
  errs.push(...validateMetaCommon(meta, info.namespaced));
  return errs;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null) return b === undefined || b === null;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  return canonicalJSON(a) === canonicalJSON(b);
}

/** ValidateImmutableField; `shown` (what the message prints) is worked out only for an error. */
function immutable(newVal: unknown, oldVal: unknown, path: string, shown: (v: unknown) => unknown = (v) => v): readonly FieldError[] {
  return sameValue(newVal, oldVal) ? NONE : [field.invalid(path, shown(newVal), 'field is immutable')];
}

/**
 * ValidateObjectMetaUpdate. The `resourceVersion must be specified for an update` check is left to
 * the store, which fills resourceVersion for unconditional updates before validating.
 */
function validateObjectMetaUpdate(meta: Json, old: Json): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = asArray(meta.finalizers).map(String).filter((f) => !asArray(old.finalizers).includes(f)).sort();
    if (added.length > 0) errs.push(field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`));
  }
  if (typeof meta.generation === 'number' && typeof old.generation === 'number' && meta.generation < old.generation) {
    errs.push(field.invalid('metadata.generation', meta.generation, 'must not be decremented'));
  }
  errs.push(...immutable(meta.name ?? '', old.name ?? '', 'metadata.name'));
  errs.push(...immutable(meta.namespace ?? '', old.namespace ?? '', 'metadata.namespace'));
  errs.push(...immutable(meta.uid ?? '', old.uid ?? '', 'metadata.uid'));
  errs.push(...immutable(meta.creationTimestamp ?? null, old.creationTimestamp ?? null, 'metadata.creationTimestamp', goTime));
  errs.push(...immutable(meta.deletionTimestamp ?? null, old.deletionTimestamp ?? null, 'metadata.deletionTimestamp', (v) => (v ? goTime(v) : null)));
  errs.push(...immutable(meta.deletionGracePeriodSeconds ?? null, old.deletionGracePeriodSeconds ?? null, 'metadata.deletionGracePeriodSeconds'));
  // What the update carries over unchanged (the stored value itself) was validated when stored.
  if (meta.labels !== old.labels) errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  if (meta.annotations !== old.annotations) errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (meta.ownerReferences !== old.ownerReferences) errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  if (meta.finalizers !== old.finalizers) errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

// =============================================================================================
// Deep equality (semantic, key order independent)
// =============================================================================================

function canonicalJSON(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// =============================================================================================
// Quantities (apimachinery pkg/api/resource)
// =============================================================================================

const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

interface ParsedQuantity { value: number; error: null }
interface QuantityFailure { value: number; error: string }

function parseQuantityText(s: string): ParsedQuantity | QuantityFailure {
  const text = s.trim();
  if (text.length === 0) return { value: NaN, error: 'quantities must match the regular expression' };
  const m = QUANTITY_RE.exec(text);
  if (!m) return { value: NaN, error: QUANTITY_FORMAT_ERROR };
  const [, num, suffix] = m;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(num)) return { value: NaN, error: 'unable to parse numeric part of quantity' };
  const base = Number(num);
  if (suffix in BINARY_SUFFIXES) return { value: base * BINARY_SUFFIXES[suffix], error: null };
  if (suffix in DECIMAL_SUFFIXES) return { value: base * DECIMAL_SUFFIXES[suffix], error: null };
  const exp = /^[eE]([-+]?\d+)$/.exec(suffix);
  if (exp) return { value: base * 10 ** Number(exp[1]), error: null };
  return { value: NaN, error: "unable to parse quantity's suffix" };
}

/**
 * A Kubernetes quantity in base units: cores for cpu ('100m' → 0.1), bytes for memory
 * ('1Gi' → 1073741824, '1G' → 1e9, '1e3' → 1000). NaN when the text is not a quantity.
 */
export function parseQuantity(s: string | number): number {
  return typeof s === 'number' ? s : quantityValues.get(s);
}

/** The same few quantities ("100m", "128Mi", a node's capacity) are read on every pod and node. */
const quantityValues = new BoundedMemo<string, number>(4096, (s) => parseQuantityText(String(s)).value);

/** The parse error upstream gives for a malformed quantity, or null when it parses. */
export function quantityError(s: string | number): string | null {
  if (typeof s === 'number') return Number.isFinite(s) ? null : QUANTITY_FORMAT_ERROR;
  // A quantity parseQuantity has read to a number parses (its memo answers without a regex).
  if (Number.isFinite(parseQuantity(s))) return null;
  return parseQuantityText(String(s)).error;
}

/** Quantity.String(). Approximation: the text as given (upstream prints the canonical form, e.g. '0.5' → '500m'). */
function quantityString(q: unknown): string {
  return typeof q === 'number' ? String(q) : String(q).trim();
}

// =============================================================================================
// Label selectors
// =============================================================================================

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** v1validation.ValidateLabelSelector. */
function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (!isObject(sel)) return [];
  const errs: FieldError[] = [];
  asArray(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr = isObject(e) ? e : {};
    const values = asArray(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(String(expr.key ?? ''))) errs.push(field.invalid(`${p}.key`, expr.key ?? '', msg));
  });
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

/** LabelSelectorAsSelector succeeds (valid operators). */
function selectorConvertible(sel: unknown): boolean {
  if (!isObject(sel)) return true;
  return asArray(sel.matchExpressions).every((e) => isObject(e) && SELECTOR_OPERATORS.includes(e.operator));
}

function selectorIsEmpty(sel: Json): boolean {
  return sortedKeys(sel.matchLabels).length === 0 && asArray(sel.matchExpressions).length === 0;
}

function requirementMatches(expr: Json, labels: Json): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
  const values = asArray(expr.values).map(String);
  switch (expr.operator) {
    case 'In': return has && values.includes(String(labels[expr.key]));
    case 'NotIn': return !has || !values.includes(String(labels[expr.key]));
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false;
  }
}

/** Whether a LabelSelector matches a label set; a nil selector matches nothing, an empty one everything. */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObject(sel)) return false;
  const set: Json = labels ?? {};
  const labelsOk = sortedKeys(sel.matchLabels).every((k) => Object.prototype.hasOwnProperty.call(set, k) && set[k] === sel.matchLabels[k]);
  return labelsOk && asArray(sel.matchExpressions).every((e) => isObject(e) && requirementMatches(e, set));
}

function selectorMismatch(path: string, labels: unknown): FieldError {
  return field.invalid(path, goValue(goStringMap(labels)), '`selector` does not match template `labels`');
}

// =============================================================================================
// Pod spec (core validation)
// =============================================================================================

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(path, port, m));
  return [field.invalid(path, port ?? null, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')];
}

const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateHandler(probe: Json, path: string): FieldError[] {
  const present = HANDLER_TYPES.filter((h) => isObject(probe[h]));
  if (present.length === 0) return [field.required(path, 'must specify a handler type')];
  const errs: FieldError[] = present.slice(1).map((h) => field.forbidden(`${path}.${h}`, 'may not specify more than 1 handler type'));
  if (isObject(probe.httpGet)) errs.push(...validatePortNumOrName(probe.httpGet.port, `${path}.httpGet.port`));
  if (isObject(probe.tcpSocket)) errs.push(...validatePortNumOrName(probe.tcpSocket.port, `${path}.tcpSocket.port`));
  if (isObject(probe.exec) && asArray(probe.exec.command).length === 0) errs.push(field.required(`${path}.exec.command`));
  return errs;
}

function validateProbe(probe: unknown, path: string): FieldError[] {
  if (!isObject(probe)) return [];
  const errs = validateHandler(probe, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], `${path}.${f}`));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArray(ports).forEach((raw, i) => {
    const p = isObject(raw) ? raw : {};
    const idx = `${path}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(String(p.name));
      if (msgs.length > 0) errs.push(...msgs.map((m) => field.invalid(`${idx}.name`, p.name, m)));
      else if (names.has(p.name)) errs.push(field.duplicate(`${idx}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(field.required(`${idx}.containerPort`));
    else errs.push(...isValidPortNum(p.containerPort).map((m) => field.invalid(`${idx}.containerPort`, p.containerPort, m)));
    if (p.hostPort) errs.push(...isValidPortNum(p.hostPort).map((m) => field.invalid(`${idx}.hostPort`, p.hostPort, m)));
    if (!p.protocol) errs.push(field.required(`${idx}.protocol`));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(field.notSupported(`${idx}.protocol`, p.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

function isStandardContainerResource(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.includes(name) || name.startsWith('hugepages-') || name.includes('/');
}

function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of sortedKeys(list)) {
    // The field path is made only for an error (the resources of every container of every pod are checked).
    const q = (list as Json)[name];
    if (!isStandardContainerResource(name)) errs.push(field.invalid(`${path}[${name}]`, name, 'must be a standard resource for containers'));
    const parseErr = quantityError(q);
    if (parseErr) errs.push(field.invalid(`${path}[${name}]`, q, parseErr));
    else if (parseQuantity(q) < 0) errs.push(field.invalid(`${path}[${name}]`, quantityString(q), 'must be greater than or equal to 0'));
  }
  return errs;
}

/** ValidateResourceRequirements: syntax, non-negative, and each request <= its limit. */
function validateResources(res: unknown, path: string): FieldError[] {
  if (!isObject(res)) return [];
  const errs = [...validateResourceList(res.limits, `${path}.limits`), ...validateResourceList(res.requests, `${path}.requests`)];
  const limits = isObject(res.limits) ? res.limits : {};
  for (const name of sortedKeys(res.requests)) {
    const req = res.requests[name];
    const lim = limits[name];
    if (lim === undefined || quantityError(req) || quantityError(lim)) continue;
    if (parseQuantity(req) > parseQuantity(lim)) {
      errs.push(field.invalid(`${path}.requests`, quantityString(req), `must be less than or equal to ${name} limit of ${quantityString(lim)}`));
    }
  }
  return errs;
}

function validatePullPolicy(policy: unknown, path: string): FieldError[] {
  if (!policy) return [field.required(path)];
  return ['Always', 'IfNotPresent', 'Never'].includes(String(policy)) ? [] : [field.notSupported(path, policy, ['Always', 'IfNotPresent', 'Never'])];
}

function validateContainer(c: Json, path: string, names: Set<string>, regular: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`));
  else {
    errs.push(...isDNS1123Label(String(c.name)).map((m) => field.invalid(`${path}.name`, c.name, m)));
    if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image) errs.push(field.required(`${path}.image`));
  else if (String(c.image) !== String(c.image).trim()) errs.push(field.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  if (!c.terminationMessagePolicy) errs.push(field.required(`${path}.terminationMessagePolicy`, 'must be \'File\' or \'FallbackToLogsOnError\''));
  else if (!['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    errs.push(field.invalid(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, 'must be \'File\' or \'FallbackToLogsOnError\''));
  }
  errs.push(...validateContainerPorts(c.ports, `${path}.ports`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  errs.push(...validatePullPolicy(c.imagePullPolicy, `${path}.imagePullPolicy`));
  if (regular) {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`));
    for (const probe of ['livenessProbe', 'startupProbe']) {
      const th = c[probe]?.successThreshold;
      if (typeof th === 'number' && th !== 1) errs.push(field.invalid(`${path}.${probe}.successThreshold`, th, 'must be 1'));
    }
  }
  return errs;
}

function validateContainers(containers: unknown, path: string, names: Set<string>, regular: boolean): FieldError[] {
  const list = asArray(containers);
  if (regular && list.length === 0) return [field.required(path)];
  return list.flatMap((c, i) => validateContainer(isObject(c) ? c : {}, `${path}[${i}]`, names, regular));
}

function validateVolumes(volumes: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArray(volumes).forEach((raw, i) => {
    const v = isObject(raw) ? raw : {};
    const p = `${path}[${i}].name`;
    if (!v.name) errs.push(field.required(p));
    else {
      errs.push(...isDNS1123Label(String(v.name)).map((m) => field.invalid(p, v.name, m)));
      if (names.has(v.name)) errs.push(field.duplicate(p, v.name));
      names.add(v.name);
    }
  });
  return errs;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

function validateEnum(value: unknown, path: string, supported: string[]): FieldError[] {
  if (!value) return [field.required(path)];
  return supported.includes(String(value)) ? [] : [field.notSupported(path, value, supported)];
}

function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArray(tolerations).forEach((raw, i) => {
    const t = isObject(raw) ? raw : {};
    // The path is made only for an error (every pod carries the two default tolerations).
    const p = (): string => `${path}[${i}]`;
    if (t.key) {
      const msgs = isQualifiedName(String(t.key));
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${p()}.key`, t.key, m)));
    }
    if (!t.key && t.operator !== 'Exists') errs.push(field.invalid(`${p()}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${p()}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator && !TOLERATION_OPERATORS.includes(t.operator)) errs.push(field.notSupported(`${p()}.operator`, t.operator, TOLERATION_OPERATORS));
    if (t.operator === 'Exists' && t.value) errs.push(field.invalid(`${p()}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(`${p()}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** ValidatePodSpec (the subset kubesim models). */
function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const s = isObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  const names = new Set<string>();
  errs.push(...validateVolumes(s.volumes, `${path}.volumes`));
  errs.push(...validateContainers(s.containers, `${path}.containers`, names, true));
  errs.push(...validateContainers(s.initContainers, `${path}.initContainers`, names, false));
  errs.push(...validateEnum(s.restartPolicy, `${path}.restartPolicy`, RESTART_POLICIES));
  errs.push(...validateEnum(s.dnsPolicy, `${path}.dnsPolicy`, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.serviceAccountName) errs.push(...isDNS1123Subdomain(String(s.serviceAccountName)).map((m) => field.invalid(`${path}.serviceAccountName`, s.serviceAccountName, m)));
  if (s.nodeName) errs.push(...isDNS1123Subdomain(String(s.nodeName)).map((m) => field.invalid(`${path}.nodeName`, s.nodeName, m)));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (!(typeof v === 'number' && v >= 1 && v <= 2147483647)) errs.push(field.invalid(`${path}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations and the pod spec. */
function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  if (!isObject(template)) return [field.required(path)];
  const meta = isObject(template.metadata) ? template.metadata : {};
  return [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${path}.spec`),
  ];
}

function templateLabels(template: unknown): Record<string, string> | undefined {
  return isObject(template) && isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : undefined;
}

// =============================================================================================
// Pods
// =============================================================================================

function validatePod(obj: KubeObject): FieldError[] {
  return validatePodSpec(obj.spec, 'spec');
}

/** The fields ValidatePodUpdate lets change, in upstream's wording. */
const POD_UPDATABLE_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A small stand-in for go-cmp's diff (whose exact output upstream deliberately randomises). */
function podSpecDiff(oldSpec: Json, newSpec: Json): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines = keys.filter((k) => !sameValue(oldSpec[k], newSpec[k])).flatMap((k) => [
    `- \t${k}: ${canonicalJSON(oldSpec[k])},`,
    `+ \t${k}: ${canonicalJSON(newSpec[k])},`,
  ]);
  return ['  core.PodSpec{', ...lines, '  }'].join('\n');
}

function copyImages(target: unknown, source: unknown): void {
  const t = asArray(target);
  const s = asArray(source);
  t.forEach((c, i) => {
    if (isObject(c) && isObject(s[i])) c.image = s[i].image;
  });
}

/** ValidatePodUpdate's spec check: munge the allowed changes back to old and compare. */
function validatePodSpecUpdate(spec: Json, old: Json): FieldError[] {
  const errs: FieldError[] = [];
  const munged: Json = structuredClone(spec);
  copyImages(munged.containers, old.containers);
  copyImages(munged.initContainers, old.initContainers);
  if (typeof spec.activeDeadlineSeconds === 'number' && typeof old.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds > old.activeDeadlineSeconds) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  const oldTolerations = asArray(old.tolerations);
  const newTolerations = asArray(spec.tolerations);
  if (oldTolerations.every((t) => newTolerations.some((n) => sameValue(n, t)))) munged.tolerations = old.tolerations;
  if (typeof old.terminationGracePeriodSeconds === 'number' && old.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  const oldGates = asArray(old.schedulingGates);
  if (asArray(spec.schedulingGates).every((g) => oldGates.some((o) => sameValue(o, g)))) munged.schedulingGates = old.schedulingGates;
  if (!sameValue(munged, old)) {
    errs.push(field.forbidden('spec', `pod updates may not change fields other than ${POD_UPDATABLE_FIELDS.join(',')}\n${podSpecDiff(old, munged)}`));
  }
  return errs;
}

// =============================================================================================
// apps/v1
// =============================================================================================

function validateIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, goValue(v), m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  return [field.invalid(path, v ?? null, "must be an integer or percentage (e.g '5%')")];
}

function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && isValidPercent(v).length === 0) return Number(v.slice(0, -1));
  return 0;
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return [];
  return Number(v.slice(0, -1)) > 100 ? [field.invalid(path, intOrStringValue(v), 'must not be greater than 100%')] : [];
}

/** The selector checks shared by Deployment and ReplicaSet (and, with other wording, StatefulSet). */
function validateWorkloadSelector(spec: Json, emptyMessage: string): FieldError[] {
  if (!isObject(spec.selector)) return [field.required('spec.selector')];
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (selectorIsEmpty(spec.selector)) errs.push(field.invalid('spec.selector', goValue(goLabelSelector(spec.selector)), emptyMessage));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet (Deployment, ReplicaSet). */
function validateTemplateForReplicaSet(spec: Json, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!selectorConvertible(spec.selector)) return [field.invalid('spec.selector', goValue(goLabelSelector(spec.selector)), 'invalid label selector')];
  if (!isObject(spec.template)) return [field.required('spec.template')];
  const nonEmpty = !isObject(spec.selector) || !selectorIsEmpty(spec.selector);
  if (nonEmpty && !selectorMatches(spec.selector, templateLabels(spec.template))) {
    errs.push(selectorMismatch('spec.template.metadata.labels', templateLabels(spec.template)));
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const restartPolicy = spec.template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (spec.template.spec?.activeDeadlineSeconds !== undefined && spec.template.spec?.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

function validateRollingUpdateDeployment(ru: Json): FieldError[] {
  const path = 'spec.strategy.rollingUpdate';
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(field.invalid(`${path}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`));
  return errs;
}

function validateDeploymentStrategy(strategy: unknown): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  switch (s.type) {
    case 'Recreate':
      return isObject(s.rollingUpdate) ? [field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate':
      return isObject(s.rollingUpdate)
        ? validateRollingUpdateDeployment(s.rollingUpdate)
        : [field.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
    default:
      return [field.notSupported('spec.strategy', goValue(`apps.DeploymentStrategy{Type:${goQuote(String(s.type ?? ''))}}`), ['Recreate', 'RollingUpdate'])];
  }
}

/** ValidateDeploymentSpec. */
function validateDeployment(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs = [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateWorkloadSelector(spec, 'empty selector is invalid for deployment'),
    ...validateTemplateForReplicaSet(spec, 'ReplicaSet'),
    ...validateDeploymentStrategy(spec.strategy),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** ValidateReplicaSetSpec (upstream reuses the deployment wording for an empty selector). */
function validateReplicaSet(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  return [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateWorkloadSelector(spec, 'empty selector is invalid for deployment'),
    ...validateTemplateForReplicaSet(spec, 'ReplicaSet'),
  ];
}

function validateRetentionPolicy(policy: unknown): FieldError[] {
  if (!isObject(policy)) return [];
  const errs: FieldError[] = [];
  for (const f of ['whenDeleted', 'whenScaled']) {
    if (!['Retain', 'Delete'].includes(policy[f])) errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, policy[f] ?? '', ['Retain', 'Delete']));
  }
  return errs;
}

function validateStatefulSetUpdateStrategy(strategy: unknown): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  switch (s.type) {
    case undefined:
    case '':
      return [field.required('spec.updateStrategy')];
    case 'OnDelete':
      return isObject(s.rollingUpdate) ? [field.invalid('spec.updateStrategy.rollingUpdate', goValue('&apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      if (!isObject(s.rollingUpdate)) return [];
      const errs = validateNonnegative(s.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition');
      const mu = s.rollingUpdate.maxUnavailable;
      if (mu !== undefined && mu !== null) {
        errs.push(...validateIntOrPercent(mu, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        if (intOrPercentValue(mu) === 0) errs.push(field.invalid('spec.updateStrategy.rollingUpdate.maxUnavailable', intOrStringValue(mu), 'cannot be 0'));
        errs.push(...notMoreThan100Percent(mu, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
      }
      return errs;
    }
    default:
      return [field.invalid('spec.updateStrategy', goValue(`apps.StatefulSetUpdateStrategy{Type:${goQuote(String(s.type))}}`), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/** ValidateStatefulSetSpec. */
function validateStatefulSet(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  if (!spec.podManagementPolicy) errs.push(field.required('spec.podManagementPolicy'));
  else if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
    errs.push(field.invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateStatefulSetUpdateStrategy(spec.updateStrategy));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy));
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObject(spec.ordinals)) errs.push(...validateNonnegative(spec.ordinals.start, 'spec.ordinals.start'));
  if (!isObject(spec.selector)) errs.push(field.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (selectorIsEmpty(spec.selector)) errs.push(field.invalid('spec.selector', goValue(goLabelSelector(spec.selector)), 'empty selector is invalid for statefulset'));
  }
  if (!selectorConvertible(spec.selector)) errs.push(field.invalid('spec.selector', goValue(goLabelSelector(spec.selector)), ''));
  else if (!isObject(spec.template)) errs.push(field.required('spec.template'));
  else {
    const nonEmpty = !isObject(spec.selector) || !selectorIsEmpty(spec.selector);
    if (nonEmpty && !selectorMatches(spec.selector, templateLabels(spec.template))) errs.push(selectorMismatch('spec.template.metadata.labels', templateLabels(spec.template)));
    errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  }
  const restartPolicy = spec.template?.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template?.spec?.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

const STATEFULSET_MUTABLE_SPEC = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

/** ValidateStatefulSetUpdate: everything but the listed fields is frozen (v1.34+ wording). */
function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const strip = (spec: unknown): Json => {
    const copy: Json = isObject(spec) ? { ...spec } : {};
    for (const f of STATEFULSET_MUTABLE_SPEC) delete copy[f];
    return copy;
  };
  const errs = validateStatefulSet(obj);
  if (!sameValue(strip(obj.spec), strip(old.spec))) {
    errs.push(field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

function validateDaemonSetUpdateStrategy(strategy: unknown): FieldError[] {
  const s = isObject(strategy) ? strategy : {};
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') {
    return [field.notSupported('spec.updateStrategy', goValue(`apps.DaemonSetUpdateStrategy{Type:${goQuote(String(s.type ?? ''))}}`), ['RollingUpdate', 'OnDelete'])];
  }
  if (!isObject(s.rollingUpdate)) return [field.required('spec.updateStrategy.rollingUpdate')];
  const path = 'spec.updateStrategy.rollingUpdate';
  const ru = s.rollingUpdate;
  const errs = [
    ...validateIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
    ...notMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...notMoreThan100Percent(ru.maxSurge, `${path}.maxSurge`),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(field.invalid(`${path}.maxSurge`, intOrStringValue(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(field.required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** ValidateDaemonSetSpec (a nil selector matches nothing, hence the mismatch error). */
function validateDaemonSet(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (selectorConvertible(spec.selector)) {
    const matches = isObject(spec.selector) && (selectorIsEmpty(spec.selector) || selectorMatches(spec.selector, templateLabels(spec.template)));
    if (!matches) errs.push(selectorMismatch('spec.template.metadata.labels', templateLabels(spec.template)));
  }
  if (isObject(spec.selector) && selectorIsEmpty(spec.selector)) {
    errs.push(field.invalid('spec.selector', goValue(goLabelSelector(spec.selector)), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const restartPolicy = spec.template?.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (spec.template?.spec?.activeDeadlineSeconds !== undefined && spec.template?.spec?.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateDaemonSetUpdateStrategy(spec.updateStrategy));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** The registry strategies of Deployment, ReplicaSet, DaemonSet (apps/v1) and Job make spec.selector immutable. */
function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = obj.spec?.selector;
  return [...immutable(sel ?? null, old.spec?.selector ?? null, 'spec.selector', () => goValue(goLabelSelector(sel)))];
}

function validateControllerRevision(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(field.required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(obj.revision, 'revision'));
  return errs;
}

// =============================================================================================
// ReplicationController, PodTemplate
// =============================================================================================

function validateReplicationController(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs = validateNonnegative(spec.replicas, 'spec.replicas');
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selector: Json = isObject(spec.selector) ? spec.selector : {};
  if (Object.keys(selector).length === 0) errs.push(field.required('spec.selector'));
  else errs.push(...validateLabels(selector as Record<string, string>, 'spec.selector'));
  if (!isObject(spec.template)) {
    errs.push(field.required('spec.template'));
    return errs;
  }
  const labels: Json = templateLabels(spec.template) ?? {};
  if (Object.keys(selector).length > 0 && !Object.keys(selector).every((k) => labels[k] === selector[k])) {
    errs.push(selectorMismatch('spec.template.metadata.labels', templateLabels(spec.template)));
  }
  errs.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const restartPolicy = spec.template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  return errs;
}

function validatePodTemplate(obj: KubeObject): FieldError[] {
  return validatePodTemplateSpec(obj.template, 'template');
}

// =============================================================================================
// batch/v1
// =============================================================================================

/** validateJobSpec (also used for a CronJob's jobTemplate.spec, at `prefix`). */
function validateJobSpec(spec: Json, prefix: string, isCronJobTemplate: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...validateNonnegative(spec[f], `${prefix}.${f}`));
  }
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode)) {
    errs.push(field.notSupported(`${prefix}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
  }
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(field.required(`${prefix}.completions`, 'when completion mode is Indexed'));
  }
  // A Job's selector is generated by the job strategy (controller-uid) before validation, so a
  // missing one is the store's concern; a given one must be valid and match the template.
  if (isObject(spec.selector)) {
    errs.push(...validateLabelSelector(spec.selector, `${prefix}.selector`));
    if (!isCronJobTemplate && selectorConvertible(spec.selector) && !selectorIsEmpty(spec.selector) && !selectorMatches(spec.selector, templateLabels(spec.template))) {
      errs.push(selectorMismatch(`${prefix}.template.metadata.labels`, templateLabels(spec.template)));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${prefix}.template`));
  const restartPolicy = spec.template?.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(field.required(`${prefix}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  }
  return errs;
}

function validateJob(obj: KubeObject): FieldError[] {
  return validateJobSpec(isObject(obj.spec) ? obj.spec : {}, 'spec', false);
}

/** ValidateJobSpecUpdate: selector, template (unless suspended and never started), completionMode... are frozen. */
function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const oldSpec: Json = isObject(old.spec) ? old.spec : {};
  const errs = validateJob(obj);
  const elasticIndexed = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism;
  if (!elasticIndexed) errs.push(...immutable(spec.completions ?? null, oldSpec.completions ?? null, 'spec.completions'));
  errs.push(...selectorImmutable(obj, old));
  const neverStarted = oldSpec.suspend === true && !old.status?.startTime;
  if (!neverStarted) {
    // The value upstream prints is the whole core.PodTemplateSpec (%#v); abbreviated here.
    errs.push(...immutable(spec.template ?? null, oldSpec.template ?? null, 'spec.template', () => goValue('core.PodTemplateSpec{...}')));
  }
  errs.push(...immutable(spec.completionMode ?? null, oldSpec.completionMode ?? null, 'spec.completionMode'));
  errs.push(...immutable(spec.podFailurePolicy ?? null, oldSpec.podFailurePolicy ?? null, 'spec.podFailurePolicy', () => goValue('&batch.PodFailurePolicy{...}')));
  errs.push(...immutable(spec.backoffLimitPerIndex ?? null, oldSpec.backoffLimitPerIndex ?? null, 'spec.backoffLimitPerIndex'));
  return errs;
}

export { cronScheduleError };

/** ValidateCronJobCreate/Spec. */
function validateCronJob(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const name = String(obj.metadata?.name ?? '');
  // CronJob names leave room for the 11-character suffix of the Jobs it creates.
  if (name.length > 52) errs.push(field.invalid('metadata.name', name, 'must be no more than 52 characters'));
  if (!spec.schedule) errs.push(field.required('spec.schedule'));
  else if (String(spec.schedule).includes('TZ')) {
    errs.push(field.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  } else {
    const err = cronScheduleError(String(spec.schedule));
    if (err) errs.push(field.invalid('spec.schedule', spec.schedule, err));
  }
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
    if (!spec.concurrencyPolicy) errs.push(field.required('spec.concurrencyPolicy'));
    else errs.push(field.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  }
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const jobSpec = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec', true));
  return errs;
}

// =============================================================================================
// Services, ConfigMaps, Secrets, volumes, namespaces
// =============================================================================================

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateServicePort(sp: Json, path: string, requireName: boolean, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(field.required(`${path}.name`));
  else if (sp.name) {
    const msgs = isDNS1123Label(String(sp.name));
    if (msgs.length > 0) errs.push(...msgs.map((m) => field.invalid(`${path}.name`, sp.name, m)));
    else if (names.has(sp.name)) errs.push(field.duplicate(`${path}.name`, sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port).map((m) => field.invalid(`${path}.port`, sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(field.required(`${path}.protocol`));
  else if (!PORT_PROTOCOLS.includes(sp.protocol)) errs.push(field.notSupported(`${path}.protocol`, sp.protocol, PORT_PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${path}.targetPort`));
  return errs;
}

/** ValidateService (ports, type, session affinity, ExternalName). */
function validateService(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const ports = asArray(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(field.required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(isObject(p) ? p : {}, `spec.ports[${i}]`, ports.length > 1, names)));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (isObject(p) && p.nodePort) errs.push(field.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  if (!spec.type) errs.push(field.required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ExternalName' && !spec.externalName) errs.push(field.required('spec.externalName'));
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity)) {
    errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  return errs;
}

/**
 * Service update: an allocated clusterIP may not change. An empty clusterIP on update means
 * "keep the allocated one" (the store copies it over), as the service REST storage does.
 */
function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateService(obj);
  const oldIP = old.spec?.clusterIP;
  const newIP = obj.spec?.clusterIP;
  if (oldIP && newIP && newIP !== oldIP && obj.spec?.type !== 'ExternalName' && old.spec?.type !== 'ExternalName') {
    const ips = asArray(obj.spec?.clusterIPs).length > 0 ? obj.spec.clusterIPs : [newIP];
    errs.push(field.invalid('spec.clusterIPs[0]', goValue(goStringSlice(ips)), 'may not change once set'));
  }
  return errs;
}

function validateDataKeys(data: unknown, path: string): FieldError[] {
  return sortedKeys(data).flatMap((k) => isConfigMapKey(k).map((m) => field.invalid(`${path}[${k}]`, k, m)));
}

function validateConfigMap(obj: KubeObject): FieldError[] {
  const errs = [...validateDataKeys(obj.data, 'data'), ...validateDataKeys(obj.binaryData, 'binaryData')];
  for (const k of sortedKeys(obj.data)) {
    if (isObject(obj.binaryData) && k in obj.binaryData) errs.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  }
  return errs;
}

/** ValidateSecret: keys, plus the keys the well-known types require. */
function validateSecret(obj: KubeObject): FieldError[] {
  const errs = [...validateDataKeys(obj.data, 'data'), ...validateDataKeys(obj.stringData, 'stringData')];
  const keys = new Set([...sortedKeys(obj.data), ...sortedKeys(obj.stringData)]);
  const requireKey = (k: string): void => {
    if (!keys.has(k)) errs.push(field.required(`data[${k}]`));
  };
  if (obj.type === 'kubernetes.io/tls') {
    requireKey('tls.key');
    requireKey('tls.crt');
  } else if (obj.type === 'kubernetes.io/dockerconfigjson') {
    requireKey('.dockerconfigjson');
  } else if (obj.type === 'kubernetes.io/service-account-token' && !obj.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

/** ConfigMap/Secret updates: `immutable: true` freezes data and itself; a Secret's type never changes. */
function validateImmutableData(obj: KubeObject, old: KubeObject, info: KindInfo): FieldError[] {
  const errs: FieldError[] = [];
  if (info.kind === 'Secret') errs.push(...immutable(obj.type ?? '', old.type ?? '', 'type'));
  if (old.immutable !== true) return errs;
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (!sameValue(obj.data ?? {}, old.data ?? {})) errs.push(field.forbidden('data', 'field is immutable when `immutable` is set'));
  if (info.kind === 'ConfigMap' && !sameValue(obj.binaryData ?? {}, old.binaryData ?? {})) {
    errs.push(field.forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const list = asArray(modes);
  if (list.length === 0) return [field.required(path, 'at least 1 access mode is required')];
  return list.filter((m) => !ACCESS_MODES.includes(String(m))).map((m) => field.notSupported(path, m, ACCESS_MODES));
}

/** ValidatePersistentVolumeClaimSpec: access modes and a positive storage request. */
function validatePVCSpec(spec: unknown, path: string): FieldError[] {
  const s = isObject(spec) ? spec : {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`);
  const storage = s.resources?.requests?.storage;
  const storagePath = `${path}.resources[storage]`;
  if (storage === undefined) errs.push(field.required(storagePath));
  else if (quantityError(storage)) errs.push(field.invalid(storagePath, storage, quantityError(storage)!));
  else if (parseQuantity(storage) <= 0) errs.push(field.invalid(storagePath, quantityString(storage), 'must be greater than zero'));
  if (s.volumeMode && !['Block', 'Filesystem'].includes(s.volumeMode)) errs.push(field.notSupported(`${path}.volumeMode`, s.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

function validatePVC(obj: KubeObject): FieldError[] {
  return validatePVCSpec(obj.spec, 'spec');
}

/** PVC updates may only grow resources.requests (and bind volumeName). Wording from v1.29+, not re-read. */
function validatePVCUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validatePVC(obj);
  const frozen = (spec: unknown): Json => {
    const copy: Json = isObject(spec) ? structuredClone(spec) : {};
    delete copy.resources;
    delete copy.volumeAttributesClassName;
    if (!old.spec?.volumeName) delete copy.volumeName;
    return copy;
  };
  if (!sameValue(frozen(obj.spec), frozen(old.spec))) {
    errs.push(field.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  return errs;
}

const PV_SOURCE_KEYS = ['hostPath', 'local', 'nfs', 'csi', 'iscsi', 'fc', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'rbd', 'cinder', 'glusterfs', 'portworxVolume', 'vsphereVolume', 'flexVolume', 'flocker', 'quobyte', 'photonPersistentDisk', 'scaleIO', 'storageos'];

function validatePV(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  if (!isObject(spec.capacity) || Object.keys(spec.capacity).length === 0) errs.push(field.required('spec.capacity'));
  else if (!('storage' in spec.capacity) || Object.keys(spec.capacity).length > 1) {
    errs.push(field.notSupported('spec.capacity', goValue(`core.ResourceList{...}`), ['storage']));
  } else if (quantityError(spec.capacity.storage)) {
    errs.push(field.invalid('spec.capacity[storage]', spec.capacity.storage, quantityError(spec.capacity.storage)!));
  }
  if (spec.persistentVolumeReclaimPolicy && !['Delete', 'Recycle', 'Retain'].includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(field.notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain']));
  }
  const sources = PV_SOURCE_KEYS.filter((k) => isObject(spec[k]));
  if (sources.length === 0) errs.push(field.required('spec', 'must specify a volume type'));
  return errs;
}

// =============================================================================================
// autoscaling, policy
// =============================================================================================

function validateHPA(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    errs.push(field.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  if (!(typeof spec.maxReplicas === 'number' && spec.maxReplicas >= 1)) errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  if (typeof spec.minReplicas === 'number' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
    errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  const ref: Json = isObject(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  if (!ref.kind) errs.push(field.required('spec.scaleTargetRef.kind'));
  else errs.push(...isValidPathSegmentName(String(ref.kind)).map((m) => field.invalid('spec.scaleTargetRef.kind', ref.kind, m)));
  if (!ref.name) errs.push(field.required('spec.scaleTargetRef.name'));
  else errs.push(...isValidPathSegmentName(String(ref.name)).map((m) => field.invalid('spec.scaleTargetRef.name', ref.name, m)));
  return errs;
}

function validatePDB(obj: KubeObject): FieldError[] {
  const spec: Json = isObject(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) {
    // Upstream prints the whole policy.PodDisruptionBudgetSpec with %#v; abbreviated here.
    errs.push(field.invalid('spec', goValue('policy.PodDisruptionBudgetSpec{...}'), 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (hasMin) errs.push(...validateIntOrPercent(spec.minAvailable, 'spec.minAvailable'), ...notMoreThan100Percent(spec.minAvailable, 'spec.minAvailable'));
  if (hasMax) errs.push(...validateIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'), ...notMoreThan100Percent(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy && !['AlwaysAllow', 'IfHealthyBudget'].includes(policy)) {
    errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

// =============================================================================================
// Status subresource
// =============================================================================================

/** Replica counters of a workload status: non-negative and consistent with status.replicas. */
function validateReplicaStatus(status: unknown, counters: string[]): FieldError[] {
  const s = isObject(status) ? status : {};
  const errs: FieldError[] = [];
  for (const f of ['replicas', ...counters, 'observedGeneration', 'collisionCount']) errs.push(...validateNonnegative(s[f], `status.${f}`));
  const replicas = typeof s.replicas === 'number' ? s.replicas : 0;
  for (const f of counters) {
    if (typeof s[f] === 'number' && s[f] > replicas) errs.push(field.invalid(`status.${f}`, s[f], 'cannot be greater than status.replicas'));
  }
  if (typeof s.availableReplicas === 'number' && s.availableReplicas > (s.readyReplicas ?? 0)) {
    errs.push(field.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

function collisionCountNotDecremented(obj: KubeObject, old: KubeObject): FieldError[] {
  const oldCount = old.status?.collisionCount;
  const newCount = obj.status?.collisionCount;
  if (typeof oldCount !== 'number') return [];
  if (typeof newCount !== 'number' || newCount < oldCount) {
    return [field.invalid('status.collisionCount', typeof newCount === 'number' ? newCount : 0, 'cannot be decremented')];
  }
  return [];
}

function validateDaemonSetStatus(status: unknown): FieldError[] {
  const s = isObject(status) ? status : {};
  return ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
    'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount']
    .flatMap((f) => validateNonnegative(s[f], `status.${f}`));
}

const STATUS_VALIDATORS: Record<string, (obj: KubeObject, old: KubeObject) => FieldError[]> = {
  'apps/Deployment': (o, old) => [...validateReplicaStatus(o.status, ['updatedReplicas', 'readyReplicas', 'availableReplicas']),
    ...validateNonnegative(o.status?.unavailableReplicas, 'status.unavailableReplicas'), ...collisionCountNotDecremented(o, old)],
  'apps/ReplicaSet': (o) => validateReplicaStatus(o.status, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
  'apps/StatefulSet': (o, old) => [...validateReplicaStatus(o.status, ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']), ...collisionCountNotDecremented(o, old)],
  'apps/DaemonSet': (o, old) => [...validateDaemonSetStatus(o.status), ...collisionCountNotDecremented(o, old)],
  '/ReplicationController': (o) => validateReplicaStatus(o.status, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
};

// =============================================================================================
// Dispatch
// =============================================================================================

type Validator = (obj: KubeObject) => FieldError[];
type UpdateValidator = (obj: KubeObject, old: KubeObject, info: KindInfo) => FieldError[];

const CREATE_VALIDATORS: Record<string, Validator> = {
  '/Pod': validatePod,
  '/Service': validateService,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/PersistentVolumeClaim': validatePVC,
  '/PersistentVolume': validatePV,
  '/ReplicationController': validateReplicationController,
  '/PodTemplate': validatePodTemplate,
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  'apps/StatefulSet': validateStatefulSet,
  'apps/DaemonSet': validateDaemonSet,
  'apps/ControllerRevision': validateControllerRevision,
  'batch/Job': validateJob,
  'batch/CronJob': validateCronJob,
  'autoscaling/HorizontalPodAutoscaler': validateHPA,
  'policy/PodDisruptionBudget': validatePDB,
};

const UPDATE_VALIDATORS: Record<string, UpdateValidator> = {
  '/Pod': (o, old) => validatePodSpecUpdate(isObject(o.spec) ? o.spec : {}, isObject(old.spec) ? old.spec : {}),
  '/Service': validateServiceUpdate,
  '/ConfigMap': (o, old, info) => [...validateConfigMap(o), ...validateImmutableData(o, old, info)],
  '/Secret': (o, old, info) => [...validateSecret(o), ...validateImmutableData(o, old, info)],
  '/PersistentVolumeClaim': validatePVCUpdate,
  'apps/Deployment': (o, old) => [...validateDeployment(o), ...selectorImmutable(o, old)],
  'apps/ReplicaSet': (o, old) => [...validateReplicaSet(o), ...selectorImmutable(o, old)],
  'apps/DaemonSet': (o, old) => [...validateDaemonSet(o), ...selectorImmutable(o, old)],
  'apps/StatefulSet': validateStatefulSetUpdate,
  'apps/ControllerRevision': (o, old) => [...validateControllerRevision(o), ...immutable(o.data ?? null, old.data ?? null, 'data', () => goValue('runtime.RawExtension{...}'))],
  'batch/Job': validateJobUpdate,
};

function kindKey(info: KindInfo): string {
  return `${info.group}/${info.kind}`;
}

function metaOf(obj: KubeObject): Json {
  return isObject(obj?.metadata) ? obj.metadata : {};
}

/** Validation on create: ObjectMeta (per-kind name rule and scope) then the kind's own rules. */
export function validateCreate(obj: KubeObject, info: KindInfo): FieldError[] {
  const errs = validateObjectMeta(metaOf(obj), info);
  const kindValidator = CREATE_VALIDATORS[kindKey(info)];
  if (kindValidator) errs.push(...kindValidator(obj));
  return errs;
}

/** Validation on update (PUT/PATCH of the main resource): ObjectMeta immutables, the kind's rules, frozen fields. */
export function validateUpdate(obj: KubeObject, old: KubeObject, info: KindInfo): FieldError[] {
  const errs = validateObjectMetaUpdate(metaOf(obj), metaOf(old));
  const key = kindKey(info);
  const updateValidator = UPDATE_VALIDATORS[key];
  if (updateValidator) errs.push(...updateValidator(obj, old, info));
  else if (CREATE_VALIDATORS[key]) errs.push(...CREATE_VALIDATORS[key](obj));
  return errs;
}

/** Validation of a write to the status subresource: ObjectMeta immutables and status consistency. */
export function validateStatusUpdate(obj: KubeObject, old: KubeObject, info: KindInfo): FieldError[] {
  const errs = validateObjectMetaUpdate(metaOf(obj), metaOf(old));
  const statusValidator = STATUS_VALIDATORS[kindKey(info)];
  if (statusValidator) errs.push(...statusValidator(obj, old));
  return errs;
}
