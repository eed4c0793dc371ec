// `kubesim inspect`: the visual inspector. Runs a scenario (or an apply command line) paced in
// real time and serves a page on 127.0.0.1 to watch, pause, step, scrub and explain it; opens a
// recorded trace for replay (re-running its origin in memory); or exports one self-contained
// HTML report that replays the same timeline offline.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InspectorServer, recordRun } from '../inspector/server.ts';
import { exportedPage } from '../inspector/assets.ts';
import type { RunSource } from '../inspector/run-source.ts';

export const INSPECT_HELP = `Watch, scrub and explain a simulation in a local web page (served on 127.0.0.1, fully offline).

Usage:
  kubesim inspect SCENARIO.ts [--port N] [--speed X] [--paused] [--seed N]   run it paced, serve the page
  kubesim inspect TRACE.jsonl [--port N]                                     replay a recorded trace
  kubesim inspect --apply -f FILE [apply options] [--port N] [--speed X]     an apply command line, live
  kubesim inspect SCENARIO.ts|TRACE.jsonl --export report.html              one self-contained HTML file

Options:
      --port N        port on 127.0.0.1 (default: a free one)
      --speed X       virtual time per wall time (default 1; 60 = a minute per second; 0 = as fast as possible)
      --paused        start paused: the page's Step delivers one message or timer, Play runs
      --seed N        the scenario's seed (as kubesim run --seed)
      --export FILE   record the whole run and write one HTML file with the data and the page inlined
      --quiet         do not print the scenario's output

Examples:
  kubesim inspect scenarios/self-healing.ts --speed 10
  kubesim run scenarios/self-healing.ts --trace sh.jsonl && kubesim inspect sh.jsonl
  kubesim inspect scenarios/self-healing.ts --export self-healing.html`;

/** Options of inspect itself; everything else after --apply goes to apply. */
const OWN = { port: 'string', speed: 'string', paused: 'boolean', seed: 'string', export: 'string', quiet: 'boolean', help: 'boolean', apply: 'boolean' } as const;

export async function inspectCommand(args: string[]): Promise<number> {
  const applyMode = args.includes('--apply');
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].split('=')[0].replace(/^--/, '');
    if (args[i].startsWith('--') && name in OWN && !(applyMode && name === 'seed')) {
      own.push(args[i]);
      if (OWN[name as keyof typeof OWN] === 'string' && !args[i].includes('=') && i + 1 < args.length) own.push(args[++i]);
    } else if (args[i] === '-h') own.push('--help');
    else rest.push(args[i]);
  }
  const { values } = parseArgs({
    args: own, strict: true, allowPositionals: false,
    options: Object.fromEntries(Object.entries(OWN).map(([k, type]) => [k, { type }])) as any,
  }) as { values: Record<string, string | boolean | undefined> };
  if (values.help) {
    process.stdout.write(INSPECT_HELP + '\n');
    return 0;
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new Error(`invalid argument "${values.seed}" for "--seed" flag`);
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new Error(`invalid argument "${values.speed}" for "--speed" flag: a number >= 0`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid argument "${values.port}" for "--port" flag`);

  let source: RunSource;
  let title: string;
  let replay = false;
  if (applyMode) {
    source = { kind: 'apply', args: rest, cwd: process.cwd() };
    title = `kubesim apply ${rest.join(' ')}`;
  } else {
    if (rest.length !== 1) throw new Error('kubesim inspect takes one scenario (.ts) or trace (.jsonl) file (see kubesim inspect --help)');
    const file = resolve(rest[0]);
    if (/\.(jsonl|json)$/.test(file)) {
      const origin = traceOrigin(file);
      replay = true;
      title = `trace ${basename(file)}`;
      if (origin.command === 'run') source = { kind: 'scenario', path: origin.scenario as string, seed: (origin.seed as number | null) ?? undefined };
      else if (origin.command === 'apply') source = { kind: 'apply', args: origin.args as string[], cwd: origin.cwd as string };
      else if (origin.command === 'check-replay') source = { kind: 'check', origin };
      else throw new Error(`kubesim inspect cannot re-run a trace made by "${String(origin.command)}" (only kubesim run, kubesim apply and kubesim check traces)`);
    } else {
      source = { kind: 'scenario', path: file, seed };
      title = basename(file);
    }
  }

  if (values.export) {
    const messages = await recordRun(source, title, { seed });
    const ended = messages.find((m) => m.type === 'end');
    if (ended && ended.type === 'end' && ended.error) process.stderr.write(`warning: the run failed: ${ended.error.split('\n')[0]}\n`);
    writeFileSync(values.export as string, await exportedPage(messages.map((m) => (m.type === 'hello' ? { ...m, mode: 'export' as const } : m))));
    process.stdout.write(`wrote ${values.export} (${messages.length} messages)\n`);
    return 0;
  }
  const server = replay
    ? await InspectorServer.recorded(await recordRun(source, title, { seed }), port)
    : await InspectorServer.live(source, title, { port, speed, paused: Boolean(values.paused), quiet: Boolean(values.quiet), seed });
  process.stdout.write(`kubesim inspector: ${server.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  return 0;
}

/** The origin a trace recorded (its `input cluster` line), as `kubesim replay` reads it. */
export function traceOrigin(path: string): Record<string, unknown> {
  const lines = readFileSync(path, 'utf8').split('\n', 6).filter((l) => l.length > 0);
  for (const line of lines) {
    const rec = JSON.parse(line);
    if (rec.kind === 'input' && rec.what === 'cluster' && rec.origin) return rec.origin;
  }
  throw new Error('not a kubesim trace with a recorded origin (record one with kubesim run --trace or kubesim apply --trace)');
}
