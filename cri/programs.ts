// Programs the shell does not interpret: servers that images run (nginx, redis-server, agnhost
// subcommands, etcd …) and one-shot programs (perl, python, curl, pg_isready …). Servers listen
// until stopped; one-shots exit after a short, configurable virtual time. Ports follow each
// program's defaults and flags (agnhost: test/images/agnhost/*; etcd --listen-client-urls).
import type { ProcessBehavior } from './types.ts';
import { PROGRAM_PROFILES, type ProgramProfile } from './images.ts';
import type { CommandContext } from './coreutils.ts';

export interface ServerProgram {
  kind: 'server';
  /** The program's name (nginx, redis-server, agnhost …), for `killall`/`nginx -s`. */
  name?: string;
  profile: ProgramProfile;
  behavior: ProcessBehavior;
  ports: number[];
  logs?: string[];
}

export interface OneShotProgram {
  kind: 'one-shot';
  durationMs: number;
  exitCode?: number;
  output?: string[];
  /** Set when the simulator does not model the program: says how it was treated (for an event). */
  note?: string;
  /** Runs the program's effect at the end of its duration (writes output, returns the exit code). */
  run?: (ctx: CommandContext) => number;
}

export type ProgramSpec = ServerProgram | OneShotProgram;

/** Per-program one-shot duration in ms (or a full spec), overriding the defaults below. */
export type ProgramTable = Record<string, number | Partial<OneShotProgram>>;

