// The container's shell: a synchronous, step-driven interpreter for the `sh -c` / `bash -c`
// scripts of Kubernetes manifests, over just-bash's parser (its `parse` only: the AST). A script
// runs as a generator that yields whenever it sleeps, so virtual time passes between steps and
// nothing runs on the wall clock. PID 1 semantics follow Linux: a shell without a trap ignores
// SIGTERM; a trap set while a foreground command runs fires only after that command returns,
// while `wait` is interrupted at once (bash(1), SIGNALS).
import { parse } from 'just-bash';
import type { CommandNode, PipelineNode, ScriptNode, SimpleCommandNode, StatementNode, WordNode } from 'just-bash';
import type { RandomStream } from '../runtime/prng.ts';
import { ContainerFs, normalisePath } from './fs.ts';
import { COMMANDS, type CommandContext } from './coreutils.ts';
import { entrypointLogs, entrypointRefusal, resolveProgram, type ProgramSpec, type ProgramTable } from './programs.ts';

// AST types that just-bash does not export by name, derived from the exported ones.
type WordPart = WordNode['parts'][number];
type ParamPart = Extract<WordPart, { type: 'ParameterExpansion' }>;
type ParamOp = NonNullable<ParamPart['operation']>;
type ArithNode = Extract<WordPart, { type: 'ArithmeticExpansion' }>['expression'];
type ArithExpr = ArithNode['expression'];
type Redirection = SimpleCommandNode['redirections'][number];
type CompoundNode = Exclude<CommandNode, SimpleCommandNode>;
type FunctionDef = Extract<CommandNode, { type: 'FunctionDef' }>;
type CondExpr = Extract<CommandNode, { type: 'ConditionalCommand' }>['expression'];

// ---------------------------------------------------------------------------------------------
// Parsing, cached by text (150,000 containers with the same command parse it once)
// ---------------------------------------------------------------------------------------------

/** Upper bound of the parse cache; it is cleared when full (scripts are rarely unique). */
export const PARSE_CACHE_MAX = 10_000;
const parseCache = new Map<string, ScriptNode | SyntaxFailure>();

interface SyntaxFailure {
  syntaxError: string;
}

/** Parses a script once per distinct text; a syntax error is cached too. */
export function parseScript(text: string): ScriptNode | SyntaxFailure {
  let node = parseCache.get(text);
  if (node) return node;
  try {
    node = parse(text);
  } catch (e) {
    node = { syntaxError: e instanceof Error ? e.message : String(e) };
  }
  if (parseCache.size >= PARSE_CACHE_MAX) parseCache.clear();
  parseCache.set(text, node);
  return node;
}

export function parseCacheSize(): number {
  return parseCache.size;
}

/** Arithmetic subscripts (`items[$i+1]`) arrive as text; parse them once as `$((…))`. */
const subscriptCache = new Map<string, ArithNode | undefined>();
function parseSubscript(text: string): ArithNode | undefined {
  if (subscriptCache.has(text)) return subscriptCache.get(text);
  const script = parseScript(`: $((${text}))`);
  let node: ArithNode | undefined;
  if (!('syntaxError' in script)) {
    const cmd = script.statements[0]?.pipelines[0]?.commands[0];
    const part = cmd?.type === 'SimpleCommand' ? cmd.args[0]?.parts[0] : undefined;
    if (part?.type === 'ArithmeticExpansion') node = part.expression;
  }
  if (subscriptCache.size >= PARSE_CACHE_MAX) subscriptCache.clear();
  subscriptCache.set(text, node);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Steps, I/O and control flow
// ---------------------------------------------------------------------------------------------

/** A server program the script started (nginx, redis-server …): it listens from now on. */
export interface ServerStart {
  spec: Extract<ProgramSpec, { kind: 'server' }>;
  /** The server replaced the shell as PID 1 (`exec`, or `sh -c` with a single command). */
  pid1: boolean;
}

/** What the shell asks of its driver: wake me at `until` (Infinity: never), or note a server. */
export type ShellStep = { kind: 'sleep'; until: number } | { kind: 'serve'; server: ServerStart };
type TaskStep = ShellStep | { kind: 'wait' };
/** What the driver passes back: 'signal' when a trapped signal arrived. */
export type ShellResume = 'signal' | undefined;
type Gen<T> = Generator<TaskStep, T, ShellResume>;

export interface Sink {
  write(s: string): void;
}

export interface Stdin {
  data: string;
  pos: number;
}

export interface Io {
  stdin: Stdin;
  out: Sink;
  err: Sink;
}

class BufferSink implements Sink {
  text = '';
  write(s: string): void {
    this.text += s;
  }
}

const NULL_SINK: Sink = { write: () => undefined };
const EMPTY_STDIN = (): Stdin => ({ data: '', pos: 0 });

/** Container log: stdout and stderr lines as `kubectl logs` shows them. */
export class LogSink implements Sink {
  lines: string[] = [];
  private partial = '';

  write(s: string): void {
    const text = this.partial + s;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p);
  }

  /** Completed lines since the last drain (a trailing partial line is kept until `final`). */
  drain(final = false): string[] {
    if (final && this.partial) {
      this.lines.push(this.partial);
      this.partial = '';
    }
    const out = this.lines;
    this.lines = [];
    return out;
  }
}

class FileSink implements Sink {
  constructor(private readonly fs: ContainerFs, private readonly path: string) {}
  write(s: string): void {
    this.fs.writeFile(this.path, s, true);
  }
}

export class ExitSignal {
  constructor(readonly code: number) {}
}
class ReturnSignal {
  constructor(readonly code: number) {}
}
class LoopSignal {
  constructor(readonly kind: 'break' | 'continue', public levels: number) {}
}

/** Commands run in one virtual instant before a busy loop is made to yield (simulated CPU time). */
export const SPIN_LIMIT = 1_000;
/** How long a busy loop's slice takes when it is made to yield. */
export const BUSY_SLICE_MS = 100;

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/** Shell variables: an overlay over the process environment (copied only when written). */
export class Scope {
  vars = new Map<string, string | undefined>();
  arrays = new Map<string, string[]>();
  exported = new Set<string>();
  functions = new Map<string, FunctionDef>();
  positional: string[] = [];
  name = 'sh';
  cwd = '/';

  constructor(readonly env: Record<string, string>) {}

  get(name: string): string | undefined {
    if (this.vars.has(name)) return this.vars.get(name);
    const arr = this.arrays.get(name);
    if (arr) return arr[0];
    return Object.prototype.hasOwnProperty.call(this.env, name) ? this.env[name] : undefined;
  }

  set(name: string, value: string): void {
    this.arrays.delete(name);
    this.vars.set(name, value);
  }

  unset(name: string): void {
    this.arrays.delete(name);
    this.vars.set(name, undefined);
    this.exported.delete(name);
  }

