// The three patch types of the PATCH verb (`kubectl patch --type`), as kube-apiserver applies them
// in staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go:
//  - JSON merge patch (RFC 7386), as evanphx/json-patch MergePatch;
//  - JSON patch (RFC 6902), as evanphx/json-patch Patch.Apply (a failed operation is a 422 whose
//    message hides the cause: errors.NewGenericServerResponse(422, ...));
//  - strategic merge patch, as apimachinery's pkg/util/strategicpatch/patch.go (mergeMap,
//    mergeSlice, normalizeElementOrder, mergePatchIntoOriginal, applyRetainKeysDirective), with the
//    patchStrategy/patchMergeKey struct tags of k8s.io/api written out below as a per-kind schema.
// Every function returns a new value and never mutates its arguments.
import { StatusError, newBadRequest } from './errors.ts';
import type { StatusReason } from './errors.ts';
import { copyOf } from './equal.ts';

export type PatchType = 'application/merge-patch+json' | 'application/json-patch+json' | 'application/strategic-merge-patch+json';

type Json = null | boolean | number | string | Json[] | JsonMap;
interface JsonMap { [key: string]: Json }

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A deep copy of a JSON value (undefined members are dropped, as JSON would). */
function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = cloneJson(v[k]);
    return out as T;
  }
  return v;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A metav1.Status error built like errors.NewGenericServerResponse / ErrorToAPIStatus. */
function statusError(code: number, reason: StatusReason, message: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details: {}, code });
}

/** JSON patch application errors: 422 with NewGenericServerResponse's fixed text. */
const REJECTED = 'the server rejected our request due to an error in our request';

/** The Go type name json.Unmarshal reports in `json: cannot unmarshal X into Go value of type T`. */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)
// ---------------------------------------------------------------------------------------------

/** RFC 7386 MergePatch: objects merge recursively, `null` deletes, anything else replaces. */
function mergePatchValue(target: unknown, patch: unknown): Json {
  if (!isMap(patch)) return cloneJson(patch as Json);
  const out: JsonMap = isMap(target) ? cloneJson(target) : {};
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete out[k];
    else out[k] = mergePatchValue(out[k], v);
  }
  return out;
}

/** Merge patch that copies only the maps on the patch's paths; the rest is shared with `target`. */
function mergePatchShared(target: unknown, patch: unknown, transferred: boolean): Json {
  if (!isMap(patch)) return transferred ? patch as Json : cloneJson(patch as Json);
  const out: JsonMap = isMap(target) ? copyOf(target as JsonMap) : {};
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) delete out[k];
    else out[k] = mergePatchShared(out[k], v, transferred);
  }
  return out;
}

/**
 * JSON merge patch that shares the unchanged parts of `target` (which must never be mutated
 * afterwards: the API server's stored objects are immutable), and the patch's own values when
 * the sender `transferred` it (see ApiRequest.transfer). For the status hot path.
 */
export function applyMergePatchShared(target: unknown, patch: unknown, transferred = false): unknown {
  if (patch === null || (typeof patch !== 'object')) throw newBadRequest('Invalid JSON Patch');
  return mergePatchShared(target, patch, transferred);
}

/**
 * JSON merge patch, as `kubectl patch --type merge`: null deletes a key, arrays replace.
 * As the API server does, a patch that is null or a scalar is `Invalid JSON Patch` (400).
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || (typeof patch !== 'object')) throw newBadRequest('Invalid JSON Patch');
  return mergePatchValue(target, patch);
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)
// ---------------------------------------------------------------------------------------------

class JsonPatchFailure extends Error {}

/** RFC 6901 pointer → reference tokens (`~1` is `/`, `~0` is `~`). */
function parsePointer(path: unknown): string[] {
  if (typeof path !== 'string') throw new JsonPatchFailure('operation missing path');
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchFailure(`invalid JSON pointer: ${path}`);
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchFailure(`invalid array index: ${token}`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new JsonPatchFailure(`array index out of bounds: ${token}`);
  return i;
}

/** The container that holds the last token of `tokens`. */
function parentOf(doc: Json, tokens: string[]): Json[] | JsonMap {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isMap(cur) && hasOwn(cur, t)) cur = cur[t];
    else throw new JsonPatchFailure(`doc is missing path: /${tokens.join('/')}`);
  }
  if (!Array.isArray(cur) && !isMap(cur)) throw new JsonPatchFailure(`doc is missing path: /${tokens.join('/')}`);
  return cur;
}

