// `kubectl describe pod|node|replicaset|deployment` as kubectl 1.32 prints them. Mirrors
// k8s.io/kubectl/pkg/describe/describe.go (describePod, describeNode with describeNodeLease and
// describeNodeResource, describeReplicaSet, describeDeployment, DescribePodTemplate,
// describeContainers and their helpers, describeVolumes and the print*VolumeSource functions,
// printLabelsMultiline, printAnnotationsMultiline, printPodTolerationsMultiline,
// printTaintsMultiline, describeTopologySpreadConstraints, DescribeEvents,
// translateTimestampSince), kubectl's resourcehelper.PodRequestsAndLimits, apimachinery's
// resource.Quantity (parsing, Add, String), its PrefixWriter (two spaces a level) and tabbedString,
// which aligns the text with Go's text/tabwriter (minwidth 0, tabwidth 8, padding 2, padchar ' ',
// no flags). Times print in UTC, as kubectl does with TZ=UTC.
import type { KubeObject } from '../api/types.ts';
import { eventCount, eventSource } from '../api/eventutil.ts';
import { parseQuantity } from '../api/validation.ts';
import { qosClass } from '../api/server.ts';
import { byteOrder, formatLabelSelector, humanDuration, runeLength } from './printers.ts';
import { labelSelectorFromMeta } from '../api/selectors.ts';
import { equalIgnoreHash } from '../actors/controllers/deployment-util.ts';

/** The virtual clock describe reads ages against. */
export interface DescribeClock {
  /** Virtual now (ms). */
  nowMs: number;
  /** Wall-clock ms of virtual time 0; timestamps in objects are RFC 3339 relative to it. */
  epochMs: number;
}

// ------------------------------------------------------------------ text/tabwriter

const TABWRITER_MIN_WIDTH = 0;
const TABWRITER_PADDING = 2;


/**
 * Go's text/tabwriter with tabbedString's settings. Each line is cut into cells at its tabs; the
 * text after a line's last tab belongs to no column. A column block is a run of consecutive lines
 * that all have a cell in that column; each block is as wide as its widest cell plus 2, and the
 * blocks of the next column are found within it. A line without a tab ends every block.
 */
export function goTabwriter(text: string): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  // Text after the last line break is flushed as it is: an empty cell after its last tab is no cell.
  const last = lines[lines.length - 1];
  if (last.length > 1 && last[last.length - 1] === '') last.pop();
  const out: string[] = [];
  formatColumn(lines, 0, 0, lines.length, [], out);
  return out.join('\n');
}

/** tabwriter's format(): sizes the blocks of `column` within lines [line0, line1), then the next column within each. */
function formatColumn(lines: string[][], column: number, line0: number, line1: number, widths: number[], out: string[]): void {
  let pending = line0;
  for (let i = line0; i < line1; i++) {
    if (column >= lines[i].length - 1) continue;
    writeLines(lines, pending, i, widths, out);
    let width = TABWRITER_MIN_WIDTH;
    let end = i;
    for (; end < line1 && column < lines[end].length - 1; end++) {
      width = Math.max(width, runeLength(lines[end][column]) + TABWRITER_PADDING);
    }
    formatColumn(lines, column + 1, i, end, [...widths, width], out);
    pending = end;
    i = end;
  }
  writeLines(lines, pending, line1, widths, out);
}

/** Writes lines with the column widths known for them; a cell beyond them is written as it is. */
function writeLines(lines: string[][], from: number, to: number, widths: number[], out: string[]): void {
  for (let i = from; i < to; i++) {
    out.push(lines[i].map((cell, j) => (j < widths.length ? cell + ' '.repeat(widths[j] - runeLength(cell)) : cell)).join(''));
  }
}

// ------------------------------------------------------------------ PrefixWriter

/** describe.go's PrefixWriter: Write indents by two spaces a level; WriteLine does not indent. */
interface PrefixWriter {
  write(level: number, text: string): void;
  writeLine(text: string): void;
}

const LEVEL_0 = 0;
const LEVEL_1 = 1;
const LEVEL_2 = 2;
const LEVEL_3 = 3;

/** printers.WriteEscaped: terminal escapes are made visible. */
function escapeTerminal(s: string): string {
  return s.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

function prefixWriter(out: string[]): PrefixWriter {
  return {
    write: (level, text) => out.push(escapeTerminal('  '.repeat(level) + text)),
    writeLine: (text) => out.push(escapeTerminal(`${text}\n`)),
  };
}

/** NewNestedPrefixWriter: every level `indent` deeper; WriteLine at the indent. */
function nestedPrefixWriter(w: PrefixWriter, indent: number): PrefixWriter {
  return {
    write: (level, text) => w.write(level + indent, text),
    writeLine: (text) => w.write(indent, `${text}\n`),
  };
}

// ------------------------------------------------------------------ Go's sort.Sort

/**
 * sort.Sort as Go 1.23 (kubectl 1.32's) does it: pdqsort, an insertion sort up to 12 elements,
 * which keeps equal elements in order, beyond that a quicksort that does not (its xorshift with
 * Go 1.19-1.23's shifts 13, 17, 5), so that equal keys end where kubectl puts them.
 */
export function goSort<T>(items: T[], less: (a: T, b: T) => boolean): T[] {
  const data = [...items];
  const n = data.length;
  if (n > 1) pdqsort(new GoSortData(data, less), 0, n, bitLength(n));
  return data;
}

/** sort.Interface: Less and Swap by index. */
interface SortData {
  less(i: number, j: number): boolean;
  swap(i: number, j: number): void;
}

class GoSortData<T> implements SortData {
  constructor(readonly items: T[], private readonly lessFn: (a: T, b: T) => boolean) {}
  less(i: number, j: number): boolean {
    return this.lessFn(this.items[i], this.items[j]);
  }
  swap(i: number, j: number): void {
    [this.items[i], this.items[j]] = [this.items[j], this.items[i]];
  }
}

function bitLength(n: number): number {
  return n <= 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}

const INCREASING = 1;
const DECREASING = 2;

function pdqsort(data: SortData, a: number, b: number, limit: number): void {
  let wasBalanced = true;
  let wasPartitioned = true;
  for (;;) {
    const length = b - a;
    if (length <= 12) return insertionSort(data, a, b);
    if (limit === 0) return heapSort(data, a, b);
    if (!wasBalanced) {
      breakPatterns(data, a, b);
      limit--;
    }
    let [pivot, hint] = choosePivot(data, a, b);
    if (hint === DECREASING) {
      reverseRange(data, a, b);
      pivot = (b - 1) - (pivot - a);
      hint = INCREASING;
    }
    if (wasBalanced && wasPartitioned && hint === INCREASING && partialInsertionSort(data, a, b)) return;
    if (a > 0 && !data.less(a - 1, pivot)) {
      a = partitionEqual(data, a, b, pivot);
      continue;
    }
    const [mid, alreadyPartitioned] = partition(data, a, b, pivot);
    wasPartitioned = alreadyPartitioned;
    const threshold = Math.trunc(length / 8);
    if (mid - a < b - mid) {
      wasBalanced = mid - a >= threshold;
      pdqsort(data, a, mid, limit);
      a = mid + 1;
    } else {
      wasBalanced = b - mid >= threshold;
      pdqsort(data, mid + 1, b, limit);
      b = mid;
    }
  }
}

function insertionSort(data: SortData, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && data.less(j, j - 1); j--) data.swap(j, j - 1);
  }
}

function siftDown(data: SortData, lo: number, hi: number, first: number): void {
  let root = lo;
  for (;;) {
    let child = 2 * root + 1;
    if (child >= hi) return;
    if (child + 1 < hi && data.less(first + child, first + child + 1)) child++;
    if (!data.less(first + root, first + child)) return;
    data.swap(first + root, first + child);
    root = child;
  }
}

function heapSort(data: SortData, a: number, b: number): void {
  const hi = b - a;
  for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) siftDown(data, i, hi, a);
  for (let i = hi - 1; i >= 0; i--) {
    data.swap(a, a + i);
    siftDown(data, 0, i, a);
  }
}

function partition(data: SortData, a: number, b: number, pivot: number): [number, boolean] {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  while (i <= j && data.less(i, a)) i++;
  while (i <= j && !data.less(j, a)) j--;
  if (i > j) {
    data.swap(j, a);
    return [j, true];
  }
  data.swap(i++, j--);
  for (;;) {
    while (i <= j && data.less(i, a)) i++;
    while (i <= j && !data.less(j, a)) j--;
    if (i > j) break;
    data.swap(i++, j--);
  }
  data.swap(j, a);
  return [j, false];
}

