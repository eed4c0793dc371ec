// Cron schedules as the CronJob controller reads them: the grammar of api/cron.ts (robfig/cron
// ParseStandard) and SpecSchedule.Next, as vendored by pkg/controller/cronjob, with a time zone
// (spec.timeZone, or a CRON_TZ=/TZ= prefix) through Intl. Pure.
import { parseCron, type CronField } from '../../api/cron.ts';

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (Unix ms), or undefined when there is none within 5 years. */
  next(afterMs: number): number | undefined;
}

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
  const parsed = parseCron(s);
  if ('error' in parsed) throw new Error(parsed.error);
  if ('everyMs' in parsed) {
    // ConstantDelaySchedule: at least one second, rounded down to whole seconds.
    const period = Math.max(1000, Math.floor(parsed.everyMs / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + period };
  }
  const fields = parsed.fields;
  return { next: (after) => nextActivation(fields, after, tz) };
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
function nextActivation(f: CronField[], afterMs: number, tz: string | undefined): number | undefined {
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