function getAt(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)];
  if (!hasOwn(parent, last)) throw new JsonPatchFailure(`doc is missing key: /${tokens.join('/')}`);
  return parent[last];
}

function addAt(doc: Json, tokens: string[], value: Json): Json {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else parent[last] = value;
  return doc;
}

function removeAt(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) throw new JsonPatchFailure('cannot remove the whole document');
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (hasOwn(parent, last)) delete parent[last];
  else throw new JsonPatchFailure(`doc is missing key: /${tokens.join('/')}`);
  return doc;
}

function replaceAt(doc: Json, tokens: string[], value: Json): Json {
  getAt(doc, tokens);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, false)] = value;
  else parent[last] = value;
  return doc;
}

function operationValue(op: JsonMap): Json {
  if (!hasOwn(op, 'value')) throw new JsonPatchFailure(`missing value for ${String(op.op)} operation`);
  return cloneJson(op.value);
}

function moveAt(doc: Json, op: JsonMap): Json {
  const from = parsePointer(op.from);
  const to = parsePointer(op.path);
  if (to.length > from.length && from.every((t, i) => to[i] === t)) throw new JsonPatchFailure('cannot move a value into one of its children');
  const value = getAt(doc, from);
  return addAt(removeAt(doc, from), to, value);
}

/** Applies one operation to `doc` (which this module owns) and returns the new document. */
function applyOperation(doc: Json, op: JsonMap): Json {
  switch (op.op) {
    case 'add': return addAt(doc, parsePointer(op.path), operationValue(op));
    case 'remove': return removeAt(doc, parsePointer(op.path));
    case 'replace': return replaceAt(doc, parsePointer(op.path), operationValue(op));
    case 'move': return moveAt(doc, op);
    case 'copy': return addAt(doc, parsePointer(op.path), cloneJson(getAt(doc, parsePointer(op.from))));
    case 'test':
      if (!jsonEqual(getAt(doc, parsePointer(op.path)), op.value ?? null)) throw new JsonPatchFailure(`testing value ${String(op.path)} failed`);
      return doc;
    default: throw new JsonPatchFailure(`Unexpected kind: ${String(op.op)}`);
  }
}

/**
 * RFC 6902 JSON patch: add, remove, replace, move, copy, test. A patch that is not a list of
 * operations is 400 BadRequest (jsonpatch.DecodePatch); an operation that fails, a failed `test`
 * included, is 422 Invalid `the server rejected our request due to an error in our request`.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw newBadRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isMap(op)) throw newBadRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
  }
  let doc = cloneJson(target as Json);
  try {
    for (const op of ops as JsonMap[]) doc = applyOperation(doc, op);
  } catch (e) {
    if (e instanceof JsonPatchFailure) throw statusError(422, 'Invalid', REJECTED);
    throw e;
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch: the schema (patchStrategy / patchMergeKey struct tags of k8s.io/api)
// ---------------------------------------------------------------------------------------------

/** One struct field's patch metadata; `schema` describes the nested struct or the list's elements. */
interface FieldMeta { strategy?: 'merge' | 'replace'; mergeKey?: string; schema?: Schema }
type Schema = Readonly<Record<string, FieldMeta>>;

const mergeBy = (mergeKey: string, schema?: Schema): FieldMeta => ({ strategy: 'merge', mergeKey, schema });
const struct = (schema: Schema): FieldMeta => ({ schema });
/** A list of scalars with patchStrategy merge (finalizers, podCIDRs): merged as a set. */
const SET: FieldMeta = { strategy: 'merge' };

