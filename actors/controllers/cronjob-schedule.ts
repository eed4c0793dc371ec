// Cron schedules as the CronJob controller reads them (github.com/robfig/cron/v3 ParseStandard
// and SpecSchedule.Next, as vendored by pkg/controller/cronjob): five fields (minute, hour,
// day of month, month, day of week) with *, ?, ranges, steps, lists and month/day names; the
// @yearly/@annually, @monthly, @weekly, @daily/@midnight and @hourly descriptors; `@every <d>`;
// and a time zone (spec.timeZone, or a CRON_TZ=/TZ= prefix) through Intl. Pure.

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (Unix ms), or undefined when there is none within 5 years. */
  next(afterMs: number): number | undefined;
}

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
interface Field { values: Set<number>; star: boolean }

/** ParseStandard: throws an Error with robfig's message for an invalid schedule. */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  let s = spec.trim();
  let tz = timeZone;
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(s);
  if (m) {
    tz = m[1];
    s = m[2].trim();
  }
  if (tz) new Intl.DateTimeFormat('en-US', { timeZone: tz });
  if (s.length === 0) throw new Error('empty spec string');
  if (s.startsWith('@every ')) return everySchedule(s.slice(7).trim());
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s];
    if (!d) throw new Error(`unrecognized descriptor: ${s}`);
    s = d;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const fields = parts.map((p, i) => parseField(p, FIELDS[i]));
  return { next: (after) => nextActivation(fields, after, tz) };
}

function parseField(expr: string, b: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of expr.split(',')) {
    const [range, stepStr] = part.split('/');
    const [lo, hi] = range.split('-');
    let start: number;
    let end: number;
    let isStar = false;
    if (lo === '*' || lo === '?') {
      start = b.min;
      end = b.max;
      isStar = true;
    } else {
      start = parseValue(lo, b);
      end = hi === undefined ? start : parseValue(hi, b);
    }
    let step = 1;
    if (stepStr !== undefined) {
      step = parseValue(stepStr, { min: 0, max: Infinity });
      if (hi === undefined && !isStar) end = b.max;
      if (step > 1) isStar = false;
    }
    if (start < b.min || end > b.max || start > end || step === 0) throw new Error(`invalid range: ${part}`);
    if (isStar) star = true;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

function parseValue(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}`);
  return Number(s);
}

function everySchedule(d: string): CronSchedule {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(d))) {
    total += Number(match[1]) * units[match[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== d.length || total <= 0) throw new Error(`failed to parse duration @every ${d}`);
  // ConstantDelaySchedule: at least one second, rounded down to whole seconds.
  const period = Math.max(1000, Math.floor(total / 1000) * 1000);
  return { next: (after) => Math.floor(after / 1000) * 1000 + period };
}

/** Wall-clock fields of a Unix ms instant in `tz` (UTC when undefined). */
function wallClock(ms: number, tz: string | undefined): { y: number; mo: number; d: number; h: number; mi: number } {
  if (!tz) {
    const t = new Date(ms);
    return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') };
}

/** The Unix ms of a wall-clock minute in `tz` (the earlier instant when a DST change repeats it). */
function fromWallClock(y: number, mo: number, d: number, h: number, mi: number, tz: string | undefined): number {
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  if (!tz) return naive;
  let guess = naive;
  for (let i = 0; i < 3; i++) {
    const w = wallClock(guess, tz);
    const diff = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - naive;
    if (diff === 0) return guess;
    guess -= diff;
  }
  return guess;
}

/**
 * SpecSchedule.Next: from the next whole minute, skip months, days, hours and minutes that do
 * not match. Day matching follows cron: when day-of-month or day-of-week is `*`, both must
 * match; otherwise either may.
 */
function nextActivation(f: Field[], afterMs: number, tz: string | undefined): number | undefined {
  const [minute, hour, dom, month, dow] = f;
  const start = wallClock(Math.floor(afterMs / 60_000) * 60_000 + 60_000, tz);
  // Walk wall-clock time in a UTC Date used as a calendar.
  const t = new Date(Date.UTC(start.y, start.mo - 1, start.d, start.h, start.mi));
  const limit = start.y + 5;
  const dayMatches = () => {
    const domOk = dom.values.has(t.getUTCDate());
    const dowOk = dow.values.has(t.getUTCDay());
    return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
  };
  while (t.getUTCFullYear() <= limit) {
    if (!month.values.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches()) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!hour.values.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!minute.values.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    const at = fromWallClock(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), tz);
    if (at > afterMs) return at;
    t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
  }
  return undefined;
}
