// Durations as Kubernetes and kubectl write them (Go's time.ParseDuration): 90s, 5m, 1h30m, 500ms.

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration; a bare number is milliseconds. */
export function parseDuration(d: string | number): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new Error(`invalid duration ${d}: must be a non-negative number of milliseconds`);
    return d;
  }
  const s = d.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || s.length === 0) throw new Error(`invalid duration "${d}": use forms like 90s, 5m, 1h30m, 500ms`);
  return Math.round(total);
}

/** 5m50s, 1h0m10s, 250ms: how a virtual duration is shown in timelines. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1_000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1_000;
  const sec = Number.isInteger(s) ? `${s}s` : `${s.toFixed(3).replace(/0+$/, '')}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}