const OBJECT_META: Schema = { finalizers: SET, ownerReferences: mergeBy('uid') };
const CONTAINER: Schema = {
  ports: mergeBy('containerPort'), env: mergeBy('name'), volumeMounts: mergeBy('mountPath'), volumeDevices: mergeBy('devicePath'),
};
const POD_SPEC: Schema = {
  volumes: mergeBy('name'),
  initContainers: mergeBy('name', CONTAINER),
  containers: mergeBy('name', CONTAINER),
  ephemeralContainers: mergeBy('name', CONTAINER),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeBy('name'),
  // tolerations, readinessGates: no patch strategy, so they are replaced whole.
};
const POD_STATUS: Schema = { conditions: mergeBy('type'), podIPs: mergeBy('ip'), hostIPs: mergeBy('ip'), resourceClaimStatuses: mergeBy('name') };
const POD_TEMPLATE_SPEC: Schema = { metadata: struct(OBJECT_META), spec: struct(POD_SPEC) };
const CONDITIONS_STATUS: FieldMeta = struct({ conditions: mergeBy('type') });

function withMeta(fields: Schema): Schema { return { metadata: struct(OBJECT_META), ...fields }; }
function workload(): Schema { return withMeta({ spec: struct({ template: struct(POD_TEMPLATE_SPEC) }), status: CONDITIONS_STATUS }); }

/** Built-in kinds; a kind not listed here is treated as a custom resource (JSON merge patch). */
const SCHEMAS: Readonly<Record<string, Schema>> = {
  Pod: withMeta({ spec: struct(POD_SPEC), status: struct(POD_STATUS) }),
  PodTemplate: withMeta({ template: struct(POD_TEMPLATE_SPEC) }),
  ReplicationController: workload(),
  ReplicaSet: workload(),
  Deployment: workload(),
  DaemonSet: workload(),
  StatefulSet: workload(),
  Job: workload(),
  CronJob: withMeta({ spec: struct({ jobTemplate: struct(withMeta({ spec: struct({ template: struct(POD_TEMPLATE_SPEC) }) })) }) }),
  Service: withMeta({ spec: struct({ ports: mergeBy('port') }), status: CONDITIONS_STATUS }),
  // Node taints have no patch strategy upstream: a taints list replaces the old one.
  Node: withMeta({ spec: struct({ podCIDRs: SET }), status: struct({ conditions: mergeBy('type'), addresses: mergeBy('type') }) }),
  Namespace: withMeta({ status: CONDITIONS_STATUS }),
  PersistentVolumeClaim: withMeta({ status: CONDITIONS_STATUS }),
  HorizontalPodAutoscaler: withMeta({ status: CONDITIONS_STATUS }),
  PodDisruptionBudget: withMeta({ status: CONDITIONS_STATUS }),
  CustomResourceDefinition: withMeta({ status: CONDITIONS_STATUS }),
};

const METADATA_ONLY_KINDS = [
  'ConfigMap', 'Secret', 'Endpoints', 'EndpointSlice', 'Event', 'ServiceAccount', 'PersistentVolume', 'StorageClass',
  'Lease', 'PriorityClass', 'ResourceQuota', 'LimitRange', 'Ingress', 'IngressClass', 'NetworkPolicy', 'Role', 'RoleBinding',
  'ClusterRole', 'ClusterRoleBinding', 'ControllerRevision', 'Binding', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'CertificateSigningRequest', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];

