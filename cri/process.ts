// A container's process as containerd runs it and the kubelet observes it: the command line
// Kubernetes builds (command ⇒ ENTRYPOINT, args ⇒ CMD, $(VAR) expansion: "Define a Command and
// Arguments for a Container"), a server or a shell script over virtual time, memory against the
// limit (OOMKilled, 137), signals with PID 1 semantics (an untrapped shell ignores SIGTERM, so
// `sleep 3600` pods use their whole grace period), and the kubelet's probes and hooks with
// pkg/probe/{exec,http,tcp,grpc}'s result texts.
import type {
  ContainerConfig, ContainerProcess, ImageInfo, ProbeResult, ProbeSpec, ProcessBehavior, ProcessUpdate,
} from './types.ts';
import { ContainerFs } from './fs.ts';
import { Shell, type ShellHost, type ShellResume, type ShellStep, baseName } from './shell.ts';
import { entrypointLogs, entrypointRefusal, serverProgram, type ProgramTable, type ServerProgram } from './programs.ts';
import { PROGRAM_PROFILES } from './images.ts';

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

/**
 * Kubernetes' $(VAR_NAME) expansion (third_party/forked/golang/expansion): defined variables are
 * replaced, `$$` escapes a `$`, undefined references stay as written.
 */
export function expandKubeVars(input: string, env: Record<string, string>): string {
  if (!input.includes('$')) return input;
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end === -1) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The argv containerd runs: no command and no args ⇒ ENTRYPOINT + CMD; args only ⇒ ENTRYPOINT +
 * args; command (with or without args) ⇒ command + args, the image's CMD ignored.
 */
export function resolveCommand(container: { command?: string[]; args?: string[] }, image: ImageInfo, env: Record<string, string> | (() => Record<string, string>)): string[] {
  const command = container.command?.length ? container.command : undefined;
  const args = container.args?.length ? container.args : undefined;
  let argv: string[];
  if (command) argv = [...command, ...(args ?? [])];
  else argv = [...image.entrypoint, ...(args ?? image.cmd)];
  if (!argv.some((a) => a.includes('$'))) return argv;
  const vars = typeof env === 'function' ? env() : env;
  return argv.map((a) => expandKubeVars(a, vars));
}

function isDefaultCommand(container: { command?: string[]; args?: string[] }): boolean {
  return !container.command?.length && !container.args?.length;
}

// ---------------------------------------------------------------------------------------------
// Behaviour over time
// ---------------------------------------------------------------------------------------------

/** A piecewise-linear curve [[ms, value], …] at `t` (flat before the first and after the last point). */
export function curveAt(points: Array<[number, number]> | undefined, t: number): number {
  if (!points || points.length === 0) return 0;
  if (t <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [t1, v1] = points[i];
    if (t <= t1) {
      const [t0, v0] = points[i - 1];
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return points[points.length - 1][1];
}

/** The first time (ms from start) the curve goes above `limit`, or undefined. */
export function firstCrossing(points: Array<[number, number]> | undefined, limit: number): number | undefined {
  if (!points || points.length === 0 || limit <= 0) return undefined;
  if (points[0][1] > limit) return 0;
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1];
    const [t1, v1] = points[i];
    if (v1 > limit) return v0 >= limit || t1 === t0 ? t1 : Math.floor(t0 + ((limit - v0) * (t1 - t0)) / (v1 - v0)) + 1;
  }
  return undefined;
}

/** The HTTP status a path answers `rel` ms after the server started. */
function httpStatusAt(b: ProcessBehavior, path: string, rel: number): number {
  if (b.unhealthyAfterMs !== undefined && rel >= b.unhealthyAfterMs) return 500;
  const steps = b.http?.[path.split('?')[0] || '/'];
  if (steps) {
    for (const s of steps) if (s.untilMs === undefined || rel <= s.untilMs) return s.status;
  }
  return b.defaultStatus ?? 200;
}

// ---------------------------------------------------------------------------------------------
// The process
// ---------------------------------------------------------------------------------------------

/** How long an exec hook may run before it is reported as never finishing. */
export const HOOK_BUDGET_MS = 24 * 3_600_000;
const DEFAULT_PROBE_TIMEOUT_S = 1;