  /** The environment a child process sees: the original env plus exported variables. */
  exportedEnv(): Record<string, string> {
    if (this.vars.size === 0 && this.exported.size === 0) return this.env;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.env)) if (!this.vars.has(k) || this.vars.get(k) !== undefined) out[k] = this.get(k) ?? v;
    for (const k of this.exported) {
      const v = this.get(k);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  clone(): Scope {
    const s = new Scope(this.env);
    s.vars = new Map(this.vars);
    s.arrays = new Map([...this.arrays].map(([k, v]) => [k, [...v]]));
    s.exported = new Set(this.exported);
    s.functions = this.functions;
    s.positional = this.positional;
    s.name = this.name;
    s.cwd = this.cwd;
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// The shell (one per container process; shared by its main script and background jobs)
// ---------------------------------------------------------------------------------------------

export type ShellFlavour = 'ash' | 'dash' | 'bash';

/**
 * The container process around the shell: its servers' ports for in-container clients (curl
 * localhost, pg_isready …; an undefined status means connection refused) and control of them
 * (`nginx -s quit`, `killall nginx`).
 */
export interface ShellHost {
  listening(port: number): boolean;
  httpStatus(port: number, path: string): number | undefined;
  /** Whether a server program of this name is running in the container. */
  serverRunning(name: string): boolean;
  /** Stops the container's server program (graceful quit): it exits at `at` with code 0. */
  stopServer(name: string, at: number): void;
}

export interface ShellOptions {
  fs: ContainerFs;
  env: Record<string, string>;
  random: RandomStream;
  /** ms since the Unix epoch at virtual time 0. */
  epoch: number;
  hostname: string;
  /** Virtual time at which the shell starts. */
  now: number;
  userland?: 'busybox' | 'gnu';
  /** One-shot duration per program name (`perl`: 2000), and the default for unknown programs. */
  programs?: ProgramTable;
  defaultProgramMs?: number;
  host?: ShellHost;
  uid?: number;
  gid?: number;
  groups?: number[];
}

interface Task {
  gen: Gen<number>;
  until: number;
  waiting: boolean;
  resume: ShellResume;
  done: boolean;
}

export class Shell {
  readonly fs: ContainerFs;
  readonly log = new LogSink();
  readonly notices: string[] = [];
  readonly traps = new Map<string, string>();
  readonly pendingSignals: string[] = [];
  /** Virtual time of the step being run. */
  time: number;
  readonly startTime: number;
  /** How far the driver's clock has got (tasks due by then may run). */
  private driverNow: number;
  private tasks: Task[] = [];
  spin = 0;
  main: Interp | undefined;

  constructor(readonly opts: ShellOptions) {
    this.fs = opts.fs;
    this.time = opts.now;
    this.startTime = opts.now;
    this.driverNow = opts.now;
  }

  get flavour(): ShellFlavour {
    return this.opts.userland === 'gnu' ? 'dash' : 'ash';
  }

  /** `sh: ` error prefix in the shell's own words. */
  errPrefix(name = 'sh'): string {
    if (name === 'bash') return 'bash: line 1: ';
    return this.flavour === 'dash' ? `${name}: 1: ` : `${name}: `;
  }

  /** Runs a container command line (argv) as PID 1. */
  run(argv: string[]): Generator<ShellStep, number, ShellResume> {
    const scope = new Scope(this.opts.env);
    const interp = new Interp(this, scope, true);
    this.main = interp;
    return this.schedule(interp.runArgv(argv, this.topIo(), true));
  }

  /** Runs a command to completion at once, advancing virtual time through its sleeps (exec probes, hooks). */
  runToCompletion(argv: string[], budgetMs: number): { code: number; output: string; elapsedMs: number; timedOut: boolean } {
    const scope = new Scope(this.opts.env);
    const interp = new Interp(this, scope, true);
    const out = new BufferSink();
    const io: Io = { stdin: EMPTY_STDIN(), out, err: out };
    const start = this.time;
    const gen = this.schedule(interp.runArgv(argv, io, false));
    for (let r = gen.next(); ; r = gen.next()) {
      if (r.done) return { code: r.value, output: out.text, elapsedMs: this.time - start, timedOut: false };
      if (r.value.kind === 'sleep') {
        if (r.value.until - start > budgetMs) {
          this.time = start + budgetMs;
          return { code: -1, output: out.text, elapsedMs: budgetMs, timedOut: true };
        }
        this.advanceTo(r.value.until);
      }
    }
  }

  /** The driver's clock moved to `now`; tasks due by then may run on the next resume. */
  advanceTo(now: number): void {
    this.driverNow = Math.max(this.driverNow, now);
  }

  /**
   * A signal for PID 1. Returns 'trapped' when a trap will run (resume with 'signal'), else
   * 'ignored': PID 1 has no default action for SIGTERM, so an untrapped shell carries on.
   */
  signal(sig: 'TERM' | 'INT'): 'trapped' | 'ignored' {
    const handler = this.traps.get(sig);
    if (handler === undefined || handler === '') return 'ignored';
    this.pendingSignals.push(sig);
    return 'trapped';
  }

  /** Starts a background job (`cmd &`). */
  spawn(gen: Gen<number>): void {
    this.tasks.push({ gen, until: this.time, waiting: false, resume: undefined, done: false });
  }

  jobsRunning(): boolean {
    return this.tasks.some((t, i) => i > 0 && !t.done);
  }

  topIo(): Io {
    return { stdin: EMPTY_STDIN(), out: this.log, err: this.log };
  }

  note(message: string): void {
    if (!this.notices.includes(message)) this.notices.push(message);
  }

  /** Round-robin over the main script and its background jobs on the virtual clock. */
  private *schedule(main: Gen<number>): Generator<ShellStep, number, ShellResume> {
    const mainTask: Task = { gen: main, until: this.time, waiting: false, resume: undefined, done: false };
    this.tasks = [mainTask];
    for (;;) {
      if (mainTask.waiting && !this.jobsRunning()) {
        mainTask.waiting = false;
        mainTask.until = this.time;
      }
      const task = this.nextDue();
      if (task) {
        this.time = Math.max(this.time, task.until);
        const resume = task.resume;
        task.resume = undefined;
        const r = this.step(task, resume);
        if (r === 'main-done') return yield* this.finish(mainTask);
        if (r) yield r;
        continue;
      }
      this.tasks = this.tasks.filter((t, i) => i === 0 || !t.done);
      const next = Math.min(...this.tasks.map((t) => (t.waiting || t.done ? Infinity : t.until)));
      const resume = yield { kind: 'sleep', until: next };
      if (resume === 'signal' && mainTask.waiting) {
        mainTask.waiting = false;
        mainTask.resume = 'signal';
        mainTask.until = Math.max(this.time, this.driverNow);
      }
      if (this.driverNow > this.time && next !== Infinity) this.spin = 0;
    }
  }

  private nextDue(): Task | undefined {
    let best: Task | undefined;
    for (const t of this.tasks) {
      if (t.done || t.waiting || t.until > Math.max(this.driverNow, this.time)) continue;
      if (!best || t.until < best.until) best = t;
    }
    return best;
  }

  private step(task: Task, resume: ShellResume): ShellStep | 'main-done' | undefined {
    const r = task.gen.next(resume);
    if (r.done) {
      task.done = true;
      (task as Task & { code?: number }).code = r.value;
      return task === this.tasks[0] ? 'main-done' : undefined;
    }
    const s = r.value;
    if (s.kind === 'sleep') task.until = s.until;
    else if (s.kind === 'wait') task.waiting = true;
    else return s;
    return undefined;
  }

  /** PID 1 exited: make sure its exit happens no earlier than the shell's own clock. */
  private *finish(main: Task): Generator<ShellStep, number, ShellResume> {
    const code = (main as Task & { code?: number }).code ?? 0;
    if (this.time > this.driverNow) yield { kind: 'sleep', until: this.time };
    return code;
  }

  // --- services for commands -------------------------------------------------------------

  now(): number {
    return this.time;
  }

  epochMs(): number {
    return this.opts.epoch + this.time;
  }

  random(): number {
    return this.opts.random.int(32768);
  }

  program(argv: string[]): ProgramSpec {
    return resolveProgram(argv, this.opts.programs, this.opts.defaultProgramMs);
  }
}

// ---------------------------------------------------------------------------------------------
// The interpreter (one per shell process: main, subshell, background job, $(…))
// ---------------------------------------------------------------------------------------------

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

export class Interp {
  status = 0;
  errexit = false;
  private conditionDepth = 0;

  constructor(readonly sh: Shell, public scope: Scope, readonly isMain = false) {}

  child(): Interp {
    const c = new Interp(this.sh, this.scope.clone());
    c.errexit = this.errexit;
    c.status = this.status;
    return c;
  }

  // --- entry points ----------------------------------------------------------------------

  /** Runs argv as a new process: a shell (`sh -c …`), a built-in command or a program. */
  *runArgv(argv: string[], io: Io, pid1: boolean): Gen<number> {
    try {
      return yield* this.runCommand(argv, io, pid1);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  /** `sh -c 'script' [name args…]`, `sh file`, or a shell with no script (reads stdin). */
  *runShell(argv: string[], io: Io, pid1: boolean): Gen<number> {
    const name = baseName(argv[0]);
    let i = 1;
    while (i < argv.length && /^-[a-z]+$/.test(argv[i]) && argv[i] !== '-c') {
      if (argv[i].includes('e')) this.errexit = true;
      i++;
    }
    let text: string;
    if (argv[i] === '-c') {
      text = argv[i + 1] ?? '';
      this.scope.name = argv[i + 2] ?? name;
      this.scope.positional = argv.slice(i + 3);
    } else if (i < argv.length) {
      const file = this.sh.fs.readFile(normalisePath(argv[i], this.scope.cwd));
      if (file === undefined) {
        io.err.write(`${name}: can't open '${argv[i]}': No such file or directory\n`);
        return 2;
      }
      text = file;
      this.scope.name = argv[i];
      this.scope.positional = argv.slice(i + 1);
    } else {
      return 0; // no tty: stdin is at EOF, so an interactive shell exits at once
    }
    return yield* this.runText(text, io, pid1, name);
  }

  *runText(text: string, io: Io, pid1: boolean, name = 'sh'): Gen<number> {
    const script = parseScript(text);
    if ('syntaxError' in script) {
      io.err.write(`${this.sh.errPrefix(name)}syntax error: ${script.syntaxError}\n`);
      return 2;
    }
    const single = pid1 && singleSimpleCommand(script);
    try {
      if (single) return yield* this.simple(single, io, true);
      return yield* this.statements(script.statements, io);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      if (e instanceof ReturnSignal) return e.code;
      throw e;
    }
  }

  // --- statements ----------------------------------------------------------------------

  *statements(list: StatementNode[], io: Io): Gen<number> {
    for (const st of list) yield* this.statement(st, io);
    return this.status;
  }

  *statement(st: StatementNode, io: Io): Gen<number> {
    if (st.background) {
      const job = this.child();
      this.sh.spawn(job.asJob(st, io));
      this.status = 0;
      return 0;
    }
    for (let i = 0; i < st.pipelines.length; i++) {
      const op = i === 0 ? ';' : st.operators[i - 1];
      if (op === '&&' && this.status !== 0) continue;
      if (op === '||' && this.status === 0) continue;
      const last = i === st.pipelines.length - 1;
      if (!last) this.conditionDepth++;
      try {
        this.status = yield* this.pipeline(st.pipelines[i], io);
      } finally {
        if (!last) this.conditionDepth--;
      }
      if (last && this.status !== 0 && this.errexit && this.conditionDepth === 0 && !st.pipelines[i].negated) {
        throw new ExitSignal(this.status);
      }
    }
    return this.status;
  }

  private *asJob(st: StatementNode, io: Io): Gen<number> {
    const fg: StatementNode = { ...st, background: false };
    try {
      return yield* this.statement(fg, io);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  *pipeline(p: PipelineNode, io: Io): Gen<number> {
    let code: number;
    if (p.commands.length === 1) {
      code = yield* this.command(p.commands[0], io);
    } else {
      let stdin = io.stdin;
      code = 0;
      for (let i = 0; i < p.commands.length; i++) {
        const last = i === p.commands.length - 1;
        const buf = new BufferSink();
        const out = last ? io.out : buf;
        const err = !last && p.pipeStderr?.[i] ? buf : io.err;
        code = yield* this.child().command(p.commands[i], { stdin, out, err });
        stdin = { data: buf.text, pos: 0 };
      }
    }
    return p.negated ? (code === 0 ? 1 : 0) : code;
  }

  *command(cmd: CommandNode, io: Io): Gen<number> {
    if (cmd.type === 'SimpleCommand') return yield* this.simple(cmd, io, false);
    if (cmd.type === 'FunctionDef') {
      this.scope.functions.set(cmd.name, cmd);
      return 0;
    }
    const rio = this.redirect(cmd.redirections, io);
    if (typeof rio === 'number') return rio;
    return yield* this.compound(cmd, rio);
  }

  // --- compound commands -----------------------------------------------------------------

  private *compound(cmd: CompoundNode, io: Io): Gen<number> {
    switch (cmd.type) {
      case 'If': return yield* this.ifCommand(cmd, io);
      case 'While': return yield* this.loop(cmd.condition, cmd.body, io, false);
      case 'Until': return yield* this.loop(cmd.condition, cmd.body, io, true);
      case 'For': return yield* this.forLoop(cmd, io);
      case 'CStyleFor': return yield* this.cFor(cmd, io);
      case 'Case': return yield* this.caseCommand(cmd, io);
      case 'Group': return yield* this.statements(cmd.body, io);
      case 'Subshell': return yield* this.subshell(cmd.body, io);
      case 'ArithmeticCommand': return this.arith(cmd.expression.expression) !== 0 ? 0 : 1;
      case 'ConditionalCommand': return this.cond(cmd.expression) ? 0 : 1;
      default: return 0;
    }
  }

  private *condition(list: StatementNode[], io: Io): Gen<number> {
    this.conditionDepth++;
    try {
      return yield* this.statements(list, io);
    } finally {
      this.conditionDepth--;
    }
  }

  private *ifCommand(cmd: Extract<CompoundNode, { type: 'If' }>, io: Io): Gen<number> {
    for (const clause of cmd.clauses) {
      if ((yield* this.condition(clause.condition, io)) === 0) return yield* this.statements(clause.body, io);
    }
    if (cmd.elseBody) return yield* this.statements(cmd.elseBody, io);
    this.status = 0;
    return 0;
  }

  /** Counts commands run without virtual time passing; a busy loop yields a slice of CPU time. */
  private *spin(): Gen<void> {
    if (++this.sh.spin < SPIN_LIMIT) return;
    this.sh.spin = 0;
    yield { kind: 'sleep', until: this.sh.time + BUSY_SLICE_MS };
  }

  /** Runs a loop body; returns 'break' to leave the loop. */
  private *body(list: StatementNode[], io: Io): Gen<'break' | 'next'> {
    try {
      yield* this.statements(list, io);
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) {
        e.levels--;
        throw e;
      }
      if (e.kind === 'break') return 'break';
    }
    return 'next';
  }

  private *loop(cond: StatementNode[], body: StatementNode[], io: Io, until: boolean): Gen<number> {
    let code = 0;
    for (;;) {
      yield* this.spin();
      const c = yield* this.condition(cond, io);
      if ((c === 0) === until) break;
      const r = yield* this.body(body, io);
      code = this.status;
      if (r === 'break') break;
    }
    this.status = code;
    return code;
  }

  private *forLoop(cmd: Extract<CompoundNode, { type: 'For' }>, io: Io): Gen<number> {
    const items = cmd.words === null ? this.scope.positional : this.expandWords(cmd.words);
    this.status = 0;
    for (const item of items) {
      yield* this.spin();
      this.scope.set(cmd.variable, item);
      if ((yield* this.body(cmd.body, io)) === 'break') break;
    }
    return this.status;
  }

  private *cFor(cmd: Extract<CompoundNode, { type: 'CStyleFor' }>, io: Io): Gen<number> {
    if (cmd.init) this.arith(cmd.init.expression);
    this.status = 0;
    for (;;) {
      yield* this.spin();
      if (cmd.condition && this.arith(cmd.condition.expression) === 0) break;
      if ((yield* this.body(cmd.body, io)) === 'break') break;
      if (cmd.update) this.arith(cmd.update.expression);
    }
    return this.status;
  }

  private *caseCommand(cmd: Extract<CompoundNode, { type: 'Case' }>, io: Io): Gen<number> {
    const word = this.expandString(cmd.word);
    this.status = 0;
    let fallthrough = false;
    for (const item of cmd.items) {
      if (!fallthrough && !item.patterns.some((p) => globMatch(this.expandPattern(p), word))) continue;
      yield* this.statements(item.body, io);
      if (item.terminator === ';;') break;
      fallthrough = item.terminator === ';&';
    }
    return this.status;
  }

  private *subshell(body: StatementNode[], io: Io): Gen<number> {
    const c = this.child();
    try {
      return yield* c.statements(body, io);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  // --- simple commands -------------------------------------------------------------------

  /** Runs a trap whose signal arrived, at a command boundary of the main script. */
  private *runTraps(io: Io): Gen<void> {
    if (!this.isMain) return;
    while (this.sh.pendingSignals.length > 0) {
      const sig = this.sh.pendingSignals.shift() as string;
      const handler = this.sh.traps.get(sig);
      if (!handler) continue;
      const script = parseScript(handler);
      if ('syntaxError' in script) continue;
      const saved = this.status;
      yield* this.statements(script.statements, io); // `exit` in a trap ends the shell
      this.status = saved;
    }
  }

  *simple(cmd: SimpleCommandNode, io: Io, pid1: boolean): Gen<number> {
    yield* this.runTraps(io);
    const argv = cmd.name ? this.expandWords([cmd.name, ...cmd.args]) : [];
    if (argv.length === 0) {
      for (const a of cmd.assignments) this.assign(a);
      const rio = this.redirect(cmd.redirections, io);
      this.status = typeof rio === 'number' ? rio : this.status;
      return this.status;
    }
    const rio = this.redirect(cmd.redirections, io);
    if (typeof rio === 'number') {
      this.status = rio;
      return rio;
    }
    let saved: Scope | undefined;
    if (cmd.assignments.length > 0) {
      saved = this.scope;
      this.scope = this.scope.clone();
      for (const a of cmd.assignments) {
        this.assign(a);
        this.scope.exported.add(a.name);
      }
    }
    try {
      this.status = yield* this.runCommand(argv, rio, pid1 && cmd.redirections.length === 0);
    } finally {
      if (saved) this.scope = saved;
    }
    yield* this.runTraps(io);
    return this.status;
  }

  private assign(a: SimpleCommandNode['assignments'][number]): void {
    if (a.array) {
      const values = this.expandWords(a.array);
      const prev = a.append ? this.scope.arrays.get(a.name) ?? [] : [];
      this.scope.vars.delete(a.name);
      this.scope.arrays.set(a.name, [...prev, ...values]);
      return;
    }
    const value = a.value ? this.expandString(a.value) : '';
    const m = /^(\w+)\[(.+)\]$/.exec(a.name);
    if (m) {
      const arr = this.scope.arrays.get(m[1]) ?? [];
      arr[this.subscript(m[2])] = value;
      this.scope.arrays.set(m[1], arr);
      return;
    }
    this.scope.set(a.name, a.append ? (this.scope.get(a.name) ?? '') + value : value);
  }

  /** Dispatches argv: function, shell, shell builtin, coreutils command, or program. */
  *runCommand(argv: string[], io: Io, pid1: boolean): Gen<number> {
    const name = argv[0];
    const base = baseName(name);
    const fn = this.scope.functions.get(name);
    if (fn) return yield* this.callFunction(fn, argv, io);
    if (SHELLS.has(base)) return yield* this.newShell(pid1).runShell(argv, io, pid1);
    switch (base) {
      case 'sleep': return yield* this.sleep(argv, io);
      case 'wait': return yield* this.wait();
      case 'exec': return argv.length > 1 ? yield* this.execInto(argv.slice(1), io) : 0;
      case 'eval': return yield* this.runText(argv.slice(1).join(' '), io, false);
      case '.':
      case 'source': return yield* this.source(argv, io);
      case 'command':
      case 'nohup': return argv.length > 1 ? yield* this.runCommand(argv.slice(1), io, pid1) : 0;
      case 'env': return yield* this.env(argv, io, pid1);
      case 'docker-entrypoint.sh': return yield* this.dockerEntrypoint(argv.slice(1), io, pid1);
      case 'tail': if (argv.includes('-f') || argv.includes('-F')) return yield* this.tailFollow(argv, io);
    }
    const builtin = this.builtin(base, argv, io);
    if (builtin !== undefined) return builtin;
    const command = COMMANDS[base];
    if (command) return command(this.context(argv, io));
    const script = this.sh.fs.readFile(normalisePath(name, this.scope.cwd));
    if (name.includes('/') && script !== undefined) return yield* this.newShell(pid1).runShell(['sh', name, ...argv.slice(1)], io, pid1);
    return yield* this.program(argv, io, pid1);
  }

  /** A new shell process: PID 1 keeps the traps and signals; a child sees only exported variables. */
  private newShell(pid1: boolean): Interp {
    const main = pid1 && this.isMain;
    const interp = new Interp(this.sh, new Scope(this.scope.exportedEnv()), main);
    interp.scope.cwd = this.scope.cwd;
    if (main) this.sh.main = interp;
    return interp;
  }

  private *callFunction(fn: FunctionDef, argv: string[], io: Io): Gen<number> {
    const saved = this.scope.positional;
    this.scope.positional = argv.slice(1);
    try {
      return yield* this.command(fn.body, io);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.code;
      throw e;
    } finally {
      this.scope.positional = saved;
    }
  }

  /** `exec cmd`: the command replaces the shell (it becomes PID 1 and gets the signals). */
  private *execInto(argv: string[], io: Io): Gen<number> {
    const code = yield* this.runCommand(argv, io, this.isMain);
    throw new ExitSignal(code);
  }

  /** The official images' entrypoint script: checks its environment, then `exec "$@"`. */
  private *dockerEntrypoint(args: string[], io: Io, pid1: boolean): Gen<number> {
    if (args.length === 0) return 0;
    const exported = this.scope.exportedEnv();
    const refusal = entrypointRefusal(args, (name) => exported[name]);
    if (refusal) {
      for (const line of refusal) io.err.write(`${line}\n`);
      return 1;
    }
    for (const line of entrypointLogs(args)) io.out.write(`${line}\n`);
    return yield* this.runCommand(args, io, pid1);
  }

  private *source(argv: string[], io: Io): Gen<number> {
    const text = argv[1] ? this.sh.fs.readFile(normalisePath(argv[1], this.scope.cwd)) : undefined;
    if (text === undefined) {
      io.err.write(`${this.sh.errPrefix()}.: ${argv[1] ?? ''}: not found\n`);
      return 1;
    }
    return yield* this.runText(text, io, false);
  }

  private *env(argv: string[], io: Io, pid1: boolean): Gen<number> {
    let i = 1;
    const extra: Record<string, string> = {};
    for (; i < argv.length; i++) {
      const m = /^(\w+)=(.*)$/s.exec(argv[i]);
      if (m) extra[m[1]] = m[2];
      else if (argv[i] !== '-i' && argv[i] !== '-') break;
    }
    const env = { ...this.scope.exportedEnv(), ...extra };
    if (i >= argv.length) {
      for (const [k, v] of Object.entries(env)) io.out.write(`${k}=${v}\n`);
      return 0;
    }
    const saved = this.scope;
    this.scope = this.scope.clone();
    for (const [k, v] of Object.entries(extra)) {
      this.scope.set(k, v);
      this.scope.exported.add(k);
    }
    try {
      return yield* this.runCommand(argv.slice(i), io, pid1);
    } finally {
      this.scope = saved;
    }
  }

  /** sleep N[smhd]… (GNU sums several), `sleep infinity`. Virtual: yields until the time has passed. */
  private *sleep(argv: string[], io: Io): Gen<number> {
    if (argv.length < 2) {
      io.err.write('sleep: missing operand\n');
      return 1;
    }
    let ms = 0;
    for (const a of argv.slice(1)) {
      const d = parseSleep(a);
      if (d === undefined) {
        io.err.write(this.sh.opts.userland === 'gnu' ? `sleep: invalid time interval '${a}'\n` : `sleep: invalid number '${a}'\n`);
        return 1;
      }
      ms += d;
    }
    yield { kind: 'sleep', until: this.sh.time + ms };
    return 0;
  }

  private *wait(): Gen<number> {
    if (!this.isMain || !this.sh.jobsRunning()) return 0;
    const r = yield { kind: 'wait' };
    return r === 'signal' ? 128 + 15 : 0;
  }

  /** `tail -f`: prints the end of the file, then follows it for ever. */
  private *tailFollow(argv: string[], io: Io): Gen<number> {
    const args = argv.filter((a) => a !== '-f' && a !== '-F');
    const command = COMMANDS.tail;
    const code = command(this.context(args, io));
    if (code !== 0 && !argv.includes('-F')) return code;
    yield { kind: 'sleep', until: Infinity };
    return 0;
  }

  /** A program the shell does not interpret: a server (listens until stopped) or a one-shot. */
  private *program(argv: string[], io: Io, pid1: boolean): Gen<number> {
    const spec = this.sh.program(argv);
    if (spec.kind === 'server') {
      for (const line of spec.logs ?? []) io.out.write(`${line}\n`);
      yield { kind: 'serve', server: { spec, pid1 } };
      yield { kind: 'sleep', until: Infinity };
      return 0;
    }
    if (spec.note) this.sh.note(spec.note);
    if (spec.durationMs > 0) yield { kind: 'sleep', until: this.sh.time + spec.durationMs };
    const result = spec.run ? spec.run(this.context(argv, io)) : undefined;
    for (const line of spec.output ?? []) io.out.write(`${line}\n`);
    return result ?? spec.exitCode ?? 0;
  }

  // --- shell builtins that touch the interpreter's state ---------------------------------

  private builtin(base: string, argv: string[], io: Io): number | undefined {
    switch (base) {
      case 'exit': throw new ExitSignal(argv[1] !== undefined ? toInt(argv[1]) & 255 : this.status);
      case 'return': throw new ReturnSignal(argv[1] !== undefined ? toInt(argv[1]) & 255 : this.status);
      case 'break':
      case 'continue': throw new LoopSignal(base, argv[1] ? Math.max(1, toInt(argv[1])) : 1);
      case 'export': return this.export(argv.slice(1), io);
      case 'local':
      case 'readonly':
      case 'declare':
      case 'typeset': return this.declare(argv.slice(1));
      case 'unset': argv.slice(1).filter((a) => !a.startsWith('-')).forEach((n) => this.scope.unset(n)); return 0;
      case 'set': return this.set(argv.slice(1), io);
      case 'shift': this.scope.positional = this.scope.positional.slice(argv[1] ? toInt(argv[1]) : 1); return 0;
      case 'trap': return this.trap(argv.slice(1), io);
      case 'read': return this.read(argv.slice(1), io);
      case 'cd': return this.cd(argv[1], io);
      case 'let': return argv.slice(1).reduce((_, e) => (this.arithText(e) !== 0 ? 0 : 1), 1);
      default: return undefined;
    }
  }

  private export(args: string[], io: Io): number {
    if (args.length === 0 || args[0] === '-p') {
      for (const [k, v] of Object.entries(this.scope.exportedEnv())) io.out.write(`export ${k}='${v}'\n`);
      return 0;
    }
    this.declare(args);
    for (const a of args) this.scope.exported.add(a.split('=')[0]);
    return 0;
  }

  private declare(args: string[]): number {
    for (const a of args) {
      if (a.startsWith('-')) continue;
      const eq = a.indexOf('=');
      if (eq > 0) this.scope.set(a.slice(0, eq), a.slice(eq + 1));
    }
    return 0;
  }

  private set(args: string[], io: Io): number {
    if (args.length === 0) {
      for (const [k, v] of Object.entries(this.scope.exportedEnv())) io.out.write(`${k}='${v}'\n`);
      return 0;
    }
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--') {
        this.scope.positional = args.slice(i + 1);
        break;
      }
      if (/^[-+][a-z]+$/.test(a) && a.includes('e')) this.errexit = a.startsWith('-');
      if ((a === '-o' || a === '+o') && args[i + 1] === 'errexit') this.errexit = a === '-o';
      if (a === '-o' || a === '+o') i++;
    }
    return 0;
  }

  /** `trap 'cmd' TERM INT`, `trap - TERM`, `trap '' TERM` (ignore). */
  private trap(args: string[], io: Io): number {
    if (args.length === 0) {
      for (const [sig, h] of this.sh.traps) io.out.write(`trap -- '${h}' ${sig === 'EXIT' ? 'EXIT' : `SIG${sig}`}\n`);
      return 0;
    }
    const action = args[0];
    for (const s of args.slice(1)) {
      const sig = signalName(s);
      if (!sig) {
        io.err.write(`${this.sh.errPrefix()}trap: ${s}: bad trap\n`);
        return 1;
      }
      if (action === '-') this.sh.traps.delete(sig);
      else this.sh.traps.set(sig, action);
    }
    return 0;
  }

  private read(args: string[], io: Io): number {
    const names = args.filter((a) => !a.startsWith('-'));
    const { data, pos } = io.stdin;
    if (pos >= data.length) return 1;
    const nl = data.indexOf('\n', pos);
    const line = nl === -1 ? data.slice(pos) : data.slice(pos, nl);
    io.stdin.pos = nl === -1 ? data.length : nl + 1;
    const vars = names.length > 0 ? names : ['REPLY'];
    const fields = vars.length === 1 ? [line.trim()] : line.trim().split(/\s+/);
    vars.forEach((v, i) => this.scope.set(v, i === vars.length - 1 ? fields.slice(i).join(' ') : fields[i] ?? ''));
    return 0;
  }

  private cd(dir: string | undefined, io: Io): number {
    const target = normalisePath(dir ?? this.scope.get('HOME') ?? '/', this.scope.cwd);
    if (!this.sh.fs.isDir(target)) {
      io.err.write(`${this.sh.errPrefix()}cd: can't cd to ${dir}: No such file or directory\n`);
      return 2;
    }
    this.scope.cwd = target;
    this.scope.set('PWD', target);
    return 0;
  }

  context(argv: string[], io: Io): CommandContext {
    return { argv, io, sh: this.sh, scope: this.scope };
  }

  // --- redirections ----------------------------------------------------------------------

  /** Applies redirections; returns the new I/O, or an exit status when a file cannot be opened. */
  redirect(list: Redirection[], io: Io): Io | number {
    if (list.length === 0) return io;
    const r: Io = { ...io };
    for (const red of list) {
      const err = this.redirectOne(red, r);
      if (err !== undefined) {
        io.err.write(err);
        return 1;
      }
    }
    return r;
  }

  private redirectOne(red: Redirection, io: Io): string | undefined {
    if (red.target.type === 'HereDoc') {
      const doc = red.target;
      let text = doc.quoted ? doc.content.parts.map((p) => ('value' in p ? p.value : '')).join('') : this.expandString(doc.content);
      if (doc.stripTabs) text = text.replace(/^\t+/gm, '');
      io.stdin = { data: text, pos: 0 };
      return undefined;
    }
    const target = this.expandString(red.target);
    const fd = red.fd ?? (red.operator.startsWith('<') ? 0 : 1);
    switch (red.operator) {
      case '>&':
      case '<&':
        if (target === '1') io.err = fd === 2 ? io.out : io.err;
        else if (target === '2') io.out = fd === 1 ? io.err : io.out;
        else if (target === '-') {
          if (fd === 1) io.out = NULL_SINK;
          else io.err = NULL_SINK;
        }
        return undefined;
      case '<<<':
        io.stdin = { data: `${target}\n`, pos: 0 };
        return undefined;
      case '<': {
        const data = this.sh.fs.readFile(normalisePath(target, this.scope.cwd));
        if (data === undefined) return `${this.sh.errPrefix()}can't open ${target}: no such file\n`;
        io.stdin = { data, pos: 0 };
        return undefined;
      }
      default: {
        const append = red.operator === '>>' || red.operator === '&>>';
        const sink = this.openSink(target, append, io);
        if (typeof sink === 'string') return sink;
        if (red.operator === '&>' || red.operator === '&>>') {
          io.out = sink;
          io.err = sink;
        } else if (fd === 2) io.err = sink;
        else io.out = sink;
        return undefined;
      }
    }
  }

  private openSink(target: string, append: boolean, io: Io): Sink | string {
    if (target === '/dev/null') return NULL_SINK;
    if (target === '/dev/stdout' || target === '/proc/self/fd/1') return io.out;
    if (target === '/dev/stderr' || target === '/proc/self/fd/2') return io.err;
    if (target === '/proc/1/fd/1' || target === '/proc/1/fd/2') return this.sh.log;
    const path = normalisePath(target, this.scope.cwd);
    const err = append && this.sh.fs.isFile(path) ? undefined : this.sh.fs.writeFile(path, '', append);
    if (err) return `${this.sh.errPrefix()}can't create ${target}: ${fsErrorText(err)}\n`;
    return new FileSink(this.sh.fs, path);
  }

  // --- expansion -------------------------------------------------------------------------

  /** Expands words into fields: parameters, $(…), $((…)), splitting, braces and globs. */
  expandWords(words: WordNode[]): string[] {
    const out: string[] = [];
    for (const w of words) {
      if (isPlain(w)) {
        out.push(plainText(w));
        continue;
      }
      for (const braced of expandBraces(w)) this.expandFields(braced, out);
    }
    return out;
  }

  /** One word to one string (assignments, redirect targets, [[ ]] operands): no splitting. */
  expandString(w: WordNode): string {
    if (isPlain(w)) return plainText(w);
    let s = '';
    for (const part of w.parts) s += this.partText(part, true);
    return s;
  }

  /** A pattern word for case/[[ ==]]/${x#pat}: quoted parts match literally. */
  expandPattern(w: WordNode): string {
    let s = '';
    for (const part of w.parts) {
      if (part.type === 'Glob') s += part.pattern;
      else if (part.type === 'Literal') s += part.value;
      else s += escapeGlob(this.partText(part, true));
    }
    return s;
  }

  private expandFields(w: WordNode, out: string[]): void {
    let cur = '';
    let has = false;
    let glob = false;
    const push = (): void => {
      if (glob) out.push(...this.glob(cur));
      else out.push(cur);
      cur = '';
      has = false;
      glob = false;
    };
    for (const part of w.parts) {
      if (part.type === 'Literal' || part.type === 'Escaped') {
        cur += part.value;
        has = true;
      } else if (part.type === 'SingleQuoted') {
        cur += part.value;
        has = true;
      } else if (part.type === 'Glob') {
        cur += part.pattern;
        has = true;
        glob = /[*?[]/.test(part.pattern) && part.pattern !== '[';
      } else if (part.type === 'DoubleQuoted') {
        const fields = this.quotedFields(part.parts);
        fields.forEach((f, i) => {
          if (i > 0) push();
          cur += f;
        });
        has = true;
      } else {
        const values = this.unquotedValues(part);
        values.forEach((v, vi) => {
          const pieces = v.split(/[ \t\n]+/);
          pieces.forEach((p, pi) => {
            if ((vi > 0 || pi > 0) && (has || cur !== '')) push();
            if (p !== '') {
              cur += p;
              has = true;
            }
          });
        });
      }
    }
    if (has || cur !== '') push();
  }

  /** "…" contents; "$@" and "${a[@]}" give one field per element. */
  private quotedFields(parts: WordPart[]): string[] {
    const fields = [''];
    for (const p of parts) {
      if (p.type === 'ParameterExpansion' && p.operation === null && /^(@|\w+\[@\])$/.test(p.parameter)) {
        const values = this.paramValues(p.parameter) ?? [];
        values.forEach((v, i) => {
          if (i === 0) fields[fields.length - 1] += v;
          else fields.push(v);
        });
        continue;
      }
      fields[fields.length - 1] += this.partText(p, true);
    }
    return fields;
  }

  private unquotedValues(part: WordPart): string[] {
    if (part.type === 'ParameterExpansion' && part.operation === null && /^([@*]|\w+\[[@*]\])$/.test(part.parameter)) {
      return this.paramValues(part.parameter) ?? [];
    }
    return [this.partText(part, false)];
  }

  private partText(part: WordPart, _quoted: boolean): string {
    switch (part.type) {
      case 'Literal':
      case 'SingleQuoted':
      case 'Escaped': return part.value;
      case 'Glob': return part.pattern;
      case 'DoubleQuoted': return part.parts.map((p) => this.partText(p, true)).join('');
      case 'ParameterExpansion': return this.parameter(part);
      case 'CommandSubstitution': return this.commandSubstitution(part.body);
      case 'ArithmeticExpansion': return String(this.arith(part.expression.expression));
      case 'TildeExpansion': return part.user === null ? this.scope.get('HOME') ?? '/root' : `/home/${part.user}`;
      case 'BraceExpansion': return '';
      case 'ProcessSubstitution': return '/dev/fd/63';
    }
  }

  /** $(…): runs in a subshell at once; sleeps inside it advance the shell's clock. */
  private commandSubstitution(body: ScriptNode): string {
    const c = this.child();
    const out = new BufferSink();
    const io: Io = { stdin: EMPTY_STDIN(), out, err: this.sh.log };
    const gen = c.statements(body.statements, io);
    try {
      for (let r = gen.next(); !r.done; r = gen.next()) {
        if (r.value.kind === 'sleep') {
          if (r.value.until === Infinity) break;
          this.sh.time = Math.max(this.sh.time, r.value.until);
        }
      }
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      c.status = e.code;
    }
    this.status = c.status;
    return out.text.replace(/\n+$/, '');
  }

  // --- parameters ------------------------------------------------------------------------

  /** Values of $@, ${a[@]}, $name, ${a[i]}; undefined when unset. */
  private paramValues(name: string): string[] | undefined {
    if (name === '@' || name === '*') return this.scope.positional;
    const m = /^(\w+)\[(.+)\]$/.exec(name);
    if (m) {
      const arr = this.scope.arrays.get(m[1]);
      if (m[2] === '@' || m[2] === '*') return arr ? arr.filter((v) => v !== undefined) : (this.scope.get(m[1]) !== undefined ? [this.scope.get(m[1]) as string] : []);
      const idx = this.subscript(m[2]);
      const v = arr ? arr[idx < 0 ? arr.length + idx : idx] : idx === 0 ? this.scope.get(m[1]) : undefined;
      return v === undefined ? undefined : [v];
    }
    const v = this.special(name) ?? this.scope.get(name);
    return v === undefined ? undefined : [v];
  }

  private special(name: string): string | undefined {
    switch (name) {
      case '?': return String(this.status);
      case '$': return '1';
      case '#': return String(this.scope.positional.length);
      case '0': return this.scope.name;
      case 'RANDOM': return String(this.sh.random());
      case 'SECONDS': return String(Math.floor((this.sh.time - this.sh.startTime) / 1000));
      case 'PPID': return '0';
      case 'PWD': return this.scope.get('PWD') ?? this.scope.cwd;
      case 'HOSTNAME': return this.scope.get('HOSTNAME') ?? this.sh.opts.hostname;
      case 'UID': return String(this.sh.opts.uid ?? 0);
      case '!': return '';
      case '-': return this.errexit ? 'e' : '';
    }
    if (/^[1-9]\d*$/.test(name)) return this.scope.positional[Number(name) - 1];
    return undefined;
  }

  private subscript(text: string): number {
    const node = parseSubscript(text);
    return node ? this.arith(node.expression) : toInt(text);
  }

  private parameter(part: ParamPart): string {
    const values = this.paramValues(part.parameter);
    const value = values === undefined ? undefined : values.join(' ');
    if (!part.operation) return value ?? '';
    return this.parameterOp(part.parameter, value, values, part.operation);
  }

  private parameterOp(name: string, value: string | undefined, values: string[] | undefined, op: ParamOp): string {
    const empty = value === undefined || value === '';
    switch (op.type) {
      case 'DefaultValue': return (op.checkEmpty ? empty : value === undefined) ? this.expandString(op.word) : value ?? '';
      case 'AssignDefault': {
        if (!(op.checkEmpty ? empty : value === undefined)) return value ?? '';
        const v = this.expandString(op.word);
        this.scope.set(name, v);
        return v;
      }
      case 'UseAlternative': return (op.checkEmpty ? empty : value === undefined) ? '' : this.expandString(op.word);
      case 'ErrorIfUnset': {
        if (!(op.checkEmpty ? empty : value === undefined)) return value ?? '';
        const msg = op.word ? this.expandString(op.word) : 'parameter not set';
        this.sh.log.write(`${this.sh.errPrefix()}${name}: ${msg}\n`);
        throw new ExitSignal(this.isMain ? 2 : 1);
      }
      case 'Length': return String(/\[[@*]\]$/.test(name) ? (values ?? []).length : (value ?? '').length);
      case 'Substring': {
        const s = value ?? '';
        let off = this.arith(op.offset.expression);
        if (off < 0) off = Math.max(0, s.length + off);
        const len = op.length ? this.arith(op.length.expression) : undefined;
        return len === undefined ? s.slice(off) : len < 0 ? s.slice(off, s.length + len) : s.slice(off, off + len);
      }
      case 'PatternRemoval': return removePattern(value ?? '', this.expandPattern(op.pattern), op.side, op.greedy);
      case 'PatternReplacement': return replacePattern(value ?? '', op.pattern ? this.expandPattern(op.pattern) : '', op.replacement ? this.expandString(op.replacement) : '', op.all, op.anchor);
      case 'CaseModification': {
        const s = value ?? '';
        const f = op.direction === 'upper' ? (x: string) => x.toUpperCase() : (x: string) => x.toLowerCase();
        return op.all ? f(s) : f(s.slice(0, 1)) + s.slice(1);
      }
      default: return value ?? '';
    }
  }

  // --- arithmetic ------------------------------------------------------------------------

  arithText(text: string): number {
    const node = parseSubscript(text);
    return node ? this.arith(node.expression) : 0;
  }

  private varNumber(name: string): number {
    const v = this.scope.get(name);
    if (v === undefined || v === '') return 0;
    if (/^-?\d+$/.test(v.trim())) return Number(v.trim());
    if (/^\w+$/.test(v) && v !== name) return this.varNumber(v);
    return this.arithText(v);
  }

  private setNumber(name: string, subscript: ArithExpr | undefined, value: number): number {
    if (subscript) {
      const arr = this.scope.arrays.get(name) ?? [];
      arr[this.arith(subscript)] = String(value);
      this.scope.arrays.set(name, arr);
    } else this.scope.set(name, String(value));
    return value;
  }

  arith(e: ArithExpr): number {
    switch (e.type) {
      case 'ArithNumber': return e.value;
      case 'ArithVariable': return this.varNumber(e.name);
      case 'ArithSpecialVar': return toInt(this.special(e.name) ?? '0');
      case 'ArithGroup':
      case 'ArithNested': return this.arith(e.expression);
      case 'ArithBinary': return this.arithBinary(e.operator, e.left, e.right);
      case 'ArithUnary': return this.arithUnary(e);
      case 'ArithTernary': return this.arith(e.condition) !== 0 ? this.arith(e.consequent) : this.arith(e.alternate);
      case 'ArithAssignment': return this.arithAssign(e);
      case 'ArithArrayElement': {
        const arr = this.scope.arrays.get(e.array);
        const v = arr?.[e.index ? this.arith(e.index) : 0];
        return v === undefined ? 0 : toInt(v);
      }
      case 'ArithBracedExpansion': return toInt(this.paramValues(e.content)?.[0] ?? '0');
      case 'ArithCommandSubst': return toInt(this.commandSubstitutionText(e.command));
      case 'ArithSingleQuote': return e.value;
      default: return 0;
    }
  }

  private commandSubstitutionText(text: string): string {
    const script = parseScript(text);
    return 'syntaxError' in script ? '' : this.commandSubstitution(script);
  }

  private arithBinary(op: string, l: ArithExpr, r: ArithExpr): number {
    if (op === '&&') return this.arith(l) !== 0 && this.arith(r) !== 0 ? 1 : 0;
    if (op === '||') return this.arith(l) !== 0 || this.arith(r) !== 0 ? 1 : 0;
    const a = this.arith(l);
    const b = this.arith(r);
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/':
      case '%': {
        if (b === 0) {
          this.sh.log.write(`${this.sh.errPrefix()}arithmetic syntax error: divide by zero\n`);
          throw new ExitSignal(2);
        }
        return op === '/' ? Math.trunc(a / b) : a % b;
      }
      case '**': return a ** b;
      case '<<': return a << b;
      case '>>': return a >> b;
      case '<': return a < b ? 1 : 0;
      case '<=': return a <= b ? 1 : 0;
      case '>': return a > b ? 1 : 0;
      case '>=': return a >= b ? 1 : 0;
      case '==': return a === b ? 1 : 0;
      case '!=': return a !== b ? 1 : 0;
      case '&': return a & b;
      case '|': return a | b;
      case '^': return a ^ b;
      case ',': return b;
      default: return 0;
    }
  }

  private arithUnary(e: Extract<ArithExpr, { type: 'ArithUnary' }>): number {
    if (e.operator === '++' || e.operator === '--') {
      const target = e.operand;
      const name = target.type === 'ArithVariable' ? target.name : undefined;
      if (!name) return 0;
      const old = this.varNumber(name);
      const next = e.operator === '++' ? old + 1 : old - 1;
      this.scope.set(name, String(next));
      return e.prefix ? next : old;
    }
    const v = this.arith(e.operand);
    switch (e.operator) {
      case '-': return -v;
      case '+': return v;
      case '!': return v === 0 ? 1 : 0;
      case '~': return ~v;
      default: return v;
    }
  }

  private arithAssign(e: Extract<ArithExpr, { type: 'ArithAssignment' }>): number {
    const v = this.arith(e.value);
    if (e.operator === '=') return this.setNumber(e.variable, e.subscript, v);
    const old = this.varNumber(e.variable);
    const op = e.operator.slice(0, -1);
    const ops: Record<string, (a: number, b: number) => number> = {
      '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => Math.trunc(a / b),
      '%': (a, b) => a % b, '<<': (a, b) => a << b, '>>': (a, b) => a >> b, '&': (a, b) => a & b, '|': (a, b) => a | b, '^': (a, b) => a ^ b,
    };
    return this.setNumber(e.variable, e.subscript, (ops[op] ?? ((_a, b) => b))(old, v));
  }

  // --- [[ … ]] ----------------------------------------------------------------------------

  private cond(e: CondExpr): boolean {
    switch (e.type) {
      case 'CondNot': return !this.cond(e.operand);
      case 'CondAnd': return this.cond(e.left) && this.cond(e.right);
      case 'CondOr': return this.cond(e.left) || this.cond(e.right);
      case 'CondGroup': return this.cond(e.expression);
      case 'CondWord': return this.expandString(e.word) !== '';
      case 'CondUnary': return testUnary(this.sh.fs, this.scope, e.operator, this.expandString(e.operand)) ?? false;
      case 'CondBinary': {
        const l = this.expandString(e.left);
        if (e.operator === '==' || e.operator === '=') return globMatch(this.expandPattern(e.right), l);
        if (e.operator === '!=') return !globMatch(this.expandPattern(e.right), l);
        const r = this.expandString(e.right);
        if (e.operator === '=~') return safeRegex(r)?.test(l) ?? false;
        return testBinary(l, e.operator, r) ?? false;
      }
    }
  }

  // --- globbing --------------------------------------------------------------------------

  private glob(pattern: string): string[] {
    const slash = pattern.lastIndexOf('/');
    const dir = slash === -1 ? this.scope.cwd : pattern.slice(0, slash) || '/';
    const base = pattern.slice(slash + 1);
    const names = this.sh.fs.list(normalisePath(dir, this.scope.cwd)) ?? [];
    const matched = names.filter((n) => !n.startsWith('.') && globMatch(base, n));
    if (matched.length === 0) return [pattern];
    return matched.map((n) => (slash === -1 ? n : `${pattern.slice(0, slash)}/${n}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function singleSimpleCommand(script: ScriptNode): SimpleCommandNode | undefined {
  if (script.statements.length !== 1) return undefined;
  const st = script.statements[0];
  if (st.background || st.pipelines.length !== 1) return undefined;
  const p = st.pipelines[0];
  const cmd = p.commands[0];
  if (p.negated || p.commands.length !== 1 || cmd.type !== 'SimpleCommand' || !cmd.name) return undefined;
  return cmd;
}

function isPlain(w: WordNode): boolean {
  for (const p of w.parts) if (p.type !== 'Literal' && p.type !== 'SingleQuoted' && p.type !== 'Escaped') return false;
  return true;
}

function plainText(w: WordNode): string {
  if (w.parts.length === 1) return (w.parts[0] as { value: string }).value;
  let s = '';
  for (const p of w.parts) s += (p as { value: string }).value;
  return s;
}

/** {a,b}c → ac bc; {1..3} → 1 2 3. */
function expandBraces(w: WordNode): WordNode[] {
  const i = w.parts.findIndex((p) => p.type === 'BraceExpansion');
  if (i === -1) return [w];
  const brace = w.parts[i] as Extract<WordPart, { type: 'BraceExpansion' }>;
  const alternatives: WordPart[][] = [];
  for (const item of brace.items) {
    if (item.type === 'Word') alternatives.push(item.word.parts);
    else for (const v of braceRange(item.start, item.end, item.step)) alternatives.push([{ type: 'Literal', value: v }]);
  }
  const out: WordNode[] = [];
  for (const alt of alternatives) {
    out.push(...expandBraces({ type: 'Word', parts: [...w.parts.slice(0, i), ...alt, ...w.parts.slice(i + 1)] }));
  }
  return out;
}

function braceRange(start: string | number, end: string | number, step = 1): string[] {
  const out: string[] = [];
  if (typeof start === 'number' && typeof end === 'number') {
    const s = Math.abs(step) || 1;
    if (start <= end) for (let v = start; v <= end; v += s) out.push(String(v));
    else for (let v = start; v >= end; v -= s) out.push(String(v));
    return out;
  }
  const a = String(start).charCodeAt(0);
  const b = String(end).charCodeAt(0);
  for (let c = a; a <= b ? c <= b : c >= b; c += a <= b ? 1 : -1) out.push(String.fromCharCode(c));
  return out;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function toInt(s: string): number {
  const n = parseInt(s.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
}

/** sleep's operand: seconds with an optional s/m/h/d suffix, or infinity. */
export function parseSleep(arg: string): number | undefined {
  if (arg === 'infinity' || arg === 'inf') return Infinity;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

function signalName(s: string): string | undefined {
  const up = s.toUpperCase().replace(/^SIG/, '');
  const byNumber: Record<string, string> = { '0': 'EXIT', '1': 'HUP', '2': 'INT', '3': 'QUIT', '9': 'KILL', '15': 'TERM', '10': 'USR1', '12': 'USR2' };
  if (byNumber[up]) return byNumber[up];
  return ['EXIT', 'HUP', 'INT', 'QUIT', 'TERM', 'USR1', 'USR2', 'CHLD', 'ERR', 'KILL'].includes(up) ? up : undefined;
}

export function fsErrorText(err: string): string {
  switch (err) {
    case 'ENOENT': return 'nonexistent directory';
    case 'EROFS': return 'Read-only file system';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    default: return err;
  }
}

/** Shell pattern (*, ?, [..]) to an anchored regular expression. */
export function globToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegex(pattern[++i]);
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escapeRegex(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

export function globMatch(pattern: string, s: string): boolean {
  if (!/[*?[\\]/.test(pattern)) return pattern === s;
  return globToRegex(pattern).test(s);
}

function removePattern(s: string, pattern: string, side: 'prefix' | 'suffix', greedy: boolean): string {
  const re = globToRegex(pattern);
  if (side === 'prefix') {
    const order = greedy ? range(s.length, -1) : range(0, s.length + 1);
    for (const i of order) if (re.test(s.slice(0, i))) return s.slice(i);
  } else {
    const order = greedy ? range(0, s.length + 1) : range(s.length, -1);
    for (const i of order) if (re.test(s.slice(i))) return s.slice(0, i);
  }
  return s;
}

function replacePattern(s: string, pattern: string, rep: string, all: boolean, anchor: 'start' | 'end' | null): string {
  if (pattern === '') return s;
  const body = globToRegex(pattern).source.slice(1, -1);
  const src = anchor === 'start' ? `^${body}` : anchor === 'end' ? `${body}$` : body;
  return s.replace(new RegExp(src, all ? 'g' : ''), () => rep);
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  if (from <= to) for (let i = from; i < to; i++) out.push(i);
  else for (let i = from; i > to; i--) out.push(i);
  return out;
}

export function safeRegex(src: string, flags = ''): RegExp | undefined {
  try {
    return new RegExp(src, flags);
  } catch {
    return undefined;
  }
}

/** test(1) unary operators over the container's files and variables. */
export function testUnary(fs: ContainerFs, scope: Scope, op: string, arg: string): boolean | undefined {
  const path = (): string => normalisePath(arg, scope.cwd);
  switch (op) {
    case '-z': return arg === '';
    case '-n': return arg !== '';
    case '-e':
    case '-a': return fs.exists(path());
    case '-f': return fs.isFile(path());
    case '-d': return fs.isDir(path());
    case '-s': return (fs.readFile(path()) ?? '').length > 0 || fs.isDir(path());
    case '-r':
    case '-w':
    case '-x': return fs.exists(path());
    case '-L':
    case '-h':
    case '-p':
    case '-S':
    case '-b':
    case '-c': return false;
    case '-v': return scope.get(arg) !== undefined;
    case '-t': return false;
    default: return undefined;
  }
}

/** test(1) binary operators; undefined for an operator it does not know. */
export function testBinary(l: string, op: string, r: string): boolean | undefined {
  switch (op) {
    case '=':
    case '==': return l === r;
    case '!=': return l !== r;
    case '<': return l < r;
    case '>': return l > r;
    case '-eq': return toInt(l) === toInt(r);
    case '-ne': return toInt(l) !== toInt(r);
    case '-lt': return toInt(l) < toInt(r);
    case '-le': return toInt(l) <= toInt(r);
    case '-gt': return toInt(l) > toInt(r);
    case '-ge': return toInt(l) >= toInt(r);
    default: return undefined;
  }
}