function schemaForKind(kind: string): Schema | undefined {
  if (hasOwn(SCHEMAS, kind)) return SCHEMAS[kind];
  return METADATA_ONLY_KINDS.includes(kind) ? withMeta({}) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch: the algorithm
// ---------------------------------------------------------------------------------------------

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** How the API server reports a strategic merge error (interpretStrategicMergePatchError). */
class SmpError extends Error {
  constructor(message: string, readonly code: 400 | 422 | 500 = 500) { super(message); }
}

const errBadRetainKeys = (): SmpError => new SmpError('invalid patch format of retainKeys', 400);
const errBadPrimitiveList = (): SmpError => new SmpError('invalid patch format of primitive list', 400);
const errBadSetElementOrder = (): SmpError => new SmpError('invalid patch format of setElementOrder list', 400);
const errNoListOfLists = (): SmpError => new SmpError('lists of lists are not supported', 422);
const errNoMergeKey = (m: JsonMap, key: string): SmpError => new SmpError(`map: ${goString(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: Json, m: JsonMap): SmpError => new SmpError(`unknown patch type: ${goString(t)} in map: ${goString(m)}`);

/** Go's %v rendering of decoded JSON, for the texts of upstream's errors (`map[name:x]`). */
function goString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goString(v[k])}`).join(' ')}]`;
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

type ElementKind = 'map' | 'scalar';

/** sliceElementType: every element of both lists must have one type, and not be a list. */
function sliceElementKind(...lists: Json[][]): ElementKind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
      if (prev === undefined && t === 'array') throw errNoListOfLists();
      if (prev !== undefined && prev !== t) throw new SmpError(`list element types are not identical: ${goString(lists)}`);
      prev = t;
    }
  }
  if (prev === undefined) throw new SmpError('no elements in any of the given slices');
  return prev === 'object' ? 'map' : 'scalar';
}

/** What a value becomes once decoded into a typed object: no nulls, no patch directives. */
function cleanNew(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isMap(e) && hasOwn(e, DIRECTIVE))).map(cleanNew);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v)) {
    if (v[k] === null || k.startsWith('$')) continue;
    out[k] = cleanNew(v[k]);
  }
  return out;
}

/** index(): position of `item` in `list`, by merge key for maps, by value for scalars. */
function indexIn(list: Json[], item: Json, mergeKey: string, kind: ElementKind): number {
  if (kind === 'scalar') return list.indexOf(item);
  const key = (item as JsonMap)[mergeKey];
  return list.findIndex((e) => isMap(e) && hasOwn(e, mergeKey) && e[mergeKey] === key);
}

function findByKey(list: Json[], mergeKey: string, value: Json): number {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (!isMap(e)) throw new SmpError(`value for key ${i} is not a map.`);
    if (hasOwn(e, mergeKey) && e[mergeKey] === value) return i;
  }
  return -1;
}

function requireMergeKeys(mergeKey: string, ...lists: Json[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw new SmpError(`expected a map, but received a ${goJsonType(item)}`);
      if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** normalizeSliceOrder: sort `toSort` by position in `order`, then drop the `$patch: delete` items. */
function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, kind: ElementKind): Json[] {
  let toDelete: Json[] = [];
  if (kind === 'map') {
    requireMergeKeys(mergeKey, toSort, order);
    toDelete = order.filter((e) => isMap(e) && e[DIRECTIVE] === 'delete');
  }
  const positions = new Map(toSort.map((e) => [e, indexIn(order, e, mergeKey, kind)] as const));
  const sorted = [...toSort].sort((a, b) => {
    const ia = positions.get(a) ?? -1;
    const ib = positions.get(b) ?? -1;
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
  return sorted.filter((e) => !toDelete.some((d) => indexIn([d], e, mergeKey, kind) === 0));
}

/**
 * mergeSortedSlice: interleave server-only items (left) into patch items (right), keeping each
 * list's order; a left item goes first only when both are in the live list and it comes earlier.
 * So an item the live list did not have goes before the server-only items that follow it.
 */
function mergeSortedSlice(left: Json[], right: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind): Json[] {
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}

/** normalizeElementOrder: patch items in patch order, server-only items in live order, interleaved. */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind): Json[] {
  const patch = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const server = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(server, patch, serverOrder, mergeKey, kind);
}

/** partition{Primitives,Maps}ByPresentInList: items of `merged` named in `by`, and the rest. */
function partition(merged: Json[], by: Json[], mergeKey: string, kind: ElementKind): { inPatch: Json[]; serverOnly: Json[] } {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of merged) {
    let found: boolean;
    if (kind === 'scalar') {
      found = by.includes(v);
    } else {
      if (!isMap(v)) throw new SmpError(`expected a map, but received a ${goJsonType(v)}`);
      if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      found = by.some((e) => isMap(e) && hasOwn(e, mergeKey) && e[mergeKey] === v[mergeKey]);
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return { inPatch, serverOnly };
}

/** mergeSliceWithSpecialElements: apply `$patch: delete` / `$patch: replace` list items. */
function mergeSliceWithSpecialElements(original: Json[], patch: Json[], mergeKey: string): { original: Json[]; patch: Json[] } {
  const plain: Json[] = [];
  let replace = false;
  let remaining = original;
  for (const v of patch) {
    const item = v as JsonMap;
    if (!hasOwn(item, DIRECTIVE)) { plain.push(v); continue; }
    switch (item[DIRECTIVE]) {
      case 'delete':
        if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        remaining = remaining.filter((e) => !(isMap(e) && hasOwn(e, mergeKey) && e[mergeKey] === item[mergeKey]));
        break;
      case 'replace': replace = true; break;
      case 'merge': throw new SmpError('merging lists cannot yet be specified in the patch');
      default: throw errBadPatchType(item[DIRECTIVE], item);
    }
  }
  return replace ? { original: plain.map(cleanNew), patch: [] } : { original: remaining, patch: plain };
}

/** mergeSliceWithoutSpecialElements: merge items with the same key, append the others. */
function mergeSliceWithoutSpecialElements(original: Json[], patch: Json[], mergeKey: string, schema: Schema | undefined): Json[] {
  const out = [...original];
  for (const v of patch) {
    const item = v as JsonMap;
    if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const at = findByKey(out, mergeKey, item[mergeKey]);
    if (at >= 0) out[at] = mergeMap(out[at] as JsonMap, item, schema);
    else out.push(cleanNew(item));
  }
  return out;
}

function dedupeScalars(list: Json[]): Json[] {
  return list.filter((v, i) => list.indexOf(v) === i);
}

/** mergeSlice: the `patchStrategy: merge` list merge, then upstream's order normalization. */
function mergeSlice(original: Json[], patch: Json[], meta: FieldMeta, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  const mergeKey = meta.mergeKey ?? '';
  let serverOrder = original;
  let patchOrder = patch;
  let merged: Json[];
  if (kind === 'scalar') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupeScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw new SmpError('cannot merge lists without merge key for type map');
    const special = mergeSliceWithSpecialElements(original, patch, mergeKey);
    serverOrder = special.original;
    patchOrder = special.patch;
    merged = mergeSliceWithoutSpecialElements(serverOrder, patchOrder, mergeKey, meta.schema);
  }
  const { inPatch, serverOnly } = partition(merged, patchOrder, mergeKey, kind);
  return normalizeElementOrder(inPatch, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/** handleDirectiveInMergeMap: `$patch: replace` takes the patch as is, `$patch: delete` empties the map. */
function handleDirectiveInMergeMap(patch: JsonMap): JsonMap {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') return cleanNew(patch) as JsonMap;
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

/** applyRetainKeysDirective: keep only the listed keys of the original; the patch may set no others. */
function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw errBadRetainKeys();
  const keep = new Set(retain);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`) || k.startsWith(`${SET_ELEMENT_ORDER}/`)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** extractKey: `$setElementOrder/containers` → `containers`. */