export interface ProcessOptions {
  /** One-shot duration per program (perl, python …) and the default for unknown programs. */
  programs?: ProgramTable;
  defaultProgramMs?: number;
}

interface RunningServer {
  spec: ServerProgram;
  behavior: ProcessBehavior;
  /** Ports it listens on; 'any' for an uncatalogued image with no declared ports. */
  ports: number[] | 'any';
  since: number;
  pid1: boolean;
  stoppedAt?: number;
}

type ExitReason = 'Completed' | 'Error' | 'OOMKilled';

interface ContainerSpecLike {
  name?: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  securityContext?: { runAsUser?: number; runAsGroup?: number };
}

class SimulatedProcess implements ContainerProcess {
  private readonly container: ContainerSpecLike;
  /** The environment, made when something reads it whole (a shell, an exec, a $(VAR) expansion). */
  private envCache: Record<string, string> | undefined;
  private behavior: ProcessBehavior;
  private t0 = 0;
  private started = false;
  private exit: { code: number; reason: ExitReason; at: number } | undefined;
  private exitReported = false;
  private server: RunningServer | undefined;
  private shell: Shell | undefined;
  private gen: Generator<ShellStep, number, ShellResume> | undefined;
  private shellWakeAt = Infinity;
  private resumeWith: ShellResume;
  private termExitAt = Infinity;
  private termExitCode = 0;
  private fsCache: ContainerFs | undefined;
  /** Whole lines the process itself wrote (an image's start-up notices), not yet reported: the catalogue's own strings. */
  private written: string[] | undefined;
  private reportedNotices = 0;

  constructor(private readonly cfg: ContainerConfig, private readonly opts: ProcessOptions) {
    this.container = (cfg.container ?? {}) as ContainerSpecLike;
    const imageDefault = isDefaultCommand(this.container) ? cfg.image.behavior : undefined;
    this.behavior = cfg.behavior ? { ...PROGRAM_PROFILES.shell, ...imageDefault, longRunning: false, ...cfg.behavior } : shellBehavior(imageDefault);
  }

  /**
   * The process's environment: HOME, the image's variables, the container's (the kubelet's
   * service variables among them), HOSTNAME unless set. Made on first use: a server started
   * directly never reads it whole (merging a dozen variables per container took 0.3 s of a
   * 30,000-pod bring-up).
   */
  private get env(): Record<string, string> {
    if (this.envCache) return this.envCache;
    const cfg = this.cfg;
    const env: Record<string, string> = cfg.image.env ? { HOME: '/root', ...cfg.image.env, ...cfg.env } : { HOME: '/root', ...cfg.env };
    if (env.HOSTNAME === undefined) env.HOSTNAME = cfg.hostname;
    return (this.envCache = env);
  }

  /** One variable of the environment, read from its layers when it is not made yet. */
  private envVar(name: string): string | undefined {
    if (this.envCache) return this.envCache[name];
    const { env, image, hostname } = this.cfg;
    if (Object.hasOwn(env, name)) return env[name];
    if (image.env && Object.hasOwn(image.env, name)) return image.env[name];
    return name === 'HOME' ? '/root' : name === 'HOSTNAME' ? hostname : undefined;
  }

  get running(): boolean {
    return this.started && this.exit === undefined;
  }

  private get fs(): ContainerFs {
    this.fsCache ??= new ContainerFs(this.cfg.mounts);
    return this.fsCache;
  }

  // --- lifecycle -------------------------------------------------------------------------

  start(now: number): ProcessUpdate {
    if (this.started) return this.advance(now);
    this.started = true;
    this.t0 = now;
    const argv = resolveCommand(this.container, this.cfg.image, () => this.env);
    if (argv.length === 0) {
      this.finish(128, now);
      return this.update({ output: ['failed to create containerd task: no command specified'] });
    }
    const server = this.directServer(argv);
    if (server) this.listen(server, now, true);
    else this.startShell(argv, now);
    return this.advance(now);
  }

  wake(now: number): ProcessUpdate {
    return this.advance(now);
  }

  signal(sig: 'TERM' | 'KILL', now: number): ProcessUpdate {
    this.advance(now);
    if (!this.running) return this.update();
    if (sig === 'KILL') {
      this.finish(137, now);
      return this.update();
    }
    this.term(now);
    return this.advance(now);
  }

