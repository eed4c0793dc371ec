// metav1.Status errors, built like apimachinery's pkg/api/errors (newNotFound, newInvalid, ...).
// k8s-facts §13.3 gives the shapes and message formats.

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Unauthorized'
  | 'BadRequest' | 'Expired' | 'Gone' | 'TooManyRequests' | 'InternalError' | 'Timeout'
  | 'MethodNotAllowed' | 'NotAcceptable' | 'UnsupportedMediaType';

export type CauseType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid';

export interface StatusCause { reason: CauseType; message: string; field: string }

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire shape of a metav1.Status. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A field error, as field.Error in apimachinery's validation/field package. */
export interface FieldError {
  type: CauseType;
  field: string;
  /** The offending value; omitted for Required/Forbidden/TooLong. */
  value?: unknown;
  /** The detail text (e.g. "must be greater than or equal to 0"). */
  detail: string;
  /** For NotSupported: the allowed values. */
  supported?: string[];
}

/** An API error: a thrown metav1.Status. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    // An API answer, not a fault: no stack trace is captured (≈12 µs an error 30 frames deep; every
    // kubelet's start meets a few 404s).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(status.message);
    Error.stackTraceLimit = limit;
    this.name = 'StatusError';
    this.status = status;
  }
  get code(): number { return this.status.code; }
  get reason(): StatusReason { return this.status.reason; }
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

/** `pods`, `deployments.apps`: the qualified resource as upstream prints it. */
export interface GroupResource { group: string; resource: string }

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

export function newNotFound(gr: GroupResource, name: string): StatusError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group || undefined, kind: gr.resource });
}

export function newAlreadyExists(gr: GroupResource, name: string): StatusError {
  return failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, { name, group: gr.group || undefined, kind: gr.resource });
}

export function newConflict(gr: GroupResource, name: string, err: string): StatusError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${err}`, { name, group: gr.group || undefined, kind: gr.resource });
}

/** The optimistic-concurrency conflict message of the registry (etcd3 store). */
export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/**
 * The name an admission error shows (admission.NewForbidden): upstream admits before it generates
 * a name, so a generated one is shown as its generateName prefix.
 */
export function admissionName(obj: { metadata?: { name?: string; generateName?: string } }): string {
  const { name, generateName } = obj.metadata ?? {};
  if (generateName && name && name.length === generateName.length + 5 && name.startsWith(generateName)) return generateName;
  return name ?? generateName ?? '';
}

/** admission.NewForbidden: an object refused by an admission plug-in, named as admissionName shows it. */
export function newAdmissionForbidden(gr: GroupResource, obj: { metadata?: { name?: string; generateName?: string } }, reason: string): StatusError {
  return newForbidden(gr, admissionName(obj), reason);
}

export function newForbidden(gr: GroupResource, name: string, reason: string): StatusError {
  const message = name
    ? `${qualified(gr)} "${name}" is forbidden: ${reason}`
    : `${qualified(gr)} is forbidden: ${reason}`;
  return failure(403, 'Forbidden', message, { name: name || undefined, group: gr.group || undefined, kind: gr.resource });
}

export function newTimeout(message: string): StatusError {
  return failure(504, 'Timeout', `Timeout: ${message}`);
}

export function newUnauthorized(message = 'Unauthorized'): StatusError {
  return failure(401, 'Unauthorized', message);
}

export function newBadRequest(message: string): StatusError {
  return failure(400, 'BadRequest', message);
}

export function newGone(message: string): StatusError {
  return failure(410, 'Expired', message);
}

export function newTooManyRequests(message: string, retryAfterSeconds?: number): StatusError {
  return failure(429, 'TooManyRequests', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
}

export function newMethodNotSupported(gr: GroupResource, verb: string): StatusError {
  return failure(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(gr)}"`, { group: gr.group || undefined, kind: gr.resource });
}

export function newInternalError(err: string): StatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${err}`, { causes: [{ reason: 'InternalError', message: err, field: '' }] });
}

/** Renders a value the way field.Error does (strings quoted, numbers bare). */
function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** field.Error.Error(): `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/** The part after the field path, which is also the cause's message. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'FieldValueRequired': return e.detail ? `Required value: ${e.detail}` : 'Required value';
    case 'FieldValueForbidden': return e.detail ? `Forbidden: ${e.detail}` : 'Forbidden';
    case 'FieldValueTooLong': return `Too long: ${e.detail}`;
    case 'FieldValueTooMany': return `Too many: ${e.detail}`;
    case 'FieldValueDuplicate': return `Duplicate value: ${renderValue(e.value)}`;
    case 'FieldValueNotFound': return `Not found: ${renderValue(e.value)}`;
    case 'FieldValueNotSupported': {
      const list = (e.supported ?? []).map((s) => JSON.stringify(s)).join(', ');
      return `Unsupported value: ${renderValue(e.value)}${list ? `: supported values: ${list}` : ''}`;
    }
    case 'FieldValueTypeInvalid': return `Invalid value: ${renderValue(e.value)}: ${e.detail}`;
    case 'InternalError': return `Internal error: ${e.detail}`;
    default: return e.value === undefined ? `Invalid value: ${e.detail}` : `Invalid value: ${renderValue(e.value)}: ${e.detail}`;
  }
}

/**
 * 422 Invalid: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
 * Several errors are joined as `[e1, e2]`, as utilerrors.NewAggregate prints them.
 */
export function newInvalid(kind: { group: string; kind: string }, name: string, errs: FieldError[]): StatusError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const texts = errs.map(fieldErrorMessage);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, { name, group: kind.group || undefined, kind: kind.kind, causes });
}

/** Field error constructors, as field.Invalid / field.Required / ... */
export const field = {
  invalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field: path, value, detail }),
  required: (path: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: path, detail }),
  forbidden: (path: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: path, detail }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: path, value, detail: '' }),
  notSupported: (path: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field: path, value, detail: '', supported }),
  tooLong: (path: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field: path, detail: `may not be more than ${max} bytes` }),
  typeInvalid: (path: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: path, value, detail }),
};