function extractKey(key: string, prefix: string, err: () => SmpError): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw err();
  return key.slice(slash + 1);
}

/** validatePatchWithSetOrderList: the patch list's items must appear in the order list, in order. */
function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((e) => !(isMap(e) && e[DIRECTIVE] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && hasOwn(items[p] as JsonMap, DIRECTIVE)) { p++; continue; }
    const same = mergeKey ? (items[p] as JsonMap)[mergeKey] === (order[o] as JsonMap)?.[mergeKey] : items[p] === order[o];
    if (same) p++;
    o++;
  }
  if (p < items.length) {
    throw new SmpError(`The order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goString(order)}\n`);
  }
}

/**
 * mergePatchIntoOriginal: a `$setElementOrder/<list>` directive merges that list now and orders it
 * as the directive says ($setElementOrder > patch order > live order).
 */
function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadSetElementOrder();
    const listKey = extractKey(key, SET_ELEMENT_ORDER, errBadSetElementOrder);
    const originalList = hasOwn(original, listKey) ? original[listKey] : undefined;
    const patchList = hasOwn(patch, listKey) ? patch[listKey] : undefined;
    if ((originalList !== undefined && !Array.isArray(originalList)) || (patchList !== undefined && !Array.isArray(patchList))) throw errBadSetElementOrder();
    const meta = schema?.[listKey] ?? {};
    const mergeKey = meta.mergeKey ?? '';
    validatePatchWithSetOrderList(patchList ?? [], order, mergeKey);
    if (originalList === undefined && patchList === undefined) continue;
    let merged: Json[];
    if (originalList === undefined) merged = cleanNew(patchList as Json[]) as Json[];
    else if (patchList === undefined) merged = originalList;
    else merged = meta.strategy === 'merge' ? mergeSlice(originalList, patchList, meta, false) : cleanNew(patchList) as Json[];
    delete patch[listKey];
    if (merged.length === 0) { original[listKey] = merged; continue; }
    const kind = sliceElementKind(originalList ?? [], patchList ?? []);
    const { inPatch, serverOnly } = partition(merged, order, mergeKey, kind);
    original[listKey] = normalizeElementOrder(inPatch, serverOnly, order, originalList ?? [], mergeKey, kind);
  }
}