  /** SIGTERM: a server PID 1 exits after its grace; a trapped shell runs its trap; else ignored. */
  private term(now: number): void {
    const explicitGrace = this.cfg.behavior?.termGraceMs;
    if (this.server?.pid1) {
      const b = this.server.behavior;
      this.termExitAt = Math.min(this.termExitAt, now + (b.termGraceMs ?? 0));
      this.termExitCode = b.termExitCode ?? 0;
    } else if (explicitGrace !== undefined) {
      this.termExitAt = Math.min(this.termExitAt, now + explicitGrace);
      this.termExitCode = this.cfg.behavior?.termExitCode ?? 0;
    } else if (this.shell && this.shell.signal('TERM') === 'trapped') {
      this.resumeWith = 'signal';
      this.shellWakeAt = now;
    }
  }

  /** The argv is a server run directly as PID 1 (the fast path: no shell is created). */
  private directServer(argv: string[]): RunningServer | undefined {
    let cmd = argv;
    if (baseName(cmd[0]) === 'docker-entrypoint.sh' || baseName(cmd[0]) === 'docker-entrypoint') {
      if (cmd.length === 1 || entrypointRefusal(cmd.slice(1), (name) => this.envVar(name))) return undefined;
      cmd = cmd.slice(1);
      const lines = entrypointLogs(cmd);
      if (lines.length > 0) (this.written ??= []).push(...lines);
    }
    if (this.cfg.behavior?.longRunning === true && !serverProgram(cmd)) return this.genericServer(cmd);
    const spec = serverProgram(cmd);
    if (spec?.kind === 'server') return this.serverFor(spec, isDefaultCommand(this.container));
    if (this.isUncatalogued() && !isShellOrUtility(cmd[0])) return this.genericServer(cmd);
    return undefined;
  }

  private isUncatalogued(): boolean {
    return this.cfg.image.entrypoint.length === 1 && this.cfg.image.entrypoint[0] === '/app' && this.cfg.image.cmd.length === 0;
  }

  private genericServer(argv: string[]): RunningServer {
    const spec: ServerProgram = { kind: 'server', name: baseName(argv[0]), profile: 'generic', behavior: PROGRAM_PROFILES.generic, ports: [] };
    return this.serverFor(spec, true);
  }

  /** A server's behaviour: its program's profile, the image's (when it runs its default command), the scenario's. */
  private serverFor(spec: ServerProgram, imageDefault: boolean): RunningServer {
    const behavior = this.cfg.behavior ? { ...spec.behavior, ...(imageDefault ? this.cfg.image.behavior : {}), ...this.cfg.behavior }
      : mergedBehavior(spec.behavior, imageDefault ? this.cfg.image.behavior : undefined);
    const declared = (this.container.ports ?? []).map((p) => p.containerPort);
    let ports: number[] | 'any' = spec.ports;
    if (spec.profile === 'generic') ports = declared.length > 0 ? declared : 'any';
    return { spec, behavior, ports, since: 0, pid1: true };
  }

  private listen(server: RunningServer, now: number, logs: boolean): void {
    server.since = now;
    this.server = server;
    this.behavior = server.behavior;
    if (logs && server.behavior.logs?.length) (this.written ??= []).push(...server.behavior.logs);
  }

  private startShell(argv: string[], now: number): void {
    const image = this.cfg.image;
    const sc = this.container.securityContext ?? {};
    this.shell = new Shell({
      fs: this.fs, env: this.env, random: this.cfg.random, epoch: this.cfg.epoch, hostname: this.cfg.hostname, now,
      userland: image.userland, programs: this.opts.programs, defaultProgramMs: this.opts.defaultProgramMs,
      host: this.host(), uid: sc.runAsUser, gid: sc.runAsGroup,
    });
    this.gen = this.shell.run(argv);
    this.shellWakeAt = now;
  }

  // --- the event loop --------------------------------------------------------------------