function partitionEqual(data: SortData, a: number, b: number, pivot: number): number {
  data.swap(a, pivot);
  let i = a + 1;
  let j = b - 1;
  for (;;) {
    while (i <= j && !data.less(a, i)) i++;
    while (i <= j && data.less(a, j)) j--;
    if (i > j) return i;
    data.swap(i++, j--);
  }
}

function partialInsertionSort(data: SortData, a: number, b: number): boolean {
  let i = a + 1;
  for (let step = 0; step < 5; step++) {
    while (i < b && !data.less(i, i - 1)) i++;
    if (i === b) return true;
    if (b - a < 50) return false;
    data.swap(i, i - 1);
    if (i - a >= 2) {
      for (let j = i - 1; j >= 1 && data.less(j, j - 1); j--) data.swap(j, j - 1);
    }
    if (b - i >= 2) {
      for (let j = i + 1; j < b && data.less(j, j - 1); j++) data.swap(j, j - 1);
    }
  }
  return false;
}

const U64 = (1n << 64n) - 1n;

function breakPatterns(data: SortData, a: number, b: number): void {
  const length = b - a;
  if (length < 8) return;
  let random = BigInt(length);
  const modulus = BigInt(2 ** bitLength(length));
  for (let idx = a + Math.trunc(length / 4) * 2 - 1; idx <= a + Math.trunc(length / 4) * 2 + 1; idx++) {
    random ^= (random << 13n) & U64;
    random ^= random >> 17n;
    random ^= (random << 5n) & U64;
    let other = Number(random & (modulus - 1n));
    if (other >= length) other -= length;
    data.swap(idx, a + other);
  }
}

function choosePivot(data: SortData, a: number, b: number): [number, number] {
  const l = b - a;
  const swaps = { n: 0 };
  let i = a + Math.trunc(l / 4);
  let j = a + Math.trunc(l / 4) * 2;
  let k = a + Math.trunc(l / 4) * 3;
  if (l >= 8) {
    if (l >= 50) {
      i = median(data, i - 1, i, i + 1, swaps);
      j = median(data, j - 1, j, j + 1, swaps);
      k = median(data, k - 1, k, k + 1, swaps);
    }
    j = median(data, i, j, k, swaps);
  }
  if (swaps.n === 0) return [j, INCREASING];
  return [j, swaps.n === 12 ? DECREASING : 0];
}

function median(data: SortData, a: number, b: number, c: number, swaps: { n: number }): number {
  const order = (x: number, y: number): [number, number] => {
    if (data.less(y, x)) {
      swaps.n++;
      return [y, x];
    }
    return [x, y];
  };
  [a, b] = order(a, b);
  [b, c] = order(b, c);
  [a, b] = order(a, b);
  return b;
}

function reverseRange(data: SortData, a: number, b: number): void {
  for (let i = a, j = b - 1; i < j; i++, j--) data.swap(i, j);
}

// ------------------------------------------------------------------ small formatting helpers

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Go's zero time.Time, as a missing timestamp prints. */
const GO_ZERO_TIME = 'Mon, 01 Jan 0001 00:00:00 +0000';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** time.RFC1123Z ("Mon, 02 Jan 2006 15:04:05 -0700"), in UTC. */
function rfc1123z(ts: string | null | undefined): string {
  const ms = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(ms)) return GO_ZERO_TIME;
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCFullYear()).padStart(4, '0')} `
    + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** Go's zero instant, 0001-01-01T00:00:00Z, in ms since the Unix epoch. */
const GO_ZERO_MS = Date.parse('0001-01-01T00:00:00Z');

/** metav1.Time.IsZero: unset, or Go's zero instant. */
function isZeroTime(ts: string | null | undefined): boolean {
  if (!ts) return true;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) || ms === GO_ZERO_MS;
}

/** translateTimestampSince / translateMicroTimestampSince: HumanDuration(now - t), <unknown> for a zero time. */
function since(ts: string | null | undefined, clock: DescribeClock): string {
  if (isZeroTime(ts)) return '<unknown>';
  return humanDuration(clock.nowMs + clock.epochMs - Date.parse(ts!));
}

/** Go's %v of a bool. */
function goBool(b: unknown): string {
  return b ? 'true' : 'false';
}

/** printBool. */
function printBool(b: unknown): string {
  return b ? 'True' : 'False';
}

/** Go's %v of a *bool: <nil>, or (where Go prints the pointer) its value. */
function goBoolPtr(b: unknown): string {
  return b === undefined || b === null ? '<nil>' : goBool(b);
}

function stringOrNone(s: string): string {
  return s === '' ? '<none>' : s;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}


// ------------------------------------------------------------------ resource.Quantity

/** How a Quantity prints: the suffix family its text was written in (apimachinery resource.Format). */
type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** resource.Quantity, exactly: mantissa × 10^exponent, and its format. */
export interface Quantity {
  mantissa: bigint;
  exponent: number;
  format: QuantityFormat;
}

/** The zero Quantity a missing ResourceList entry reads as. */
const ZERO_QUANTITY: Quantity = { mantissa: 0n, exponent: 0, format: 'DecimalSI' };

const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWERS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES = new Map(Object.entries(DECIMAL_EXPONENTS).map(([suffix, e]) => [e, suffix]));
const BINARY_SUFFIXES = new Map(Object.entries(BINARY_POWERS).map(([suffix, p]) => [p / 10, suffix]));
/** Quantities keep nine decimal places (resource.Nano); finer values round up. */
const NANO_EXPONENT = -9;

/**
 * resource.ParseQuantity: the number, then a decimal (`m`, `k`, `G`), binary (`Ki`, `Gi`) or
 * exponent (`e3`) suffix that also sets the format; rounded up to nano units. A binary quantity
 * below 1 is DecimalSI. Undefined when the text is no quantity.
 */
export function parseQuantityExact(text: unknown): Quantity | undefined {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(String(text ?? '').trim());
  if (!m || m[2].length + (m[3] ?? '').length === 0) return undefined;
  const [, sign, whole, frac = '', suffix] = m;
  let mantissa = BigInt(`${whole}${frac}` || '0');
  let exponent = -frac.length;
  let format: QuantityFormat;
  if (Object.hasOwn(DECIMAL_EXPONENTS, suffix)) {
    exponent += DECIMAL_EXPONENTS[suffix];
    format = 'DecimalSI';
  } else if (Object.hasOwn(BINARY_POWERS, suffix)) {
    mantissa <<= BigInt(BINARY_POWERS[suffix]);
    format = 'BinarySI';
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) return undefined;
    exponent += Number(e[1]);
    format = 'DecimalExponent';
  }
  if (exponent < NANO_EXPONENT) {
    const unit = 10n ** BigInt(NANO_EXPONENT - exponent);
    mantissa = (mantissa + unit - 1n) / unit;
    exponent = NANO_EXPONENT;
  }
  const belowOne = compareQuantities({ mantissa, exponent, format }, { mantissa: 1n, exponent: 0, format }) < 0;
  if (format === 'BinarySI' && mantissa > 0n && belowOne) format = 'DecimalSI';
  return { mantissa: sign === '-' ? -mantissa : mantissa, exponent, format };
}

/** The two mantissas at the smaller exponent. */
function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [a.mantissa * 10n ** BigInt(a.exponent - exponent), b.mantissa * 10n ** BigInt(b.exponent - exponent), exponent];
}

function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Quantity.Add: the exact sum, in the format of the first unless it is zero. */
function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, exponent] = aligned(a, b);
  return { mantissa: x + y, exponent, format: a.mantissa === 0n ? b.format : a.format };
}

/** Quantity.ScaledValue: the value in units of 10^scale, rounded up. */
function scaledValue(q: Quantity, scale: number): number {
  const shift = q.exponent - scale;
  if (shift >= 0) return Number(q.mantissa * 10n ** BigInt(shift));
  const unit = 10n ** BigInt(-shift);
  const quotient = q.mantissa / unit;
  return Number(q.mantissa % unit > 0n ? quotient + 1n : quotient);
}

/** Quantity.Value (rounded up to a whole unit) and Quantity.MilliValue. */
function quantityValue(q: Quantity): number {
  return scaledValue(q, 0);
}

function quantityMilliValue(q: Quantity): number {
  return scaledValue(q, -3);
}

/**
 * Quantity.String (CanonicalizeBytes): BinarySI in the largest power of 1024 that divides it
 * (16777216Ki → 16Gi) unless it is below 1024 or fractional, which print as DecimalSI; DecimalSI
 * with the trailing zeros taken into the suffix, the exponent a multiple of 3 (1100m, 2, 1500).
 */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  const sign = q.mantissa < 0n ? '-' : '';
  let mantissa = q.mantissa < 0n ? -q.mantissa : q.mantissa;
  let exponent = q.exponent;
  let format = q.format;
  if (format === 'BinarySI') {
    const whole = exponent >= 0 || mantissa % 10n ** BigInt(-exponent) === 0n;
    const small = compareQuantities({ mantissa, exponent, format }, { mantissa: 1024n, exponent: 0, format }) < 0;
    if (small || !whole) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let value = exponent >= 0 ? mantissa * 10n ** BigInt(exponent) : mantissa / 10n ** BigInt(-exponent);
    let power = 0;
    while (value >= 1024n && value % 1024n === 0n) {
      value /= 1024n;
      power++;
    }
    return `${sign}${value}${BINARY_SUFFIXES.get(power) ?? ''}`;
  }
  while (mantissa >= 10n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  const suffix = format === 'DecimalExponent' ? (exponent === 0 ? '' : `e${exponent}`) : DECIMAL_SUFFIXES.get(exponent) ?? '';
  return `${sign}${mantissa}${suffix}`;
}

/** A stored quantity as Quantity.String() prints it; text that is no quantity prints as it is. */
function quantityText(v: unknown): string {
  const q = parseQuantityExact(v);
  return q ? formatQuantity(q) : str(v);
}

/** A ResourceList entry as a Quantity; a missing or malformed one is zero. */
function listQuantity(list: Record<string, unknown> | undefined, name: string): Quantity {
  const v = list?.[name];
  return (v !== undefined && v !== null ? parseQuantityExact(v) : undefined) ?? ZERO_QUANTITY;
}

// ------------------------------------------------------------------ labels, annotations, tolerations

/** printLabelsMultilineWithIndent. */
function printLabelsMultiline(w: PrefixWriter, title: string, labels: Record<string, string> | undefined, initialIndent = '', innerIndent = '\t'): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) return w.writeLine('<none>');
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels![key]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;
const SKIPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** shorten: the first maxLength bytes and "...". */
function shorten(s: string, maxLength: number): string {
  const bytes = Buffer.from(s, 'utf8');
  return bytes.length > maxLength ? `${bytes.subarray(0, maxLength).toString('utf8')}...` : s;
}

/** printAnnotationsMultiline: long or multi-line values on lines of their own. */
function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {}).filter((k) => !SKIPPED_ANNOTATIONS.has(k)).sort(byteOrder);
  if (keys.length === 0) return w.writeLine('<none>');
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const value = annotations![key].endsWith('\n') ? annotations![key].slice(0, -1) : annotations![key];
    if (byteLength(value) + byteLength(key) + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(LEVEL_0, `${indent}  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/** printTolerationsMultilineWithIndent: sorted by key, `key=value:Effect op=Exists for Ns`. */