function valueKind(v: Json): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** mergeMap: the heart of strategic merge; `original` and `patch` are this module's own copies. */
function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: Schema | undefined): JsonMap {
  if (hasOwn(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch);
  const out = original ?? {};
  applyRetainKeysDirective(out, patch);
  mergePatchIntoOriginal(out, patch, schema);
  for (const rawKey of Object.keys(patch)) {
    const isDeleteList = rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST, errBadPrimitiveList) : rawKey;
    mergeField(out, key, patch[rawKey], schema?.[key], isDeleteList);
  }
  return out;
}

/** One key of mergeMap: null deletes, new or differently-typed values replace, maps and lists recurse. */
function mergeField(out: JsonMap, key: string, patchV: Json, meta: FieldMeta | undefined, isDeleteList: boolean): void {
  if (patchV === null) { delete out[key]; return; }
  if (!hasOwn(out, key) || valueKind(out[key]) !== valueKind(patchV)) {
    if (!isDeleteList) out[key] = cleanNew(patchV);
    return;
  }
  const origV = out[key];
  if (isMap(origV)) {
    out[key] = meta?.strategy === 'replace' ? cleanNew(patchV) : mergeMap(origV, patchV as JsonMap, meta?.schema);
  } else if (Array.isArray(origV)) {
    out[key] = meta?.strategy === 'merge' ? mergeSlice(origV, patchV as Json[], meta, isDeleteList) : cleanNew(patchV);
  } else {
    out[key] = patchV;
  }
}

/** The API server's answer to a strategic merge failure (interpretStrategicMergePatchError). */
function toStatusError(e: SmpError): StatusError {
  if (e.code === 400) return newBadRequest(e.message);
  if (e.code === 422) return statusError(422, 'Invalid', REJECTED);
  return statusError(500, 'InternalError', e.message);
}

/**
 * Strategic merge patch (`kubectl patch`'s default): lists with a patchMergeKey merge by key
 * (containers by name, ports by containerPort, ...), `$patch: delete|replace`,
 * `$deleteFromPrimitiveList/<list>`, `$setElementOrder/<list>`, `$retainKeys`, null deletes.
 * A kind this module does not know (a custom resource) gets JSON merge patch semantics.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (patch !== null && !isMap(patch)) {
    throw newBadRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
  }
  const schema = schemaForKind(kind);
  if (!schema) return applyMergePatch(target, patch ?? {});
  if (patch === null) return cloneJson(target as Json);
  try {
    return mergeMap(isMap(target) ? cloneJson(target) : {}, cloneJson(patch), schema);
  } catch (e) {
    if (e instanceof SmpError) throw toStatusError(e);
    throw e;
  }
}

/** Applies `patch` of the given content type to `target` (a copy is returned). */
export function applyPatch(target: unknown, patch: unknown, type: PatchType, kind: string): unknown {
  switch (type) {
    case 'application/merge-patch+json': return applyMergePatch(target, patch);
    case 'application/json-patch+json': return applyJsonPatch(target, patch);
    case 'application/strategic-merge-patch+json': return applyStrategicMergePatch(target, patch, kind);
    default: throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
  }
}