/** Default duration of a program the simulator knows nothing about. */
export const DEFAULT_PROGRAM_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === name) return argv[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

function portFlag(argv: string[], name: string, def: number): number {
  const v = flag(argv, name);
  const n = v === undefined ? NaN : parseInt(v, 10);
  return Number.isNaN(n) ? def : n;
}

function server(profile: ProgramProfile, ports: number[], extra?: ProcessBehavior): ServerProgram {
  // Behaviours are never changed once made: a profile's own serves every server of it.
  const behavior: ProcessBehavior = extra ? { ...PROGRAM_PROFILES[profile], ...extra } : PROGRAM_PROFILES[profile];
  return { kind: 'server', profile, behavior, ports, logs: behavior.logs };
}

/** etcd's client ports from --listen-client-urls (default 2379). */
function etcdPorts(argv: string[]): number[] {
  const urls = flag(argv, '--listen-client-urls');
  const ports = (urls ?? '').split(',').map((u) => /:(\d+)\/?$/.exec(u)?.[1]).filter((p): p is string => !!p).map(Number);
  return ports.length > 0 ? ports : [2379];
}

/** agnhost <subcommand> [flags]: the e2e test image's servers. */
function agnhost(argv: string[]): ProgramSpec {
  const sub = argv[1] ?? 'pause';
  switch (sub) {
    case 'pause': return server('agnhost-pause', []);
    case 'liveness': return server('agnhost-liveness', [8080]);
    case 'netexec': return server('agnhost-netexec', [portFlag(argv, '--http-port', 8080), portFlag(argv, '--udp-port', 8081)]);
    case 'serve-hostname': return server('agnhost-serve-hostname', [portFlag(argv, '--port', 9376)]);
    case 'test-webserver': return server('agnhost-test-webserver', [portFlag(argv, '--port', 80)]);
    case 'grpc-health-checking':
      return server('agnhost-test-webserver', [portFlag(argv, '--port', 5000), portFlag(argv, '--http-port', 8080)], { grpc: true });
    case 'porter':
    case 'fake-gitserver':
    case 'guestbook':
    case 'nettest':
    case 'webhook':
    case 'crd-conversion-webhook':
    case 'resource-consumer':
      return server('agnhost-test-webserver', [portFlag(argv, '--port', 8080)]);
    case 'entrypoint-tester':
      return { kind: 'one-shot', durationMs: 10, output: argv.slice(1) };
    default:
      return {
        kind: 'one-shot', durationMs: DEFAULT_PROGRAM_MS,
        note: `agnhost subcommand "${sub}" is not simulated: run as a one-shot program exiting 0 after ${DEFAULT_PROGRAM_MS / 1000}s`,
      };
  }
}

/** A server program by name, or undefined when the program is not a known server. */
export function serverProgram(argv: string[]): ProgramSpec | undefined {
  const spec = knownServer(argv);
  if (spec?.kind === 'server') spec.name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  return spec;
}

function knownServer(argv: string[]): ProgramSpec | undefined {
  const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  switch (name) {
    case 'nginx':
      if (argv.includes('-s')) return { kind: 'one-shot', durationMs: 20, run: signalServer('nginx', flag(argv, '-s') ?? '') };
      if (argv.some((a) => a === '-t' || a === '-v' || a === '-V' || a === '-T')) return { kind: 'one-shot', durationMs: 50 };
      return server('nginx', [80]);
    case 'httpd':
    case 'httpd-foreground':
    case 'apache2-foreground': return server('httpd', [80]);
    case 'redis-server': return server('redis', [portFlag(argv, '--port', 6379)]);
    case 'mysqld': return server('mysql', [portFlag(argv, '--port', 3306), 33060]);
    case 'postgres': return server('postgres', [portFlag(argv, '-p', 5432)]);
    case 'etcd': return server('etcd', etcdPorts(argv));
    case 'pause': return server('pause', []);
    case 'agnhost':
    case 'agnhost-2': return agnhost(argv);
    case 'server': return argv[0] === '/server' ? server('agnhost-liveness', [8080]) : undefined;
    case 'goproxy': return server('goproxy', [8080]);
    case 'python':
    case 'python3':
      if (argv[1] === '-m' && argv[2] === 'http.server') return server('python-http', [Number(argv[3]) || 8000]);
      return undefined;
    default: return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// One-shot programs
// ---------------------------------------------------------------------------------------------

/** Digits of pi by Machin's formula with BigInt (the Job example's `perl … print bpi(2000)`). */
export function piDigits(digits: number): string {
  const guard = 10n;
  const scale = 10n ** (BigInt(Math.max(1, digits) - 1) + guard);
  const arctanInv = (x: bigint): bigint => {
    let term = scale / x;
    let sum = term;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      sum += (k % 2n === 1n ? -term : term) / (2n * k + 1n);
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const rounded = (pi + 5n * 10n ** (guard - 1n)) / 10n ** guard;
  const s = rounded.toString();
  return `${s[0]}.${s.slice(1)}`;
}

function isLocal(host: string, ctx: CommandContext): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '0.0.0.0' || host === ctx.scope.get('POD_IP') || host === ctx.sh.opts.hostname;
}

/** curl/wget against localhost ask the container's own servers; other hosts are assumed to answer 200. */
function httpClient(tool: 'curl' | 'wget'): (ctx: CommandContext) => number {
  return (ctx) => {
    const url = ctx.argv.slice(1).find((a) => /^(https?:\/\/)?[\w.-]+(:\d+)?(\/|$)/.test(a) && !a.startsWith('-')) ?? '';
    const m = /^(?:(https?):\/\/)?([\w.-]+)(?::(\d+))?(\/.*)?$/.exec(url);
    const net = ctx.sh.opts.host;
    if (!m || !net || !isLocal(m[2], ctx)) return 0;
    const port = m[3] ? Number(m[3]) : m[1] === 'https' ? 443 : 80;
    const status = net.httpStatus(port, m[4] ?? '/');
    const failOnError = tool === 'wget' || ctx.argv.some((a) => /^-[a-zA-Z]*f/.test(a) || a === '--fail');
    if (status === undefined) {
      if (tool === 'curl') ctx.io.err.write(`curl: (7) Failed to connect to ${m[2]} port ${port} after 0 ms: Couldn't connect to server\n`);
      else ctx.io.err.write(`wget: can't connect to remote host (${m[2] === 'localhost' ? '127.0.0.1' : m[2]}): Connection refused\n`);
      return tool === 'curl' ? 7 : 1;
    }
    if (status >= 400 && failOnError) {
      if (tool === 'curl') ctx.io.err.write(`curl: (22) The requested URL returned error: ${status}\n`);
      else ctx.io.err.write(`wget: server returned error: HTTP/1.1 ${status}\n`);
      return tool === 'curl' ? 22 : 1;
    }
    return 0;
  };
}

/** A database client's readiness check against the container's own port. */
function readiness(port: number, okLine: string, failLine: string, failCode: number): (ctx: CommandContext) => number {
  return (ctx) => {
    const up = ctx.sh.opts.host?.listening(port) ?? true;
    if (up) {
      if (okLine) ctx.io.out.write(`${okLine}\n`);
      return 0;
    }
    ctx.io.err.write(`${failLine}\n`);
    return failCode;
  };
}

/** `nginx -s quit|stop`: the master process exits; `reload`/`reopen` change nothing here. */
function signalServer(name: string, signal: string): (ctx: CommandContext) => number {
  return (ctx) => {
    const host = ctx.sh.opts.host;
    if (!host?.serverRunning(name)) {
      ctx.io.err.write(`${name}: [error] invalid PID number "" in "/run/${name}.pid"\n`);
      return 1;
    }
    if (signal === 'quit' || signal === 'stop') host.stopServer(name, ctx.sh.time);
    return 0;
  };
}

/** killall/pkill [-SIG] NAME: `-0` only asks whether it runs; otherwise the server stops. */
function killall(ctx: CommandContext): number {
  const args = ctx.argv.slice(1);
  const name = args.filter((a) => !a.startsWith('-')).pop() ?? '';
  const host = ctx.sh.opts.host;
  if (!host?.serverRunning(name)) {
    if (!args.includes('-0') && !args.includes('-q')) ctx.io.err.write(`${ctx.argv[0]}: ${name}: no process killed\n`);
    return 1;
  }
  if (!args.includes('-0')) host.stopServer(name, ctx.sh.time);
  return 0;
}

const KNOWN_ONE_SHOTS: Record<string, OneShotProgram> = {
  killall: { kind: 'one-shot', durationMs: 1, run: killall },
  pkill: { kind: 'one-shot', durationMs: 1, run: killall },
  curl: { kind: 'one-shot', durationMs: 50, run: httpClient('curl') },
  wget: { kind: 'one-shot', durationMs: 50, run: httpClient('wget') },
  'redis-cli': { kind: 'one-shot', durationMs: 5, run: readiness(6379, 'PONG', 'Could not connect to Redis at 127.0.0.1:6379: Connection refused', 1) },
  pg_isready: { kind: 'one-shot', durationMs: 20, run: readiness(5432, '/var/run/postgresql:5432 - accepting connections', '/var/run/postgresql:5432 - no response', 2) },
  mysqladmin: { kind: 'one-shot', durationMs: 30, run: readiness(3306, 'mysqld is alive', "mysqladmin: connect to server at 'localhost' failed", 1) },
  mysql: { kind: 'one-shot', durationMs: 50, run: readiness(3306, '', "ERROR 2002 (HY000): Can't connect to local MySQL server through socket '/var/run/mysqld/mysqld.sock' (2)", 1) },
  psql: { kind: 'one-shot', durationMs: 50, run: readiness(5432, '', 'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or directory', 2) },
  grpc_health_probe: { kind: 'one-shot', durationMs: 20, run: readiness(2379, 'status: SERVING', 'timeout: failed to connect service "localhost:2379" within 1s', 2) },
  nslookup: { kind: 'one-shot', durationMs: 50 },
  dig: { kind: 'one-shot', durationMs: 50 },
  host: { kind: 'one-shot', durationMs: 50 },
  nc: { kind: 'one-shot', durationMs: 50 },
};

function describe(argv: string[]): string {
  return argv.join(' ');
}

function unknownProgram(argv: string[], durationMs: number): OneShotProgram {
  const seconds = `${durationMs / 1000}s`;
  const spec: OneShotProgram = {
    kind: 'one-shot', durationMs,
    note: `command "${describe(argv)}" is not simulated: run as a one-shot program exiting 0 after ${seconds}`,
  };
  const bpi = /bpi\((\d+)\)/.exec(argv.join(' '));
  if (argv[0].startsWith('perl') && bpi) spec.output = [piDigits(Math.min(Number(bpi[1]), 100_000))];
  return spec;
}

/** What running argv does: a server, a modelled one-shot, or an unknown program (one-shot, noted). */
export function resolveProgram(argv: string[], table: ProgramTable = {}, defaultMs = DEFAULT_PROGRAM_MS): ProgramSpec {
  const name = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  const override = table[name];
  const srv = serverProgram(argv);
  if (srv && override === undefined) return srv;
  const known = KNOWN_ONE_SHOTS[name];
  const base = known ?? unknownProgram(argv, defaultMs);
  if (override === undefined) return base;
  if (typeof override === 'number') {
    return known ? { ...known, durationMs: override } : unknownProgram(argv, override);
  }
  return { ...base, ...override, kind: 'one-shot' };
}

/**
 * The official images' docker-entrypoint.sh refuses to initialise a database without a password
 * (mysql: MYSQL_ROOT_PASSWORD …; postgres: POSTGRES_PASSWORD), printing why and exiting 1.
 */
export function entrypointRefusal(argv: string[], env: (name: string) => string | undefined): string[] | undefined {
  const name = argv[0]?.slice(argv[0].lastIndexOf('/') + 1);
  if (name === 'mysqld') {
    if (env('MYSQL_ROOT_PASSWORD') || env('MYSQL_ALLOW_EMPTY_PASSWORD') || env('MYSQL_RANDOM_ROOT_PASSWORD')) return undefined;
    return [
      '[ERROR] [Entrypoint]: Database is uninitialized and password option is not specified',
      '    You need to specify one of the following as an environment variable:',
      '    - MYSQL_ROOT_PASSWORD',
      '    - MYSQL_ALLOW_EMPTY_PASSWORD',
      '    - MYSQL_RANDOM_ROOT_PASSWORD',
    ];
  }
  if (name === 'postgres') {
    if (env('POSTGRES_PASSWORD') || env('POSTGRES_HOST_AUTH_METHOD') === 'trust') return undefined;
    return [
      'Error: Database is uninitialized and superuser password is not specified.',
      '       Set POSTGRES_PASSWORD to a non-empty value for the superuser',
      '       (or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one).',
    ];
  }
  return undefined;
}

/** What nginx's /docker-entrypoint.sh prints before it execs nginx. */
export function entrypointLogs(argv: string[]): string[] {
  if (argv[0]?.slice(argv[0].lastIndexOf('/') + 1) !== 'nginx') return [];
  return [
    '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
    '/docker-entrypoint.sh: Configuration complete; ready for start up',
  ];
}
