// The cron grammar of a CronJob's spec.schedule (github.com/robfig/cron/v3 ParseStandard, as
// vendored by Kubernetes): five fields (minute, hour, day of month, month, day of week) with *, ?,
// ranges, steps, lists and month/day names; the @yearly/@annually, @monthly, @weekly,
// @daily/@midnight and @hourly descriptors; and `@every <duration>`. One parser serves the API
// server's validation (its error texts are robfig's) and the CronJob controller's schedule. Pure.

interface Bounds { min: number; max: number; names?: Record<string, number> }

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } },
  { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** One field: the allowed values, and whether it was written as * or ? (robfig's starBit). */
export interface CronField { values: Set<number>; star: boolean }

/** A parsed schedule: five fields, or a constant period (`@every`), or robfig's error text. */
export type ParsedCron = { fields: CronField[] } | { everyMs: number } | { error: string };

/** ParseStandard of `spec` (without a TZ= prefix). */
export function parseCron(spec: string): ParsedCron {
  let s = spec.trim();
  if (s.length === 0) return { error: 'empty spec string' };
  if (s.startsWith('@every ')) return parseEvery(s);
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s];
    if (!d) return { error: `unrecognized descriptor: ${s}` };
    s = d;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) return { error: `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]` };
  const fields: CronField[] = [];
  for (let i = 0; i < 5; i++) {
    const field: CronField = { values: new Set(), star: false };
    for (const part of parts[i].split(',')) {
      const err = addRange(part, FIELDS[i], field);
      if (err) return { error: err };
    }
    fields.push(field);
  }
  return { fields };
}

/** cron.ParseStandard's error for `schedule`, or null when it parses. */
export function cronScheduleError(schedule: string): string | null {
  const parsed = parseCron(schedule);
  return 'error' in parsed ? parsed.error : null;
}

/** robfig/cron mustParseInt (strconv.Atoi wording). */
function parseInt10(expr: string): number | string {
  if (!/^[+-]?\d+$/.test(expr)) return `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`;
  const n = Number(expr);
  return n < 0 ? `negative number (${n}) not allowed: ${expr}` : n;
}

function parseIntOrName(expr: string, b: Bounds): number | string {
  const named = b.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseInt10(expr);
}

/** robfig/cron getRange: adds the range's values to `field`; returns an error text or null. */
function addRange(expr: string, b: Bounds, field: CronField): string | null {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    const s = parseIntOrName(lowAndHigh[0], b);
    if (typeof s === 'string') return s;
    start = s;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const e = parseIntOrName(lowAndHigh[1], b);
      if (typeof e === 'string') return e;
      end = e;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const st = parseInt10(rangeAndStep[1]);
    if (typeof st === 'string') return st;
    step = st;
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`;
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  if (star) field.star = true;
  for (let v = start; v <= end; v += step) field.values.add(v);
  return null;
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `@every <d>` with Go's time.ParseDuration units. */
function parseEvery(spec: string): ParsedCron {
  const d = spec.slice(7).trim();
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(d))) {
    total += Number(match[1]) * DURATION_UNITS_MS[match[2]];
    consumed = re.lastIndex;
  }
  if (d.length === 0 || consumed !== d.length) return { error: `failed to parse duration ${spec}` };
  return { everyMs: total };
}
