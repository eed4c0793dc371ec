// Loading manifests as `kubectl apply -f` does, after cli-runtime's pkg/resource/visitor.go
// (ExpandPathsToFileVisitors, StreamVisitor, FlattenListVisitor), apimachinery's
// YAMLOrJSONDecoder, and kubectl's client-side schema check (pkg/validation: getObjectKind).
// YAML resolves scalars the way sigs.k8s.io/yaml (go-yaml v2) does: YAML 1.1 booleans
// (yes/no/on/off), octal 0755, merge keys `<<`, duplicate keys allowed (last wins), while
// timestamps and `1:30`-style sexagesimals stay strings; `1.14.2` and `nginx:1.16` are strings.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Tags } from 'yaml';
import type { KubeObject } from '../api/types.ts';

export interface ManifestDoc {
  object: KubeObject;
  /** The file path, or `<string>`. */
  source: string;
  /** 0-based number of the document in the file (empty documents count). */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
}

/**
 * A manifest that cannot be loaded. `document` is the 1-based document number shown in the
 * message (0 when the error is about the path itself), `line` the 1-based line (0 if unknown).
 */
export class ManifestError extends Error {
  readonly file: string;
  readonly document: number;
  readonly line: number;
  constructor(message: string, file: string, document: number, line: number) {
    super(message);
    this.name = 'ManifestError';
    this.file = file;
    this.document = document;
    this.line = line;
  }
}

/** The file extensions `kubectl -f DIR` reads (FileExtensions in visitor.go). */
const FILE_EXTENSIONS = ['.json', '.yaml', '.yml'];

const VALIDATE_HINT = 'if you choose to ignore these errors, turn validation off with --validate=false';

/** go-yaml v2 has no timestamps or base-60 numbers when decoding into interface{}. */
function goYamlTags(tags: Tags): Tags {
  return tags.filter((t) => typeof t !== 'object' || !(t.tag === 'tag:yaml.org,2002:timestamp' || t.format === 'TIME'));
}

const YAML_OPTIONS = { version: '1.1', schema: 'yaml-1.1', customTags: goYamlTags, merge: true, uniqueKeys: false } as const;

interface RawDoc { value: unknown; index: number; line: number }

function parseError(source: string, document: number, line: number, detail: string): ManifestError {
  return new ManifestError(`error parsing ${source}: document ${document} (line ${line}): ${detail}`, source, document, line);
}

/** The yaml library's message without its `at line L, column C:` suffix and code excerpt. */
function yamlReason(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** YAML stream → documents, numbered as the file numbers them (empty ones included). */
function parseYamlStream(text: string, source: string): RawDoc[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  return docs.map((doc, i) => {
    const start = doc.contents?.range[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    const err = doc.errors[0];
    if (err) {
      const errLine = err.linePos?.[0].line ?? line;
      throw parseError(source, i + 1, errLine, `error converting YAML to JSON: yaml: line ${errLine}: ${yamlReason(err.message)}`);
    }
    return { value: doc.contents === null ? null : doc.toJS({ maxAliasCount: 10_000 }), index: i, line };
  });
}

/** The end offset of the JSON value starting at `start` (strings and nesting aware). */
function jsonValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') { depth--; if (depth === 0) return i + 1; }
  }
  return text.length;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * YAMLOrJSONDecoder in JSON mode (the text starts with `{`): a stream of concatenated JSON values.
 * Returns undefined when the text is not JSON, e.g. a flow-style YAML mapping, which kubectl would
 * reject but is read here as YAML.
 */
function parseJsonStream(text: string): RawDoc[] | undefined {
  const docs: RawDoc[] = [];
  let pos = 0;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
    if (pos >= text.length) break;
    const end = jsonValueEnd(text, pos);
    const line = lineAt(text, pos);
    try {
      docs.push({ value: JSON.parse(text.slice(pos, end)), index: docs.length, line });
    } catch {
      return undefined;
    }
    pos = end;
  }
  return docs;
}

/** getObjectKind: the apiVersion/kind checks of kubectl's client-side validation. */
function objectKindErrors(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['invalid object to validate'];
  const obj = value as Record<string, unknown>;
  const errs: string[] = [];
  const apiVersion = obj.apiVersion;
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') errs.push('apiVersion not set');
  else if (typeof apiVersion !== 'string') errs.push("apiVersion isn't string type");
  else if (apiVersion.split('/').length > 2) errs.push(`unexpected GroupVersion string: ${apiVersion}`);
  const kind = obj.kind;
  if (kind === undefined || kind === null || kind === '') errs.push('kind not set');
  else if (typeof kind !== 'string') errs.push("kind isn't string type");
  return errs;
}

function validateObject(value: unknown, source: string, doc: RawDoc): KubeObject {
  const errs = objectKindErrors(value);
  if (errs.length === 0) return value as KubeObject;
  const data = errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
  const message = `error validating ${JSON.stringify(source)}: document ${doc.index + 1} (line ${doc.line}): error validating data: ${data}; ${VALIDATE_HINT}`;
  throw new ManifestError(message, source, doc.index + 1, doc.line);
}

function isList(obj: KubeObject): boolean {
  return obj.kind === 'List' || (obj.kind.endsWith('List') && Array.isArray(obj.items));
}

/** FlattenListVisitor: `kind: List` (and `*List` with items) become their items, recursively. */
function flatten(obj: KubeObject, source: string, doc: RawDoc, out: ManifestDoc[]): void {
  if (!isList(obj)) { out.push({ object: obj, source, index: doc.index, line: doc.line }); return; }
  const items: unknown[] = Array.isArray(obj.items) ? obj.items : [];
  for (const item of items) flatten(validateObject(item, source, doc), source, doc, out);
}

/**
 * Parses a YAML or JSON stream (`---`-separated documents, block or flow style, comments,
 * trailing commas in flow collections). Empty documents are skipped, Lists expanded. Errors are
 * ManifestErrors naming the source, the document and the line.
 */
export function parseManifests(text: string, source = '<string>'): ManifestDoc[] {
  const json = text.trimStart().startsWith('{') ? parseJsonStream(text) : undefined;
  const raw = json ?? parseYamlStream(text, source);
  const out: ManifestDoc[] = [];
  for (const doc of raw) {
    if (doc.value === null || doc.value === undefined) continue;
    flatten(validateObject(doc.value, source, doc), source, doc, out);
  }
  return out;
}

/** ExpandPathsToFileVisitors without --recursive: a directory's own files, sorted, by extension. */
function filesOf(path: string): string[] {
  if (!existsSync(path)) throw new ManifestError(`the path ${JSON.stringify(path)} does not exist`, path, 0, 0);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile() && FILE_EXTENSIONS.includes(extname(file)));
}

/** `kubectl apply -f a.yaml -f dir/`: files as given, directories non-recursively. */
export function loadManifests(paths: string[]): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const path of paths) {
    for (const file of filesOf(path)) out.push(...parseManifests(readFileSync(file, 'utf8'), file));
  }
  return out;
}