function printPodTolerationsMultiline(w: PrefixWriter, title: string, tolerations: any[] | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (!tolerations?.length) return w.writeLine('<none>');
  goSort(tolerations, (a, b) => str(a.key) < str(b.key)).forEach((t, i) => {
    if (i !== 0) w.write(LEVEL_0, '\t');
    let line = str(t.key);
    if (t.value) line += `=${t.value}`;
    if (t.effect) line += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) line += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) line += ` for ${t.tolerationSeconds}s`;
    w.write(LEVEL_0, `${line}\n`);
  });
}

/**
 * metav1.FormatLabelSelector: the selector's String(), requirements sorted by key; <none> when it
 * selects everything or nothing (a labels.Selector's own String() is then empty: `none` '').
 */

/** describeTopologySpreadConstraints; `space` indents the title inside a pod template. */
function describeTopologySpreadConstraints(w: PrefixWriter, tscs: any[] | undefined, space = ''): void {
  if (!tscs?.length) return;
  w.write(LEVEL_0, `${space}Topology Spread Constraints:\t`);
  goSort(tscs, (a, b) => str(a.topologyKey) < str(b.topologyKey)).forEach((tsc, i) => {
    if (i !== 0) w.write(LEVEL_0, `${space}\t`);
    let line = `${tsc.topologyKey}:${str(tsc.whenUnsatisfiable)} when max skew ${tsc.maxSkew ?? 0} is exceeded`;
    if (tsc.labelSelector) line += ` for selector ${formatLabelSelector(tsc.labelSelector)}`;
    w.write(LEVEL_0, `${line}\n`);
  });
}

// ------------------------------------------------------------------ containers

/**
 * describeContainers: one block per container, with its status when the pod has one. A pod
 * template has no pod (its fieldRef values print empty) and `space` "  " (names one space deeper).
 */
function describeContainers(
  w: PrefixWriter, label: string, pod: KubeObject | undefined, containers: any[], statuses: any[] | undefined, space = '',
): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  w.write(LEVEL_0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    describeContainerBasicInfo(w, c, status, space);
    describeContainerCommand(w, c);
    if (status) describeContainerState(w, status);
    describeResources(w, c.resources, LEVEL_2);
    describeContainerProbe(w, c);
    if (c.envFrom?.length) describeContainerEnvFrom(w, c);
    describeContainerEnvVars(w, pod, c);
    describeContainerVolumes(w, c);
  }
}

function describeContainerBasicInfo(w: PrefixWriter, c: any, status: any, space: string): void {
  w.write(LEVEL_1, `${space ? ' ' : ''}${c.name}:\n`);
  if (status) w.write(LEVEL_2, `Container ID:\t${str(status.containerID)}\n`);
  w.write(LEVEL_2, `Image:\t${str(c.image)}\n`);
  if (status) w.write(LEVEL_2, `Image ID:\t${str(status.imageID)}\n`);
  const ports: any[] = c.ports ?? [];
  const portText = ports.map((p) => `${p.containerPort}/${str(p.protocol)}`).join(', ');
  if (portText.includes(',')) w.write(LEVEL_2, `Ports:\t${portText}\n`);
  else w.write(LEVEL_2, `Port:\t${stringOrNone(portText)}\n`);
  const hostPortText = ports.map((p) => `${p.hostPort ?? 0}/${str(p.protocol)}`).join(', ');
  if (hostPortText.includes(',')) w.write(LEVEL_2, `Host Ports:\t${hostPortText}\n`);
  else w.write(LEVEL_2, `Host Port:\t${stringOrNone(hostPortText)}\n`);
  const seccomp = c.securityContext?.seccompProfile;
  if (seccomp) {
    w.write(LEVEL_2, `SeccompProfile:\t${str(seccomp.type)}\n`);
    if (seccomp.type === 'Localhost') w.write(LEVEL_3, `LocalhostProfile:\t${str(seccomp.localhostProfile)}\n`);
  }
}