  /** Processes everything due by `now` in time order: shell steps, scheduled exits, OOM. */
  private advance(now: number): ProcessUpdate {
    for (let guard = 0; this.running && guard < 1_000_000; guard++) {
      const oomAt = this.oomAt();
      const exitAt = this.behavior.exitAfterMs !== undefined ? this.t0 + this.behavior.exitAfterMs : Infinity;
      const next = Math.min(oomAt, exitAt, this.termExitAt, this.shellWakeAt);
      if (next > now) break;
      if (next === oomAt) this.finish(137, oomAt, 'OOMKilled');
      else if (next === exitAt) this.finish(this.behavior.exitCode ?? 0, exitAt);
      else if (next === this.termExitAt) this.finish(this.termExitCode, this.termExitAt);
      else this.stepShell(next);
    }
    return this.update();
  }

  private stepShell(at: number): void {
    const shell = this.shell as Shell;
    const gen = this.gen as Generator<ShellStep, number, ShellResume>;
    shell.advanceTo(at);
    const resume = this.resumeWith;
    this.resumeWith = undefined;
    const r = gen.next(resume);
    if (r.done) {
      this.finish(r.value, Math.max(at, shell.time));
      return;
    }
    const step = r.value;
    if (step.kind === 'sleep') this.shellWakeAt = step.until;
    else {
      this.shellWakeAt = shell.time;
      const srv = this.serverFor(step.server.spec, false);
      srv.pid1 = step.server.pid1;
      this.listen(srv, shell.time, false);
    }
  }

  private oomAt(): number {
    if (!this.cfg.memoryLimit) return Infinity;
    const t = firstCrossing(this.behavior.memory as Array<[number, number]> | undefined, this.cfg.memoryLimit);
    return t === undefined ? Infinity : this.t0 + t;
  }

  private finish(code: number, at: number, reason?: ExitReason): void {
    if (this.exit) return;
    this.exit = { code, at, reason: reason ?? (code === 0 ? 'Completed' : 'Error') };
  }

  private update(extra: ProcessUpdate = {}): ProcessUpdate {
    const u: ProcessUpdate = { ...extra };
    const final = this.exit !== undefined;
    const lines = [...(this.written ?? []), ...(this.shell?.log.drain(final) ?? [])];
    this.written = undefined;
    if (lines.length > 0) u.output = [...(u.output ?? []), ...lines];
    const notices = this.shell?.notices ?? [];
    if (notices.length > this.reportedNotices) {
      u.notices = notices.slice(this.reportedNotices);
      this.reportedNotices = notices.length;
    }
    if (this.exit && !this.exitReported) {
      this.exitReported = true;
      u.exited = { code: this.exit.code, reason: this.exit.reason };
    }
    if (this.running) {
      const wakeAt = Math.min(this.oomAt(), this.behavior.exitAfterMs !== undefined ? this.t0 + this.behavior.exitAfterMs : Infinity, this.termExitAt, this.shellWakeAt);
      if (wakeAt !== Infinity) u.wakeAt = wakeAt;
    }
    return u;
  }

  // --- what the container's own clients and the kubelet's prober see ----------------------

  private host(): ShellHost {
    return {
      listening: (port) => this.listening(port, this.shell?.time ?? this.t0),
      httpStatus: (port, path) => this.httpStatus(port, path, this.shell?.time ?? this.t0),
      serverRunning: (name) => !!this.server && this.server.stoppedAt === undefined && (this.server.spec.name === name || this.server.spec.profile === name),
      stopServer: (_name, at) => this.stopServer(at),
    };
  }

  /** `nginx -s quit` / `killall nginx`: the server stops; as PID 1 the container exits 0. */
  private stopServer(at: number): void {
    if (!this.server) return;
    this.server.stoppedAt = at;
    if (this.server.pid1) {
      this.termExitAt = Math.min(this.termExitAt, at);
      this.termExitCode = 0;
    }
  }

  private listening(port: number, now: number): boolean {
    const s = this.server;
    if (!this.running || !s || (s.stoppedAt !== undefined && now >= s.stoppedAt)) return false;
    if (s.ports !== 'any' && !s.ports.includes(port)) return false;
    if (now < s.since + (s.behavior.startupMs ?? 0)) return false;
    return now < this.termExitAt;
  }

  private httpStatus(port: number, path: string, now: number): number | undefined {
    if (!this.listening(port, now)) return undefined;
    const s = this.server as RunningServer;
    return httpStatusAt(s.behavior, path, now - s.since);
  }

