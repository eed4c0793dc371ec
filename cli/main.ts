// The kubesim command line: apply, run, replay.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { Cluster, createdClusters, formatApplyError, setClusterDefaults, type ClusterOptions } from '../cluster/cluster.ts';
import { loadManifests, ManifestError } from '../cluster/manifests.ts';
import { parseDuration, formatDuration } from '../cluster/duration.ts';
import { MemoryTraceSink, diffTraces } from '../runtime/index.ts';
import { printAll, printEvents } from './printers.ts';
import { runKubectl } from '../cluster/kubectl.ts';
import { loadImagesFile } from '../cluster/images-file.ts';
import { checkCommand, replayCheck } from '../checker/cli.ts';
import { inspectCommand } from './inspect.ts';

const HELP: Record<string, string> = {
  main: `kubesim: Kubernetes as a deterministic actor simulation, with virtual time.

Usage:
  kubesim apply -f FILE|DIR [-f ...] [--for DURATION] ...   boot a cluster, apply manifests, advance time, print the state
  kubesim run SCENARIO.ts [--seed N] [--trace FILE]          run a scenario file
  kubesim replay TRACE.jsonl                                 re-run a recorded trace and check it is byte-identical
  kubesim check FILE.check.ts                                model-check a controller: explore interleavings and faults
  kubesim inspect SCENARIO.ts|TRACE.jsonl [--port N] [--speed X] [--export FILE]
                                                             watch, scrub and explain a run in a local web page
                                                             (also: kubesim run SCENARIO.ts --inspect, kubesim apply ... --inspect)
  kubesim describe|logs|exec|rollout|drain|cordon|uncordon|scale|set ARGS -f FILE ...
                                                             apply, then run that kubectl command in the simulation

Run 'kubesim COMMAND --help' for a command's options and examples.`,
  apply: `Boot a simulated cluster, apply manifests as 'kubectl apply -f' does, advance virtual time, print the state.

Options are processed in order: each -f applies its documents (create or update), each --for advances
virtual time. When the last option is not a --for, the run ends with --for 5m.

Usage:
  kubesim apply -f FILE|DIR [-f FILE|DIR ...] [--for DURATION ...] [options]

Options:
  -f, --filename PATH    manifest file or directory (.yaml, .yml, .json; directories are read in name order)
      --for DURATION     advance virtual time (90s, 5m, 1h30m)
      --nodes N          nodes in the cluster (default 3; each runs a kubelet)
      --node-cpu Q       CPU per node (default 4)
      --node-memory Q    memory per node (default 16Gi)
      --node-pods N      pods per node (default 110)
      --seed N           seed of the run (default 1): same seed, same run
      --images FILE      images the registry has or lacks: sizes, pull times, missing, private, behaviours
  -o, --output FORMAT    table (default), wide (tables with -o wide's extra columns), json or yaml (a v1 List of every object, Events included)
      --events           print the event timeline
      --trace FILE       record the trace (JSON lines) for 'kubesim replay'

Examples:
  kubesim apply -f manifests/nginx-deployment.yaml
  kubesim apply -f base/ --for 2m -f patch.yaml --for 10m --events
  kubesim apply -f app.yaml -o json --seed 7 > state.json
  kubesim apply -f manifests/nginx-deployment.yaml --for 1m --kubectl 'set image deployment/nginx-deployment nginx=nginx:1.16.1' --kubectl 'rollout status deployment/nginx-deployment'`,
  run: `Run a scenario file (TypeScript) with the CLI's seed and trace settings.

Usage:
  kubesim run SCENARIO.ts [--seed N] [--trace FILE]

Examples:
  kubesim run scenarios/hello-world.ts
  kubesim run scenarios/hello-world.ts --seed 7 --trace hello.jsonl && kubesim replay hello.jsonl`,
  replay: `Re-run what a trace recorded (a scenario or an apply command, with its seed) and compare the new
trace with the recording, line by line. Exits 1 at the first difference.

Usage:
  kubesim replay TRACE.jsonl

Example:
  kubesim run scenarios/hello-world.ts --trace hello.jsonl && kubesim replay hello.jsonl`,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'apply': return rest.includes('--inspect') ? await inspectCommand(['--apply', ...rest.filter((a) => a !== '--inspect')]) : await applyCommand(rest);
      case 'run': return rest.includes('--inspect') ? await inspectCommand(rest.filter((a) => a !== '--inspect')) : await runCommand(rest);
      case 'inspect': return await inspectCommand(rest);
      case 'replay': return await replayCommand(rest);
      case 'check': return await checkCommand(rest);
      case 'rollout': case 'drain': case 'cordon': case 'uncordon': case 'scale': case 'set': case 'describe': case 'logs': case 'exec':
        return await kubectlSugar(command, rest);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(HELP.main + '\n');
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`error: unknown command "${command}" for "kubesim"\n\n${HELP.main}\n`);
        return 1;
    }
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// -------------------------------------------------------------------- apply

interface ApplyStep { kind: 'file' | 'for' | 'kubectl'; value: string }