function describeContainerCommand(w: PrefixWriter, c: any): void {
  for (const [title, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (!list?.length) continue;
    w.write(LEVEL_2, `${title}:\n`);
    for (const item of list as string[]) {
      for (const s of String(item).split('\n')) w.write(LEVEL_3, `${s}\n`);
    }
  }
}

/** describeResources: Limits, then Requests, resource names sorted. */
function describeResources(w: PrefixWriter, resources: any, level: number): void {
  if (!resources) return;
  for (const [title, list] of [['Limits', resources.limits], ['Requests', resources.requests]] as const) {
    const names = Object.keys(list ?? {});
    if (names.length === 0) continue;
    w.write(level, `${title}:\n`);
    for (const name of goSort(names, (a, b) => a < b)) w.write(level + 1, `${name}:\t${quantityText(list[name])}\n`);
  }
}

function describeContainerState(w: PrefixWriter, status: any): void {
  describeStatus(w, 'State', status.state ?? {});
  if (status.lastState?.terminated) describeStatus(w, 'Last State', status.lastState);
  w.write(LEVEL_2, `Ready:\t${printBool(status.ready)}\n`);
  w.write(LEVEL_2, `Restart Count:\t${status.restartCount ?? 0}\n`);
}

/** describeStatus: Running, Waiting or Terminated with their details; an empty state is Waiting. */
function describeStatus(w: PrefixWriter, stateName: string, state: any): void {
  if (state.running) {
    w.write(LEVEL_2, `${stateName}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state.waiting) {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
    if (state.waiting.reason) w.write(LEVEL_3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state.terminated) {
    const t = state.terminated;
    w.write(LEVEL_2, `${stateName}:\tTerminated\n`);
    if (t.reason) w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if ((t.signal ?? 0) > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(LEVEL_3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
  }
}

function describeContainerProbe(w: PrefixWriter, c: any): void {
  if (c.livenessProbe) w.write(LEVEL_2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
  if (c.readinessProbe) w.write(LEVEL_2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
  if (c.startupProbe) w.write(LEVEL_2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
}

/** DescribeProbe: the handler, then `delay=0s timeout=1s period=10s #success=1 #failure=3`. */
function describeProbe(probe: any): string {
  const attrs = `delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 0}s period=${probe.periodSeconds ?? 0}s `
    + `#success=${probe.successThreshold ?? 0} #failure=${probe.failureThreshold ?? 0}`;
  if (probe.exec) return `exec [${(probe.exec.command ?? []).join(' ')}] ${attrs}`;
  if (probe.httpGet) return `http-get ${probeURL(probe.httpGet)} ${attrs}`;
  if (probe.tcpSocket) return `tcp-socket ${str(probe.tcpSocket.host)}:${str(probe.tcpSocket.port)} ${attrs}`;
  if (probe.grpc) return `grpc <pod>:${probe.grpc.port ?? 0} ${str(probe.grpc.service)} ${attrs}`;
  return `unknown ${attrs}`;
}

/** url.URL{Scheme, Host: net.JoinHostPort(host, port), Path}.String(). */
function probeURL(get: any): string {
  const scheme = str(get.scheme).toLowerCase();
  const host = str(get.host);
  const port = str(get.port);
  const hostPort = port.length > 0 ? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`) : host;
  const path = escapePath(str(get.path));
  let out = scheme ? `${scheme}:` : '';
  if (scheme || hostPort) {
    if (hostPort || path) out += '//';
    out += hostPort;
  }
  if (path && !path.startsWith('/') && hostPort) out += '/';
  return out + path;
}

/** url's escape(path, encodePath): everything but unreserved characters and `$&+,/:;=@` is %XX. */
function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function describeContainerEnvFrom(w: PrefixWriter, c: any): void {
  w.write(LEVEL_2, 'Environment Variables from:\n');
  for (const e of c.envFrom) {
    const ref = e.configMapRef ?? e.secretRef;
    const from = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : '';
    const optional = goBool(ref?.optional === true);
    if (!e.prefix) w.write(LEVEL_3, `${str(ref?.name)}\t${from}\tOptional: ${optional}\n`);
    else w.write(LEVEL_3, `${str(ref?.name)}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n`);
  }
}

function describeContainerEnvVars(w: PrefixWriter, pod: KubeObject | undefined, c: any): void {
  const env: any[] = c.env ?? [];
  w.write(LEVEL_2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const from = e.valueFrom;
    if (!from) {
      str(e.value).split('\n').forEach((s, i) => w.write(LEVEL_3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    } else if (from.fieldRef) {
      w.write(LEVEL_3, `${e.name}:\t${pod ? envFieldValue(pod, from.fieldRef) : ''} (${str(from.fieldRef.apiVersion)}:${str(from.fieldRef.fieldPath)})\n`);
    } else if (from.resourceFieldRef) {
      const resource = str(from.resourceFieldRef.resource);
      let value = containerResourceValue(from.resourceFieldRef, c);
      if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) value = 'node allocatable';
      w.write(LEVEL_3, `${e.name}:\t${value} (${resource})\n`);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      w.write(LEVEL_3, `${e.name}:\t<set to the key '${str(ref.key)}' in secret '${str(ref.name)}'>\tOptional: ${goBool(ref.optional === true)}\n`);
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      w.write(LEVEL_3, `${e.name}:\t<set to the key '${str(ref.key)}' of config map '${str(ref.name)}'>\tOptional: ${goBool(ref.optional === true)}\n`);
    }
  }
}

/**
 * EnvValueRetriever: kubectl's scheme knows no field label conversions for pods, so only
 * metadata.name and metadata.namespace resolve; any other field prints an empty value.
 */
function envFieldValue(pod: KubeObject, fieldRef: any): string {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(str(fieldRef.apiVersion))) return '';
  if (fieldRef.fieldPath === 'metadata.name') return str(pod.metadata.name);
  if (fieldRef.fieldPath === 'metadata.namespace') return str(pod.metadata.namespace);
  return '';
}

/** resourcehelper.ExtractContainerResourceValue: the container's request or limit divided by the divisor, rounded up. */
function containerResourceValue(ref: any, c: any): string {
  const resource = str(ref.resource);
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  if (kind !== 'limits' && kind !== 'requests') return '';
  if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-')) return '';
  const given = c.resources?.[kind]?.[name];
  const value = given !== undefined && given !== null ? parseQuantity(given) : 0;
  const divisor = ref.divisor !== undefined && ref.divisor !== null && parseQuantity(ref.divisor) !== 0 ? parseQuantity(ref.divisor) : 1;
  if (name === 'cpu') return String(Math.ceil(milliValue(value) / milliValue(divisor)));
  return String(Math.ceil(Math.ceil(value) / Math.ceil(divisor)));
}

/** Quantity.MilliValue: rounded up to a whole milli-unit. */
function milliValue(v: number): number {
  return Math.ceil(Math.round(v * 1e9) / 1e6);
}

function describeContainerVolumes(w: PrefixWriter, c: any): void {
  const mounts: any[] = c.volumeMounts ?? [];
  const none = mounts.length === 0 ? '\t<none>' : '';
  w.write(LEVEL_2, `Mounts:${none}\n`);
  for (const m of goSort(mounts, (a, b) => str(a.mountPath) < str(b.mountPath))) {
    const flags = [m.readOnly ? 'ro' : 'rw'];
    if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(LEVEL_3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
  const devices: any[] = c.volumeDevices ?? [];
  if (devices.length > 0) {
    w.write(LEVEL_2, `Devices:${none}\n`);
    for (const d of goSort(devices, (a, b) => str(a.devicePath) < str(b.devicePath))) w.write(LEVEL_3, `${d.devicePath} from ${d.name}\n`);
  }
}

// ------------------------------------------------------------------ volumes

/** A volume source printed as a Type line and `    Field:\tvalue` lines at LEVEL_2. */
function printFields(w: PrefixWriter, type: string, fields: Array<[string, string]>): void {
  w.write(LEVEL_2, `Type:\t${type}\n${fields.map(([k, v]) => `    ${k}:\t${v}\n`).join('')}`);
}

type VolumePrinter = (w: PrefixWriter, source: any) => void;

/** describeVolumes' switch, in its order; a source not listed prints <unknown>, as the default branch does. */
const VOLUME_PRINTERS: Array<[string, VolumePrinter]> = [
  ['hostPath', (w, s) => printFields(w, 'HostPath (bare host directory volume)', [['Path', str(s.path)], ['HostPathType', s.type === undefined || s.type === null ? '<none>' : str(s.type)]])],
  ['emptyDir', (w, s) => printFields(w, "EmptyDir (a temporary directory that shares a pod's lifetime)",
    [['Medium', str(s.medium)], ['SizeLimit', s.sizeLimit !== undefined && parseQuantity(s.sizeLimit) > 0 ? str(s.sizeLimit) : '<unset>']])],
  ['gcePersistentDisk', (w, s) => printFields(w, 'GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)',
    [['PDName', str(s.pdName)], ['FSType', str(s.fsType)], ['Partition', String(s.partition ?? 0)], ['ReadOnly', goBool(s.readOnly)]])],
  ['awsElasticBlockStore', (w, s) => printFields(w, 'AWSElasticBlockStore (a Persistent Disk resource in AWS)',
    [['VolumeID', str(s.volumeID)], ['FSType', str(s.fsType)], ['Partition', String(s.partition ?? 0)], ['ReadOnly', goBool(s.readOnly)]])],
  ['gitRepo', (w, s) => printFields(w, 'GitRepo (a volume that is pulled from git when the pod is created)', [['Repository', str(s.repository)], ['Revision', str(s.revision)]])],
  ['secret', (w, s) => printFields(w, 'Secret (a volume populated by a Secret)', [['SecretName', str(s.secretName)], ['Optional', goBool(s.optional === true)]])],
  ['configMap', (w, s) => printFields(w, 'ConfigMap (a volume populated by a ConfigMap)', [['Name', str(s.name)], ['Optional', goBool(s.optional === true)]])],
  ['nfs', (w, s) => printFields(w, 'NFS (an NFS mount that lasts the lifetime of a pod)', [['Server', str(s.server)], ['Path', str(s.path)], ['ReadOnly', goBool(s.readOnly)]])],
  ['iscsi', unknownVolume],
  ['glusterfs', unknownVolume],
  ['persistentVolumeClaim', (w, s) => printFields(w, 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)',
    [['ClaimName', str(s.claimName)], ['ReadOnly', goBool(s.readOnly)]])],
  ['ephemeral', printEphemeralVolumeSource],
  ['rbd', unknownVolume],
  ['quobyte', unknownVolume],
  ['downwardAPI', printDownwardAPIVolumeSource],
  ['azureDisk', unknownVolume],
  ['vsphereVolume', unknownVolume],
  ['cinder', unknownVolume],
  ['photonPersistentDisk', unknownVolume],
  ['portworxVolume', unknownVolume],
  ['scaleIO', unknownVolume],
  ['cephfs', unknownVolume],
  ['storageos', unknownVolume],
  ['fc', unknownVolume],
  ['azureFile', unknownVolume],
  ['flexVolume', unknownVolume],
  ['flocker', unknownVolume],
  ['projected', printProjectedVolumeSource],
  ['csi', printCSIVolumeSource],
  ['image', (w, s) => printFields(w, 'Image (a container image or OCI artifact)', [['Reference', str(s.reference)], ['PullPolicy', str(s.pullPolicy)]])],
];

/** A source kubesim does not print in full (the in-tree plug-ins long deprecated): upstream's default line. */
function unknownVolume(w: PrefixWriter): void {
  w.write(LEVEL_1, '<unknown>\n');
}

/** describeVolumes; `space` "  " indents the title, and the names one space more, inside a pod template. */
function describeVolumes(w: PrefixWriter, volumes: any[] | undefined, space = ''): void {
  if (!volumes?.length) return w.write(LEVEL_0, `${space}Volumes:\t<none>\n`);
  w.write(LEVEL_0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(LEVEL_1, `${space ? ' ' : ''}${v.name}:\n`);
    const printer = VOLUME_PRINTERS.find(([key]) => v[key] !== undefined && v[key] !== null);
    if (printer) printer[1](w, v[printer[0]]);
    else unknownVolume(w);
  }
}

/** printProjectedVolumeSource as 1.32 has it: the optional flags print Go's %v of a *bool. */
function printProjectedVolumeSource(w: PrefixWriter, projected: any): void {
  w.write(LEVEL_2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
  for (const source of projected.sources ?? []) {
    if (source.secret) {
      w.write(LEVEL_2, `SecretName:\t${str(source.secret.name)}\n    SecretOptionalName:\t${goBoolPtr(source.secret.optional)}\n`);
    } else if (source.downwardAPI) {
      w.write(LEVEL_2, 'DownwardAPI:\ttrue\n');
    } else if (source.configMap) {
      w.write(LEVEL_2, `ConfigMapName:\t${str(source.configMap.name)}\n    ConfigMapOptional:\t${goBoolPtr(source.configMap.optional)}\n`);
    } else if (source.serviceAccountToken) {
      w.write(LEVEL_2, `TokenExpirationSeconds:\t${source.serviceAccountToken.expirationSeconds ?? 0}\n`);
    }
  }
}

function printDownwardAPIVolumeSource(w: PrefixWriter, d: any): void {
  w.write(LEVEL_2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
  for (const item of d.items ?? []) {
    if (item.fieldRef) w.write(LEVEL_3, `${str(item.fieldRef.fieldPath)} -> ${str(item.path)}\n`);
    if (item.resourceFieldRef) w.write(LEVEL_3, `${str(item.resourceFieldRef.resource)} -> ${str(item.path)}\n`);
  }
}

function printCSIVolumeSource(w: PrefixWriter, csi: any): void {
  printFields(w, 'CSI (a Container Storage Interface (CSI) volume source)',
    [['Driver', str(csi.driver)], ['FSType', str(csi.fsType)], ['ReadOnly', goBool(csi.readOnly === true)]]);
  w.write(LEVEL_2, 'VolumeAttributes:\t');
  const attrs: Record<string, string> = csi.volumeAttributes ?? {};
  const keys = Object.keys(attrs).sort(byteOrder);
  if (keys.length === 0) return w.writeLine('<none>');
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_2, '');
      w.write(LEVEL_2, '\t');
    }
    const line = `${key}=${attrs[key]}`;
    w.write(LEVEL_2, `${shorten(line, MAX_ANNOTATION_LEN)}\n`);
  });
}

/** printEphemeralVolumeSource: the claim template as printPersistentVolumeClaim prints a partial claim. */
function printEphemeralVolumeSource(w: PrefixWriter, ephemeral: any): void {
  w.write(LEVEL_2, 'Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n');
  const template = ephemeral.volumeClaimTemplate;
  if (!template) return;
  const nw = nestedPrefixWriter(w, LEVEL_2);
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {};
  const betaClass = meta.annotations?.['volume.beta.kubernetes.io/storage-class'];
  nw.write(LEVEL_0, `StorageClass:\t${betaClass ?? str(spec.storageClassName)}\n`);
  nw.write(LEVEL_0, `Volume:\t${str(spec.volumeName)}\n`);
  printLabelsMultiline(nw, 'Labels', meta.labels);
  printAnnotationsMultiline(nw, 'Annotations', meta.annotations);
  // A template's status is empty: with a volumeName, Capacity is a zero quantity and no access modes.
  nw.write(LEVEL_0, `Capacity:\t${spec.volumeName ? '0' : ''}\n`);
  nw.write(LEVEL_0, 'Access Modes:\t\n');
  if (spec.volumeMode) nw.write(LEVEL_0, `VolumeMode:\t${spec.volumeMode}\n`);
  if (spec.dataSource) {
    nw.write(LEVEL_0, 'DataSource:\n');
    if (spec.dataSource.apiGroup !== undefined && spec.dataSource.apiGroup !== null) nw.write(LEVEL_1, `APIGroup:\t${spec.dataSource.apiGroup}\n`);
    nw.write(LEVEL_1, `Kind:\t${str(spec.dataSource.kind)}\n`);
    nw.write(LEVEL_1, `Name:\t${str(spec.dataSource.name)}\n`);
  }
}

// ------------------------------------------------------------------ events

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * The pod's Events as kubectl's searchEvents finds them: involvedObject name, namespace and uid
 * (a mirror pod's uid is its config.mirror annotation), in the order the API server lists them.
 */
export function podEvents(pod: KubeObject, events: KubeObject[]): KubeObject[] {
  const uid = pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] ?? pod.metadata.uid;
  return events.filter((e) => e.involvedObject?.name === pod.metadata.name && e.involvedObject?.namespace === pod.metadata.namespace
    && (!uid || e.involvedObject?.uid === uid));
}

/** SortableEvents (k8s.io/kubectl/pkg/util/event): by lastTimestamp; an Event without one (kube-scheduler's) is oldest. */
function lastTimestampMs(e: KubeObject): number {
  return isZeroTime(e.lastTimestamp) ? -Infinity : Date.parse(e.lastTimestamp);
}

/**
 * DescribeEvents' Age: since eventTime (else firstTimestamp); with a series `<last seen> (xN over
 * <first>)` from its lastObservedTime, with a count above 1 the same from lastTimestamp. These read
 * the Event's own fields, not eventutil's fallbacks (a missing time is <unknown> here).
 */
function eventAge(e: KubeObject, clock: DescribeClock): string {
  const first = isZeroTime(e.eventTime) ? since(e.firstTimestamp, clock) : since(e.eventTime, clock);
  if (e.series) return `${since(e.series.lastObservedTime, clock)} (x${e.series.count ?? 0} over ${first})`;
  const count = eventCount(e);
  if (count > 1) return `${since(e.lastTimestamp, clock)} (x${count} over ${first})`;
  return first;
}

/** DescribeEvents. */
function describeEvents(w: PrefixWriter, events: KubeObject[], clock: DescribeClock): void {
  if (events.length === 0) return w.write(LEVEL_0, 'Events:\t<none>\n');
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of goSort(events, (a, b) => lastTimestampMs(a) < lastTimestampMs(b))) {
    w.write(LEVEL_1, `${str(e.type)}\t${str(e.reason)}\t${eventAge(e, clock)}\t${eventSource(e)}\t${str(e.message).trim()}\n`);
  }
}

// ------------------------------------------------------------------ describePod

/** printController (metav1.GetControllerOf): Kind/Name of the owner reference with controller: true. */
function controlledBy(obj: KubeObject): string {
  const ref = (obj.metadata.ownerReferences ?? []).find((r: any) => r.controller === true);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

function describePodHeader(w: PrefixWriter, pod: KubeObject, clock: DescribeClock): void {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(pod.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(pod.metadata.namespace)}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(LEVEL_0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(LEVEL_0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(LEVEL_0, spec.nodeName ? `Node:\t${spec.nodeName}/${str(status.hostIP)}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', pod.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pod.metadata.deletionTimestamp, clock)})\n`);
    w.write(LEVEL_0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(LEVEL_0, `Status:\t${str(status.phase)}\n`);
  }
  if (status.reason) w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(LEVEL_0, `Message:\t${status.message}\n`);
  const seccomp = spec.securityContext?.seccompProfile;
  if (seccomp) {
    w.write(LEVEL_0, `SeccompProfile:\t${str(seccomp.type)}\n`);
    if (seccomp.type === 'Localhost') w.write(LEVEL_0, `LocalhostProfile:\t${str(seccomp.localhostProfile)}\n`);
  }
  w.write(LEVEL_0, `IP:\t${str(status.podIP)}\n`);
  const ips: any[] = status.podIPs ?? [];
  if (ips.length === 0) w.write(LEVEL_0, 'IPs:\t<none>\n');
  else {
    w.write(LEVEL_0, 'IPs:\n');
    for (const ip of ips) w.write(LEVEL_1, `IP:\t${str(ip.ip)}\n`);
  }
  const controller = controlledBy(pod);
  if (controller) w.write(LEVEL_0, `Controlled By:\t${controller}\n`);
  if (status.nominatedNodeName) w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.resources) {
    w.write(LEVEL_0, 'Resources:\n');
    describeResources(w, spec.resources, LEVEL_1);
  }
}

/** Readiness Gates and Conditions: `Type\tStatus` tables, each row ending in a space as upstream's do. */
function describeConditions(w: PrefixWriter, pod: KubeObject): void {
  const conditions: any[] = pod.status?.conditions ?? [];
  const gates: any[] = pod.spec?.readinessGates ?? [];
  if (gates.length > 0) {
    w.write(LEVEL_0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of gates) {
      const c = conditions.find((x) => x.type === g.conditionType);
      w.write(LEVEL_1, `${str(g.conditionType)} \t${c ? str(c.status) : '<none>'} \n`);
    }
  }
  if (conditions.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)} \n`);
  }
}

/**
 * `kubectl describe pod`: the pod, its containers, conditions, volumes, scheduling constraints
 * and (unless `events` is undefined, as with --show-events=false) its Events.
 */
export function describePod(pod: KubeObject, events: KubeObject[] | undefined, clock: DescribeClock): string {
  const out: string[] = [];
  const w = prefixWriter(out);
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  describePodHeader(w, pod, clock);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', pod, spec.initContainers, status.initContainerStatuses);
  describeContainers(w, 'Containers', pod, spec.containers ?? [], status.containerStatuses);
  if (spec.ephemeralContainers?.length) describeContainers(w, 'Ephemeral Containers', pod, spec.ephemeralContainers, status.ephemeralContainerStatuses);
  describeConditions(w, pod);
  describeVolumes(w, spec.volumes);
  w.write(LEVEL_0, `QoS Class:\t${status.qosClass || qosClass(pod)}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printPodTolerationsMultiline(w, 'Tolerations', spec.tolerations);
  describeTopologySpreadConstraints(w, spec.topologySpreadConstraints);
  if (events) describeEvents(w, events, clock);
  return goTabwriter(out.join(''));
}

// ------------------------------------------------------------------ the kinds kubesim describes

/** The error for a kind other than Pod, Node, ReplicaSet and Deployment, named as kubectl names it (`statefulsets.apps`). */
export function notDescribedError(qualifiedResource: string): Error {
  return new Error(`error: kubesim describes pods, nodes, replicasets and deployments only, not ${qualifiedResource}`);
}

/**
 * searchEvents: the Events whose involvedObject has the object's kind, name, namespace and uid, in
 * the order the API server lists them. `uid` replaces the object's (NodeDescriber's second search).
 */
export function objectEvents(obj: KubeObject, events: KubeObject[], uid = str(obj.metadata.uid)): KubeObject[] {
  return events.filter((e) => {
    const ref = e.involvedObject ?? {};
    return str(ref.kind) === str(obj.kind) && str(ref.name) === str(obj.metadata.name)
      && str(ref.namespace) === str(obj.metadata.namespace) && (uid === '' || str(ref.uid) === uid);
  });
}

/**
 * The objects a describer's list call returns for a metav1.LabelSelector: it sends the selector's
 * String(), and an empty one (labels.Nothing's too) lists everything.
 */
function selectorTest(sel: any): (obj: KubeObject) => boolean {
  const selector = labelSelectorFromMeta(sel);
  if (selector.toString() === '') return () => true;
  return (obj) => selector.matches(obj.metadata.labels);
}

/** metav1.IsControlledBy: the controller owner reference has the owner's uid. */
function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = (obj.metadata.ownerReferences ?? []).find((r: any) => r.controller === true);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

/** Go's int64(f) of a float64, as text. */
function goInt64Text(f: number): string {
  // int64(float64) on amd64: NaN, infinities and values out of range become the smallest int64.
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return '-9223372036854775808';
  return String(Math.trunc(f) || 0);
}

/** `int64(float64(part) / float64(whole) * 100)`, as describeNodeResource computes a percentage. */
function percentOf(part: number, whole: number): string {
  return goInt64Text(part / whole * 100);
}

// ------------------------------------------------------------------ pod template

/** DescribePodTemplate: the template's labels, containers (no status), volumes and scheduling constraints. */
function describePodTemplate(w: PrefixWriter, template: any): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!template) return w.write(LEVEL_1, '<unset>');
  const meta = template.metadata ?? {};
  const spec = template.spec ?? {};
  printLabelsMultiline(w, '  Labels', meta.labels);
  if (Object.keys(meta.annotations ?? {}).length > 0) printAnnotationsMultiline(w, '  Annotations', meta.annotations);
  if (spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', undefined, spec.initContainers, undefined, '  ');
  describeContainers(w, 'Containers', undefined, spec.containers ?? [], undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  describeTopologySpreadConstraints(w, spec.topologySpreadConstraints, '  ');
  if (spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printPodTolerationsMultiline(w, '  Tolerations', spec.tolerations);
}

/** `Conditions:` with Type, Status and Reason, as the ReplicaSet and Deployment describers print them. */
function describeWorkloadConditions(w: PrefixWriter, conditions: any[] | undefined): void {
  if (!conditions?.length) return;
  w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
  w.write(LEVEL_1, '----\t------\t------\n');
  for (const c of conditions) w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)}\t${str(c.reason)}\n`);
}

// ------------------------------------------------------------------ describeReplicaSet

/** Pods by phase, as the `Pods Status` line counts them. */
interface PodPhaseCounts {
  running: number;
  waiting: number;
  succeeded: number;
  failed: number;
}

/** getPodStatusForController: the pods the selector lists whose controller is the owner, by phase. */
function podStatusForController(owner: KubeObject, pods: KubeObject[]): PodPhaseCounts {
  const counts: PodPhaseCounts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  const selected = selectorTest(owner.spec?.selector);
  for (const pod of pods) {
    if (pod.metadata.namespace !== owner.metadata.namespace || !selected(pod) || !isControlledBy(pod, owner)) continue;
    switch (pod.status?.phase) {
      case 'Running': counts.running++; break;
      case 'Pending': counts.waiting++; break;
      case 'Succeeded': counts.succeeded++; break;
      case 'Failed': counts.failed++; break;
    }
  }
  return counts;
}

/**
 * `kubectl describe replicaset`: selector, labels, owner, replica counts, the pods by phase, the
 * pod template, conditions and (unless `events` is undefined) Events. `pods` are the namespace's.
 */
export function describeReplicaSet(rs: KubeObject, pods: KubeObject[], events: KubeObject[] | undefined, clock: DescribeClock): string {
  const out: string[] = [];
  const w = prefixWriter(out);
  const spec = rs.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(rs.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(rs.metadata.namespace)}\n`);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', rs.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', rs.metadata.annotations);
  const controller = controlledBy(rs);
  if (controller) w.write(LEVEL_0, `Controlled By:\t${controller}\n`);
  w.write(LEVEL_0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${spec.replicas ?? 1} desired\n`);
  const c = podStatusForController(rs, pods);
  w.write(LEVEL_0, 'Pods Status:\t');
  w.write(LEVEL_0, `${c.running} Running / ${c.waiting} Waiting / ${c.succeeded} Succeeded / ${c.failed} Failed\n`);
  describePodTemplate(w, spec.template);
  describeWorkloadConditions(w, rs.status?.conditions);
  if (events) describeEvents(w, events, clock);
  return goTabwriter(out.join(''));
}

// ------------------------------------------------------------------ describeDeployment

/** What GetAllReplicaSetsInChunks gives DeploymentDescriber: every old ReplicaSet (scaled to 0 too) and the new one. */
export interface DeploymentReplicaSets {
  oldRSs: KubeObject[];
  newRS: KubeObject | undefined;
}

/** ReplicaSetsByCreationTimestamp. */
function createdBefore(a: KubeObject, b: KubeObject): boolean {
  const ta = Date.parse(str(a.metadata.creationTimestamp)) || 0;
  const tb = Date.parse(str(b.metadata.creationTimestamp)) || 0;
  return ta === tb ? str(a.metadata.name) < str(b.metadata.name) : ta < tb;
}

/**
 * kubectl's deploymentutil.GetAllReplicaSetsInChunks: the namespace's ReplicaSets the selector
 * lists and the Deployment controls, sorted by creation; the new one is the oldest whose template
 * equals the Deployment's but for pod-template-hash, the old ones are all the others.
 */
export function deploymentReplicaSets(d: KubeObject, replicaSets: KubeObject[]): DeploymentReplicaSets {
  const selected = selectorTest(d.spec?.selector);
  const owned = replicaSets.filter((rs) => rs.metadata.namespace === d.metadata.namespace && selected(rs) && isControlledBy(rs, d));
  const sorted = goSort(owned, createdBefore);
  const newRS = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
  return { oldRSs: sorted.filter((rs) => rs !== newRS), newRS };
}

/** printReplicaSetsByLabels: `name (status/spec replicas created)`, joined; <none> for none. */
function replicaSetsLine(rss: KubeObject[]): string {
  const line = rss.map((rs) => `${str(rs.metadata.name)} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`).join(', ');
  return line === '' ? '<none>' : line;
}

/** intstr.IntOrString's String() through a pointer: <nil> when unset. */
function intOrString(v: unknown): string {
  return v === undefined || v === null ? '<nil>' : String(v);
}

/**
 * `kubectl describe deployment`: replica counts, strategy, the pod template, conditions, the old
 * and new ReplicaSets and (unless `events` is undefined) Events.
 */
export function describeDeployment(d: KubeObject, replicaSets: DeploymentReplicaSets, events: KubeObject[] | undefined, clock: DescribeClock): string {
  const out: string[] = [];
  const w = prefixWriter(out);
  const spec = d.spec ?? {};
  const status = d.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(d.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(d.metadata.namespace)}\n`);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', d.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', d.metadata.annotations);
  w.write(LEVEL_0, `Selector:\t${formatLabelSelector(spec.selector, '')}\n`);
  w.write(LEVEL_0, `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | `
    + `${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`);
  w.write(LEVEL_0, `StrategyType:\t${str(spec.strategy?.type)}\n`);
  w.write(LEVEL_0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  const ru = spec.strategy?.rollingUpdate;
  if (ru) w.write(LEVEL_0, `RollingUpdateStrategy:\t${intOrString(ru.maxUnavailable)} max unavailable, ${intOrString(ru.maxSurge)} max surge\n`);
  describePodTemplate(w, spec.template);
  describeWorkloadConditions(w, status.conditions);
  const newRSs = replicaSets.newRS ? [replicaSets.newRS] : [];
  if (replicaSets.oldRSs.length > 0 || newRSs.length > 0) {
    w.write(LEVEL_0, `OldReplicaSets:\t${replicaSetsLine(replicaSets.oldRSs)}\n`);
    w.write(LEVEL_0, `NewReplicaSet:\t${replicaSetsLine(newRSs)}\n`);
  }
  if (events) describeEvents(w, events, clock);
  return goTabwriter(out.join(''));
}