  private resolvePort(port: number | string): number | undefined {
    if (typeof port === 'number') return port;
    if (/^\d+$/.test(port)) return Number(port);
    return this.container.ports?.find((p) => p.name === port)?.containerPort;
  }

  private podIP(spec: { host?: string }): string {
    return spec.host ?? this.envVar('POD_IP') ?? '127.0.0.1';
  }

  probe(spec: ProbeSpec, now: number): ProbeResult {
    this.advance(now);
    const timeoutS = spec.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_S;
    if (spec.exec) return this.execProbe(spec.exec.command, timeoutS, now);
    if (spec.httpGet) return this.httpProbe(spec.httpGet, now);
    if (spec.tcpSocket) return this.tcpProbe(spec.tcpSocket, now);
    if (spec.grpc) return this.grpcProbe(spec.grpc, timeoutS, now);
    return { result: 'Failure', message: 'missing probe handler' };
  }

  exec(command: string[], now: number, budgetMs: number): { code: number; output: string; timedOut: boolean } | undefined {
    this.advance(now);
    if (!this.running) return undefined;
    const r = this.execShell(now).runToCompletion(command, budgetMs);
    return { code: r.code, output: r.output, timedOut: r.timedOut };
  }

  /** pkg/probe/exec: exit 0 ⇒ Success; non-zero ⇒ Failure with the output; still running at the timeout ⇒ timed out. */
  private execProbe(command: string[], timeoutS: number, now: number): ProbeResult {
    if (!this.running) return { result: 'Failure', message: 'rpc error: code = NotFound desc = failed to exec in container: container is in CONTAINER_EXITED state' };
    const r = this.execShell(now).runToCompletion(command.map((a) => expandKubeVars(a, this.env)), timeoutS * 1000);
    if (r.timedOut) return { result: 'Failure', message: `command "${command.join(' ')}" timed out` };
    return { result: r.code === 0 ? 'Success' : 'Failure', message: r.output };
  }

  private execShell(now: number): Shell {
    const sc = this.container.securityContext ?? {};
    return new Shell({
      fs: this.fs, env: this.env, random: this.cfg.random, epoch: this.cfg.epoch, hostname: this.cfg.hostname, now,
      userland: this.cfg.image.userland, programs: this.opts.programs, defaultProgramMs: this.opts.defaultProgramMs,
      host: this.host(), uid: sc.runAsUser, gid: sc.runAsGroup,
    });
  }

  /** pkg/probe/http: 200 ≤ status < 400 ⇒ Success; else `HTTP probe failed with statuscode: N`; dial errors verbatim. */
  private httpProbe(h: NonNullable<ProbeSpec['httpGet']>, now: number): ProbeResult {
    const port = this.resolvePort(h.port);
    if (port === undefined) return { result: 'Failure', message: `couldn't find port: ${h.port}` };
    const host = this.podIP(h);
    const url = `${(h.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${h.path ?? ''}`;
    const status = this.httpStatus(port, h.path || '/', now);
    if (status === undefined) return { result: 'Failure', message: `Get "${url}": dial tcp ${host}:${port}: connect: connection refused` };
    if ((this.server as RunningServer).behavior.httpServer === false) return { result: 'Failure', message: `Get "${url}": EOF` };
    if (status >= 200 && status < 400) return { result: 'Success' };
    return { result: 'Failure', message: `HTTP probe failed with statuscode: ${status}` };
  }

  /** pkg/probe/tcp: Success iff the port accepts a connection. */
  private tcpProbe(t: NonNullable<ProbeSpec['tcpSocket']>, now: number): ProbeResult {
    const port = this.resolvePort(t.port);
    if (port === undefined) return { result: 'Failure', message: `couldn't find port: ${t.port}` };
    const host = this.podIP({});
    const s = this.server;
    const unhealthy = s?.behavior.unhealthyAfterMs !== undefined && now - s.since >= s.behavior.unhealthyAfterMs;
    if (this.listening(port, now) && !unhealthy) return { result: 'Success' };
    return { result: 'Failure', message: `dial tcp ${host}:${port}: connect: connection refused` };
  }