export async function applyCommand(args: string[], opts: { trace?: ClusterOptions['trace']; quiet?: boolean } = {}): Promise<number> {
  const { values, tokens } = parseArgs({
    args, allowPositionals: false, tokens: true, strict: true,
    options: {
      filename: { type: 'string', short: 'f', multiple: true },
      for: { type: 'string', multiple: true },
      kubectl: { type: 'string', multiple: true },
      images: { type: 'string' },
      nodes: { type: 'string' }, 'node-cpu': { type: 'string' }, 'node-memory': { type: 'string' }, 'node-pods': { type: 'string' },
      seed: { type: 'string' }, output: { type: 'string', short: 'o' }, events: { type: 'boolean' }, trace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP.apply + '\n');
    return 0;
  }
  const output = values.output ?? 'table';
  if (!['table', 'wide', 'json', 'yaml'].includes(output)) throw new Error(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,wide,yaml`);
  const steps: ApplyStep[] = tokens.filter((t) => t.kind === 'option' && (t.name === 'filename' || t.name === 'for' || t.name === 'kubectl'))
    .map((t: any) => ({ kind: t.name === 'for' ? 'for' : t.name === 'kubectl' ? 'kubectl' : 'file', value: t.value as string }));
  if (!steps.some((s) => s.kind === 'file')) throw new Error('must specify one of -f and -k');
  if (steps[steps.length - 1].kind !== 'for') steps.push({ kind: 'for', value: '5m' });
  for (const s of steps) if (s.kind === 'for') parseDuration(s.value);
  const seed = values.seed === undefined ? 1 : parseSeed(values.seed);
  const cluster = new Cluster({
    seed, trace: opts.trace ?? values.trace, origin: { command: 'apply', args, cwd: process.cwd() },
    nodes: values.nodes === undefined ? 3 : parseCount(values.nodes, '--nodes'), nodeCpu: values['node-cpu'], nodeMemory: values['node-memory'],
    nodePods: values['node-pods'] === undefined ? undefined : parseCount(values['node-pods'], '--node-pods'),
  });
  if (values.images) loadImagesFile(cluster.images, values.images);
  const say = (line: string) => {
    if (opts.quiet) return;
    (output === 'table' || output === 'wide' ? process.stdout : process.stderr).write(line + '\n');
  };
  let failed = false;
  for (const step of steps) {
    if (step.kind === 'for') {
      await advance(cluster, parseDuration(step.value), opts.quiet);
      continue;
    }
    if (step.kind === 'kubectl') {
      cluster.runtime.input('kubectl', { command: step.value });
      try {
        say(await runKubectl(cluster, step.value));
      } catch (e) {
        failed = true;
        if (!opts.quiet) process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      }
      continue;
    }
    let docs;
    try {
      docs = loadManifests([step.value]);
    } catch (e) {
      if (e instanceof ManifestError || e instanceof Error) {
        if (!opts.quiet) process.stderr.write(`error: ${e.message}\n`);
        failed = true;
        continue;
      }
      throw e;
    }
    for (const o of cluster.applyDocuments(docs)) {
      if (o.error) {
        failed = true;
        if (!opts.quiet) process.stderr.write(formatApplyError(o) + '\n');
      } else say(`${o.ref} ${o.action}`);
    }
  }
  // The state is read (through the API, so into the trace) even when quiet, so replays match.
  printState(cluster, output, Boolean(values.events), opts.quiet ? () => {} : undefined);
  cluster.close();
  return failed ? 1 : 0;
}

type Write = (text: string) => void;

function printState(cluster: Cluster, output: string, events: boolean, discard?: Write): void {
  const stdout: Write = discard ?? ((t) => process.stdout.write(t));
  const stderr: Write = discard ?? ((t) => process.stderr.write(t));
  const objects = cluster.all();
  if (output === 'json' || output === 'yaml') {
    const list = { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
    stdout(output === 'json' ? JSON.stringify(list, null, 4) + '\n' : stringify(list));
  } else {
    stdout(`\nCluster state at ${formatDuration(cluster.now())} of virtual time (${cluster.time()}):\n\n`);
    stdout(printAll(objects, { nowMs: cluster.now(), epochMs: cluster.epoch, wide: output === 'wide' }));
  }
  if (events) (output === 'table' || output === 'wide' ? stdout : stderr)('\nEvents:\n' + printEvents(cluster.events(), { epochMs: cluster.epoch }));
}

/** Advances virtual time, reporting progress on stderr when it is a terminal. */
async function advance(cluster: Cluster, ms: number, quiet?: boolean): Promise<void> {
  const tty = process.stderr.isTTY && !quiet;
  const chunk = 60_000;
  if (!tty || ms <= chunk * 10) {
    await cluster.runFor(ms);
    return;
  }
  const end = cluster.now() + ms;
  let steps = cluster.runtime.steps;
  let last = performance.now();
  while (cluster.now() < end) {
    await cluster.runFor(Math.min(chunk, end - cluster.now()));
    const now = performance.now();
    const rate = Math.round(((cluster.runtime.steps - steps) * 1000) / Math.max(1, now - last));
    steps = cluster.runtime.steps;
    last = now;
    process.stderr.write(`\r  virtual time ${formatDuration(cluster.now())} of ${formatDuration(end)}, ${rate} events/s   `);
  }
  process.stderr.write('\n');
}

function parseCount(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid argument "${s}" for "${flag}" flag: must be a non-negative integer`);
  return n;
}

function parseSeed(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`invalid argument "${s}" for "--seed" flag: must be an integer from 0 to 4294967295`);
  return n;
}