// ------------------------------------------------------------------ describeNode

/** The node's Lease in kube-node-lease, or the error getting it. */
export type NodeLease = { lease: KubeObject } | { error: string };

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values, sorted, once each. */
function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      if (k.length > NODE_ROLE_PREFIX.length) roles.add(k.slice(NODE_ROLE_PREFIX.length));
    } else if (k === NODE_ROLE_LABEL && v !== '') roles.add(v);
  }
  return [...roles].sort(byteOrder);
}

/** Taint.ToString: `key[=value]:Effect`. */
function taintString(t: any): string {
  return t.value ? `${str(t.key)}=${t.value}:${str(t.effect)}` : `${str(t.key)}:${str(t.effect)}`;
}

/** printTaintsMultilineWithIndent: sorted by `effect,key`. */
function printTaintsMultiline(w: PrefixWriter, title: string, taints: any[] | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (!taints?.length) return w.writeLine('<none>');
  const key = (t: any) => `${str(t.effect)},${str(t.key)}`;
  goSort(taints, (a, b) => key(a) < key(b)).forEach((t, i) => {
    if (i !== 0) w.write(LEVEL_0, '\t');
    w.write(LEVEL_0, `${taintString(t)}\n`);
  });
}

/** describeNodeLease: holder, acquire and renew times, <unset> where the Lease has none. */
function describeNodeLease(w: PrefixWriter, found: NodeLease): void {
  if ('error' in found) return w.write(LEVEL_0, `Lease:\tFailed to get lease: ${found.error}\n`);
  const spec = found.lease.spec ?? {};
  w.write(LEVEL_0, 'Lease:\n');
  w.write(LEVEL_1, `HolderIdentity:\t${spec.holderIdentity ?? '<unset>'}\n`);
  w.write(LEVEL_1, `AcquireTime:\t${spec.acquireTime ? rfc1123z(spec.acquireTime) : '<unset>'}\n`);
  w.write(LEVEL_1, `RenewTime:\t${spec.renewTime ? rfc1123z(spec.renewTime) : '<unset>'}\n`);
}