  /** pkg/probe/grpc: grpc.health.v1 Check ⇒ SERVING, else the texts of grpc.go. */
  private grpcProbe(g: NonNullable<ProbeSpec['grpc']>, timeoutS: number, now: number): ProbeResult {
    const addr = `${this.podIP({})}:${g.port}`;
    if (!this.listening(g.port, now)) {
      return { result: 'Failure', message: `timeout: failed to connect service "${addr}" within ${timeoutS}s: context deadline exceeded` };
    }
    const s = this.server as RunningServer;
    if (!s.behavior.grpc) {
      return { result: 'Failure', message: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health' };
    }
    if (s.behavior.unhealthyAfterMs !== undefined && now - s.since >= s.behavior.unhealthyAfterMs) {
      return { result: 'Failure', message: 'service unhealthy (responded with "NOT_SERVING")' };
    }
    return { result: 'Success', message: 'service healthy' };
  }

  /** postStart/preStop: exec runs to completion in the container (its duration counts); httpGet as a probe. */
  hook(spec: ProbeSpec, now: number): ProbeResult & { durationMs: number } {
    this.advance(now);
    if (spec.exec) {
      const argv = spec.exec.command.map((a) => expandKubeVars(a, this.env));
      const r = this.execShell(now).runToCompletion(argv, HOOK_BUDGET_MS);
      if (r.timedOut) return { result: 'Failure', message: `command '${argv.join(' ')}' did not finish`, durationMs: Infinity };
      if (r.code === 0) return { result: 'Success', message: r.output, durationMs: r.elapsedMs };
      return { result: 'Failure', message: `command '${argv.join(' ')}' exited with ${r.code}: ${r.output}`, durationMs: r.elapsedMs };
    }
    const result = spec.httpGet ? this.httpProbe(spec.httpGet, now) : spec.tcpSocket ? this.tcpProbe(spec.tcpSocket, now) : { result: 'Failure' as const, message: 'missing hook handler' };
    return { ...result, durationMs: 0 };
  }

  memoryBytes(now: number): number {
    if (!this.started || (this.exit && now >= this.exit.at)) return 0;
    return Math.round(curveAt(this.behavior.memory, now - this.t0));
  }

  cpuMillicores(now: number): number {
    if (!this.started || (this.exit && now >= this.exit.at)) return 0;
    return Math.round(curveAt(this.behavior.cpu, now - this.t0));
  }

  cpuSteady(from: number, to: number): boolean {
    if (!this.started || (this.exit && this.exit.at <= to && this.exit.at > from)) return false;
    const points = this.behavior.cpu;
    return !points || points.length === 0 || from - this.t0 >= points[points.length - 1][0];
  }
}

const SHELL_NAMES = new Set(['sh', 'bash', 'ash', 'dash']);
const UTILITIES = new Set(['sleep', 'echo', 'cat', 'printenv', 'env', 'tail', 'true', 'false', 'ls', 'date', 'touch', 'printf']);

function isShellOrUtility(program: string): boolean {
  const b = baseName(program);
  return SHELL_NAMES.has(b) || UTILITIES.has(b);
}

/** Creates the process for one container start (a restart creates a new one). */
/** A server's behaviour from its program's and its image's, one object per pair (behaviours are never changed). */
const merged = new WeakMap<ProcessBehavior, Map<ProcessBehavior | undefined, ProcessBehavior>>();

function mergedBehavior(program: ProcessBehavior, image: ProcessBehavior | undefined): ProcessBehavior {
  let byImage = merged.get(program);
  if (!byImage) merged.set(program, (byImage = new Map()));
  let b = byImage.get(image);
  if (!b) byImage.set(image, (b = { ...program, ...image }));
  return b;
}

/** A shell's behaviour with its image's defaults, one object per image behaviour (a server replaces it as it starts). */
const shellBehaviors = new Map<ProcessBehavior | undefined, ProcessBehavior>();

function shellBehavior(image: ProcessBehavior | undefined): ProcessBehavior {
  let b = shellBehaviors.get(image);
  if (!b) shellBehaviors.set(image, (b = { ...PROGRAM_PROFILES.shell, ...image, longRunning: false }));
  return b;
}

export function createContainerProcess(cfg: ContainerConfig, opts: ProcessOptions = {}): ContainerProcess {
  return new SimulatedProcess(cfg, opts);
}
