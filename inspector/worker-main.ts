// The recorder worker: runs a scenario or an apply command line with the Recorder attached,
// paced (live) or as fast as possible (replay, export), and posts protocol messages to the
// server's thread in batches.
import { parentPort, workerData } from 'node:worker_threads';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setClusterDefaults } from '../cluster/cluster.ts';
import { Recorder } from './recorder.ts';
import { Controls, CTRL, Pacer, StopRun } from './pacer.ts';
import type { ServerMessage } from './protocol.ts';
import type { RunSource, WorkerJob, WorkerReply } from './run-source.ts';

const job = workerData as WorkerJob;
const port = parentPort!;
let batch: ServerMessage[] = [];
let lastFlush = performance.now();

function flush(): void {
  if (batch.length === 0) return;
  const reply: WorkerReply = { batch };
  port.postMessage(reply);
  batch = [];
  lastFlush = performance.now();
}

function out(m: ServerMessage): void {
  batch.push(m);
  if (batch.length >= 2000 || (job.paced && performance.now() - lastFlush > 50)) flush();
}

const controls = job.controls ? new Controls(job.controls) : undefined;
const recorder = new Recorder(out, { frameEveryMs: job.frameEveryMs, onAttach: (cluster) => {
  if (!job.paced || !controls) return;
  const pacer = new Pacer(cluster.runtime, controls, () => idle());
  pacer.install();
  pacerRef = pacer;
} });
let pacerRef: Pacer | undefined;
let finished = false;
let lastStatusSteps = -1;
let lastStatusKey = '';

/** Before the pacer waits: a keyframe and a status for the page, then everything is flushed. */
function idle(): void {
  const c = recorder.cluster;
  if (c && controls) {
    const rt = c.runtime;
    const key = `${rt.steps}|${rt.now()}|${controls.paused}|${controls.speed}|${finished}`;
    if (key !== lastStatusKey) {
      lastStatusKey = key;
      if (rt.steps !== lastStatusSteps) recorder.frame(rt.now());
      lastStatusSteps = rt.steps;
      const pending = rt.pending();
      out({
        type: 'status', t: rt.now(), steps: rt.steps, paused: controls.paused, speed: controls.speed === Infinity ? 0 : controls.speed,
        finished, pending: pending.length, next: pending.slice(0, 8).map((p) => ({ due: p.due, kind: p.kind, to: p.to, type: p.type, from: p.from })),
      });
    }
  }
  flush();
}

async function run(source: RunSource): Promise<void> {
  if (source.kind === 'scenario') {
    setClusterDefaults({ seed: source.seed, trace: recorder, origin: { command: 'run', scenario: source.path, seed: source.seed ?? null } });
    await import(pathToFileURL(source.path).href);
  } else if (source.kind === 'check') {
    const { replayCheck } = await import('../checker/cli.ts');
    await replayCheck(source.origin, recorder);
  } else {
    const { applyCommand } = await import('../cli/main.ts');
    await applyCommand(absolutePaths(source.args, source.cwd), { trace: recorder, quiet: job.quiet });
  }
}

/** -f, --filename and --images values resolved against the recorded working directory. */
function absolutePaths(args: string[], cwd: string): string[] {
  const out: string[] = [];
  const withPath = new Set(['-f', '--filename', '--images']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    if (withPath.has(a) && i + 1 < args.length) {
      out.push(a, abs(args[++i], cwd));
    } else if (eq > 0 && withPath.has(a.slice(0, eq))) out.push(`${a.slice(0, eq)}=${abs(a.slice(eq + 1), cwd)}`);
    else out.push(a);
  }
  return out;
}

function abs(p: string, cwd: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p);
}

const log = console.log;
if (job.quiet) console.log = () => {};
let error: string | undefined;
try {
  await run(job.source);
  recorder.attach();
  recorder.frame(recorder.cluster?.now() ?? 0);
} catch (e) {
  if (!(e instanceof StopRun)) error = e instanceof Error ? (e.stack ?? e.message) : String(e);
} finally {
  console.log = log;
}
finished = true;
out({ type: 'end', t: recorder.cluster?.now() ?? 0, ...(error ? { error } : {}) });
idle();
flush();
// Live: the cluster keeps running (heartbeats, controllers' resyncs), paced, until the server stops it.
if (job.paced && pacerRef && recorder.cluster && !error) {
  const rt = recorder.cluster.runtime;
  try {
    for (;;) {
      const due = rt.nextDue();
      if (due !== undefined) {
        rt.step();
        continue;
      }
      idle();
      if (controls!.stopped) break;
      Atomics.wait(controls!.ints, CTRL.version, controls!.version, 500);
    }
  } catch (e) {
    if (!(e instanceof StopRun)) port.postMessage({ batch: [{ type: 'end', t: rt.now(), error: String(e) }] } satisfies WorkerReply);
  }
}
flush();
port.postMessage({ done: true } satisfies WorkerReply);