/** The node's conditions, each cell but the message followed by a space as upstream writes them. */
function describeNodeConditions(w: PrefixWriter, conditions: any[] | undefined): void {
  if (!conditions?.length) return;
  w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
  w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
  for (const c of conditions) {
    w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t`
      + `${str(c.reason)} \t${str(c.message)}\n`);
  }
}

/** printResourceList: the title and `  name:\tquantity` lines, names sorted; nothing for an empty list. */
function printResourceList(w: PrefixWriter, title: string, list: Record<string, unknown> | undefined): void {
  const names = Object.keys(list ?? {});
  if (names.length === 0) return;
  w.write(LEVEL_0, `${title}:\n`);
  for (const name of goSort(names, (a, b) => a < b)) w.write(LEVEL_0, `  ${name}:\t${quantityText(list![name])}\n`);
}

function describeNodeSystemInfo(w: PrefixWriter, info: any): void {
  w.write(LEVEL_0, 'System Info:\n');
  const fields: Array<[string, string]> = [
    ['Machine ID', 'machineID'], ['System UUID', 'systemUUID'], ['Boot ID', 'bootID'], ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'], ['Operating System', 'operatingSystem'], ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'], ['Kubelet Version', 'kubeletVersion'], ['Kube-Proxy Version', 'kubeProxyVersion'],
  ];
  for (const [title, field] of fields) w.write(LEVEL_0, `  ${title}:\t${str(info[field])}\n`);
}

/** The pods NodeDescriber lists: spec.nodeName=NAME, status.phase neither Succeeded nor Failed, in every namespace. */
export function nodeNonTerminatedPods(node: KubeObject, pods: KubeObject[]): KubeObject[] {
  return pods.filter((p) => p.spec?.nodeName === node.metadata.name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** NodeDescriber's two searches: Events with the node's uid (the node controller's), then with its name as uid (the kubelet's). */
export function nodeEvents(node: KubeObject, events: KubeObject[]): KubeObject[] {
  return [...objectEvents(node, events), ...objectEvents(node, events, str(node.metadata.name))];
}

type ResourceList = Map<string, Quantity>;

/** addResourceList: each quantity added to the list's (a copy where it has none). */
function addResourceList(list: ResourceList, add: Record<string, unknown> | ResourceList | undefined): void {
  const entries = add instanceof Map ? [...add] : Object.keys(add ?? {}).map((k): [string, Quantity] => [k, listQuantity(add as Record<string, unknown>, k)]);
  for (const [name, q] of entries) {
    const have = list.get(name);
    list.set(name, have ? addQuantities(have, q) : q);
  }
}

/** maxResourceList: each quantity kept where it is the greater. */
function maxResourceList(list: ResourceList, other: ResourceList): void {
  for (const [name, q] of other) {
    const have = list.get(name);
    if (!have || compareQuantities(q, have) > 0) list.set(name, q);
  }
}

function resourceList(list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = new Map();
  addResourceList(out, list);
  return out;
}

/** The larger of two lists per resource (resourcehelper's max). */
function maxOf(a: ResourceList, b: ResourceList): ResourceList {
  const out = new Map(a);
  maxResourceList(out, b);
  return out;
}

/**
 * resourcehelper.PodRequestsAndLimits (kubectl's pkg/util/resource): the containers' sum (a
 * request at least what the container status reports allocated), then the larger of that and each
 * init container (restartable ones, sidecars, add up and count in both), plus the pod overhead.
 */
function podRequestsAndLimits(pod: KubeObject): { requests: ResourceList; limits: ResourceList } {
  const spec = pod.spec ?? {};
  const statuses = new Map<string, any>((pod.status?.containerStatuses ?? []).map((s: any) => [s.name, s]));
  const requests: ResourceList = new Map();
  const limits: ResourceList = new Map();
  for (const c of spec.containers ?? []) {
    let reqs = resourceList(c.resources?.requests);
    const allocated = statuses.get(c.name)?.resources;
    if (allocated) {
      reqs = pod.status?.resize === 'Infeasible' ? resourceList(allocated.requests) : maxOf(reqs, resourceList(allocated.requests));
    }
    addResourceList(requests, reqs);
    addResourceList(limits, c.resources?.limits);
  }
  for (const [sum, field] of [[requests, 'requests'], [limits, 'limits']] as const) {
    const sidecars: ResourceList = new Map();
    const inits: ResourceList = new Map();
    for (const c of spec.initContainers ?? []) {
      const own = resourceList(c.resources?.[field]);
      let effective: ResourceList;
      if (c.restartPolicy === 'Always') {
        addResourceList(sum, own);
        addResourceList(sidecars, own);
        effective = sidecars;
      } else {
        effective = new Map(own);
        addResourceList(effective, sidecars);
      }
      maxResourceList(inits, effective);
    }
    maxResourceList(sum, inits);
  }
  addPodOverhead(spec.overhead, requests, limits);
  return { requests, limits };
}

/** The overhead is added to every request, and to each limit that is set and not zero. */
function addPodOverhead(overhead: Record<string, unknown> | undefined, requests: ResourceList, limits: ResourceList): void {
  if (!overhead) return;
  addResourceList(requests, overhead);
  for (const [name, q] of resourceList(overhead)) {
    const have = limits.get(name);
    if (have && have.mantissa !== 0n) limits.set(name, addQuantities(have, q));
  }
}

/** getPodsTotalRequestsAndLimits: every pod's requests and limits summed, in list order. */
function podsTotalRequestsAndLimits(pods: KubeObject[]): { requests: ResourceList; limits: ResourceList } {
  const requests: ResourceList = new Map();
  const limits: ResourceList = new Map();
  for (const pod of pods) {
    const own = podRequestsAndLimits(pod);
    addResourceList(requests, own.requests);
    addResourceList(limits, own.limits);
  }
  return { requests, limits };
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const HUGEPAGES_PREFIX = 'hugepages-';

/** A request or limit and its share of what the node can allocate: `100m (2%)`. */
function withShare(q: Quantity, allocatable: number, scale: (q: Quantity) => number): string {
  return `${formatQuantity(q)} (${percentOf(scale(q), allocatable)}%)`;
}

/** As withShare, but a node with none of the resource shows 0%, as the Allocated resources table guards. */
function withGuardedShare(q: Quantity, allocatable: number, scale: (q: Quantity) => number): string {
  return allocatable === 0 ? `${formatQuantity(q)} (0%)` : withShare(q, allocatable, scale);
}

/**
 * describeNodeResource: the node's non-terminated pods with their requests and limits of cpu and
 * memory and their share of the node's allocatable (its capacity when it reports none), then the
 * totals of cpu, memory, ephemeral-storage, each hugepages size and each extended resource.
 */
function describeNodeResource(w: PrefixWriter, node: KubeObject, pods: KubeObject[], clock: DescribeClock): void {
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const status = node.status ?? {};
  const allocatable: Record<string, unknown> = Object.keys(status.allocatable ?? {}).length > 0 ? status.allocatable : status.capacity ?? {};
  const cpu = quantityMilliValue(listQuantity(allocatable, 'cpu'));
  const memory = quantityValue(listQuantity(allocatable, 'memory'));
  for (const pod of pods) {
    const { requests, limits } = podRequestsAndLimits(pod);
    const get = (list: ResourceList, name: string) => list.get(name) ?? ZERO_QUANTITY;
    w.write(LEVEL_1, `${str(pod.metadata.namespace)}\t${str(pod.metadata.name)}\t\t${withShare(get(requests, 'cpu'), cpu, quantityMilliValue)}\t`
      + `${withShare(get(limits, 'cpu'), cpu, quantityMilliValue)}\t${withShare(get(requests, 'memory'), memory, quantityValue)}\t`
      + `${withShare(get(limits, 'memory'), memory, quantityValue)}\t${since(pod.metadata.creationTimestamp, clock)}\n`);
  }
  describeAllocatedResources(w, allocatable, pods);
}

function describeAllocatedResources(w: PrefixWriter, allocatable: Record<string, unknown>, pods: KubeObject[]): void {
  w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
  w.write(LEVEL_1, '--------\t--------\t------\n');
  const { requests, limits } = podsTotalRequestsAndLimits(pods);
  const names = Object.keys(allocatable);
  const hugePages = names.filter((n) => n.startsWith(HUGEPAGES_PREFIX)).sort(byteOrder);
  const rows: Array<[string, (q: Quantity) => number]> = [
    ['cpu', quantityMilliValue], ['memory', quantityValue], ['ephemeral-storage', quantityValue],
    ...hugePages.map((n): [string, (q: Quantity) => number] => [n, quantityValue]),
  ];
  for (const [name, scale] of rows) {
    const whole = scale(listQuantity(allocatable, name));
    const req = requests.get(name) ?? ZERO_QUANTITY;
    const lim = limits.get(name) ?? ZERO_QUANTITY;
    w.write(LEVEL_1, `${name}\t${withGuardedShare(req, whole, scale)}\t${withGuardedShare(lim, whole, scale)}\n`);
  }
  const extended = names.filter((n) => !STANDARD_CONTAINER_RESOURCES.has(n) && !n.startsWith(HUGEPAGES_PREFIX) && n !== 'pods').sort(byteOrder);
  for (const name of extended) {
    w.write(LEVEL_1, `${name}\t${formatQuantity(requests.get(name) ?? ZERO_QUANTITY)}\t${formatQuantity(limits.get(name) ?? ZERO_QUANTITY)}\n`);
  }
}

/**
 * `kubectl describe node`: roles, labels, taints, the kubelet's Lease, conditions, addresses,
 * capacity, system info, the non-terminated pods with what they request, the totals and (unless
 * `events` is undefined) the node's Events. `pods` are nodeNonTerminatedPods', `events` nodeEvents'.
 */
export function describeNode(node: KubeObject, pods: KubeObject[], lease: NodeLease, events: KubeObject[] | undefined, clock: DescribeClock): string {
  const out: string[] = [];
  const w = prefixWriter(out);
  const spec = node.spec ?? {};
  const status = node.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(node.metadata.name)}\n`);
  const roles = nodeRoles(node);
  w.write(LEVEL_0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
  printLabelsMultiline(w, 'Labels', node.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', node.metadata.annotations);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  printTaintsMultiline(w, 'Taints', spec.taints);
  w.write(LEVEL_0, `Unschedulable:\t${goBool(spec.unschedulable)}\n`);
  describeNodeLease(w, lease);
  describeNodeConditions(w, status.conditions);
  w.write(LEVEL_0, 'Addresses:\n');
  for (const a of status.addresses ?? []) w.write(LEVEL_1, `${str(a.type)}:\t${str(a.address)}\n`);
  printResourceList(w, 'Capacity', status.capacity);
  printResourceList(w, 'Allocatable', status.allocatable);
  describeNodeSystemInfo(w, status.nodeInfo ?? {});
  if (spec.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (spec.podCIDRs?.length) w.write(LEVEL_0, `PodCIDRs:\t${spec.podCIDRs.join(',')}\n`);
  if (spec.providerID) w.write(LEVEL_0, `ProviderID:\t${spec.providerID}\n`);
  describeNodeResource(w, node, pods, clock);
  if (events) describeEvents(w, events, clock);
  return goTabwriter(out.join(''));
}