/**
 * `kubesim rollout status deployment/web -f app.yaml [--for 1m] ...`: apply the manifests (and
 * waits) given, then run the kubectl command; the state is printed as for apply.
 */
async function kubectlSugar(command: string, args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`Usage: kubesim ${command} ARGS -f FILE [apply options]\n\nApplies the manifests, then runs 'kubectl ${command} ARGS' inside the simulation.\n\nExamples:\n  kubesim describe pod liveness-exec -f manifests/exec-liveness.yaml --for 90s\n  kubesim exec liveness-exec -f manifests/exec-liveness.yaml --for 10s -- cat /tmp/healthy\n  kubesim logs deploy/nginx-deployment --timestamps -f manifests/nginx-deployment.yaml\n  kubesim rollout status deployment/nginx-deployment -f manifests/nginx-deployment.yaml\n  kubesim drain node-1 --ignore-daemonsets -f manifests/frontend-replicaset.yaml --for 1m\n`);
    return 0;
  }
  const own: string[] = [];
  const apply: string[] = [];
  const withValue = new Set(['-f', '--filename', '--for', '--seed', '-o', '--output', '--trace', '--nodes', '--node-cpu', '--node-memory', '--node-pods', '--kubectl', '--images']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    // After `--` everything is the container's command (kubectl exec POD -- tail -f x).
    if (a === '--') {
      own.push(...args.slice(i));
      break;
    }
    const name = a.split('=')[0];
    if (withValue.has(name) || name === '--events') {
      apply.push(a);
      if (withValue.has(a) && i + 1 < args.length) apply.push(args[++i]);
    } else own.push(a);
  }
  const hasWait = apply.some((a) => a === '--for' || a.startsWith('--for='));
  const line = [command, ...own].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return applyCommand([...apply, ...(hasWait ? [] : ['--for', '1m']), '--kubectl', line, '--for', '0s']);
}

// -------------------------------------------------------------------- run

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, strict: true,
    options: { seed: { type: 'string' }, trace: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP.run + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new Error('kubesim run takes one scenario file (see kubesim run --help)');
  const scenario = resolve(positionals[0]);
  const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
  await runScenario(scenario, { seed, trace: values.trace });
  return 0;
}

async function runScenario(scenario: string, opts: { seed?: number; trace?: ClusterOptions['trace'] }): Promise<void> {
  setClusterDefaults({ seed: opts.seed, trace: opts.trace, origin: { command: 'run', scenario, seed: opts.seed ?? null } });
  try {
    await import(pathToFileURL(scenario).href);
  } finally {
    for (const c of createdClusters().splice(0)) c.close();
    setClusterDefaults(undefined);
  }
}

// -------------------------------------------------------------------- replay

async function replayCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(HELP.replay + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new Error('kubesim replay takes one trace file (see kubesim replay --help)');
  const recorded = readFileSync(positionals[0], 'utf8').split('\n').filter((l) => l.length > 0);
  const origin = originOf(recorded);
  const sink = new MemoryTraceSink();
  const log = console.log;
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  console.log = () => {};
  (process.stdout as any).write = () => true;
  try {
    if (origin.command === 'run') await runScenario(origin.scenario as string, { seed: (origin.seed as number | null) ?? undefined, trace: sink });
    else if (origin.command === 'apply') {
      const cwd = process.cwd();
      process.chdir(origin.cwd as string);
      try {
        await applyCommand(origin.args as string[], { trace: sink, quiet: true });
      } finally {
        process.chdir(cwd);
      }
    } else if (origin.command === 'check-replay') await replayCheck(origin, sink);
    else throw new Error(`the trace does not say how it was made (origin ${JSON.stringify(origin)})`);
  } finally {
    console.log = log;
    (process.stdout as any).write = stdoutWrite;
  }
  const diff = diffTraces(recorded, sink.lines);
  if (diff) {
    process.stdout.write(`replay diverged at line ${diff.line}:\n  recorded: ${diff.expected ?? '<end of trace>'}\n  replayed: ${diff.actual ?? '<end of trace>'}\n`);
    return 1;
  }
  process.stdout.write(`replay identical: ${recorded.length} trace lines (seed ${JSON.parse(recorded[0]).seed})\n`);
  return 0;
}

function originOf(lines: string[]): Record<string, unknown> {
  for (const line of lines.slice(0, 5)) {
    const rec = JSON.parse(line);
    if (rec.kind === 'input' && rec.what === 'cluster' && rec.origin) return rec.origin;
  }
  throw new Error('not a kubesim trace with a recorded origin (record one with kubesim run --trace or kubesim apply --trace)');
}
