// The commands container scripts in Kubernetes manifests call (busybox applets / GNU coreutils
// subset): echo, printf, cat, touch, rm, mkdir, ls, date, test, expr, wc, head, tail, grep, sed,
// tr, seq … Error texts follow busybox or GNU depending on the image's userland. All synchronous:
// commands that wait (sleep, wait, tail -f) live in the shell.
import type { Io, Scope, Shell } from './shell.ts';
import { safeRegex, testBinary, testUnary, toInt } from './shell.ts';
import { baseName, normalisePath, parentOf } from './fs.ts';

export interface CommandContext {
  argv: string[];
  io: Io;
  sh: Shell;
  scope: Scope;
}

export type Command = (ctx: CommandContext) => number;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function gnu(ctx: CommandContext): boolean {
  return ctx.sh.opts.userland === 'gnu';
}

function out(ctx: CommandContext, s: string): void {
  ctx.io.out.write(s);
}

function err(ctx: CommandContext, s: string): void {
  ctx.io.err.write(s);
}

function path(ctx: CommandContext, p: string): string {
  return normalisePath(p, ctx.scope.cwd);
}

function missing(ctx: CommandContext, cmd: string, file: string, verb = "can't open", gnuVerb = ''): void {
  if (gnu(ctx)) err(ctx, `${cmd}: ${gnuVerb ? `${gnuVerb} '${file}'` : file}: No such file or directory\n`);
  else err(ctx, `${cmd}: ${verb} '${file}': No such file or directory\n`);
}

/** Splits leading options (`-n 5`, `-rf`, `--`) from operands; flags with values listed in `withValue`. */
function options(args: string[], withValue = ''): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (withValue.includes(f)) {
          flags.set(f, a.slice(j + 1) || args[++i] || '');
          break;
        }
        flags.set(f, '');
      }
    } else rest.push(a);
  }
  return { flags, rest };
}

/** stdin, or the named files concatenated; reports missing files. */
function inputs(ctx: CommandContext, cmd: string, files: string[]): { text: string; code: number } {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) return { text: readStdin(ctx), code: 0 };
  let text = '';
  let code = 0;
  for (const f of files) {
    const data = f === '-' ? readStdin(ctx) : ctx.sh.fs.readFile(path(ctx, f));
    if (data === undefined) {
      if (ctx.sh.fs.isDir(path(ctx, f))) err(ctx, `${cmd}: read error: Is a directory\n`);
      else missing(ctx, cmd, f);
      code = 1;
    } else text += data;
  }
  return { text, code };
}

function readStdin(ctx: CommandContext): string {
  const s = ctx.io.stdin.data.slice(ctx.io.stdin.pos);
  ctx.io.stdin.pos = ctx.io.stdin.data.length;
  return s;
}

function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function joinLines(l: string[]): string {
  return l.length === 0 ? '' : `${l.join('\n')}\n`;
}

/** Backslash escapes of echo -e and printf. */
function unescape(s: string): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 >= s.length) {
      text += s[i];
      continue;
    }
    const c = s[++i];
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };
    if (c === 'c') return { text, stop: true };
    if (map[c] !== undefined) text += map[c];
    else if (c === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))?.[0] ?? '';
      text += String.fromCharCode(parseInt(m || '0', 8));
      i += m.length;
    } else text += `\\${c}`;
  }
  return { text, stop: false };
}

// ---------------------------------------------------------------------------------------------
// Output commands
// ---------------------------------------------------------------------------------------------

function echo(ctx: CommandContext): number {
  let args = ctx.argv.slice(1);
  let newline = true;
  let escapes = !gnu(ctx) ? false : ctx.sh.flavour === 'dash';
  while (args.length > 0 && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    if (args[0].includes('E')) escapes = false;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  out(ctx, newline ? `${text}\n` : text);
  return 0;
}

/** printf FORMAT ARGS…: %s %d %i %f %x %o %c %b %%, widths and precision; the format repeats. */
function printf(ctx: CommandContext): number {
  const [format = '', ...args] = ctx.argv.slice(1);
  let i = 0;
  let result = '';
  do {
    const before = i;
    result += format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdifxXocbeg%])|\\./g, (m, flags: string, width: string, prec: string, conv: string) => {
      if (m.startsWith('\\')) return unescape(m).text;
      if (conv === '%') return '%';
      const arg = args[i++] ?? '';
      return pad(formatOne(conv, arg, prec), flags ?? '', width ? Number(width) : 0, conv);
    });
    if (i === before) break;
  } while (i < args.length);
  out(ctx, result);
  return 0;
}

function formatOne(conv: string, arg: string, prec: string | undefined): string {
  switch (conv) {
    case 'd':
    case 'i': return String(toInt(arg));
    case 'f':
    case 'e':
    case 'g': return (Number(arg) || 0).toFixed(prec === undefined ? 6 : Number(prec));
    case 'x': return (toInt(arg) >>> 0).toString(16);
    case 'X': return (toInt(arg) >>> 0).toString(16).toUpperCase();
    case 'o': return (toInt(arg) >>> 0).toString(8);
    case 'c': return arg.slice(0, 1);
    case 'b': return unescape(arg).text;
    default: return prec === undefined ? arg : arg.slice(0, Number(prec));
  }
}

function pad(s: string, flags: string, width: number, conv: string): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (flags.includes('0') && conv !== 's') return s.startsWith('-') ? `-${s.slice(1).padStart(width - 1, '0')}` : s.padStart(width, '0');
  return s.padStart(width);
}

function printenv(ctx: CommandContext): number {
  const env = ctx.scope.exportedEnv();
  const names = ctx.argv.slice(1);
  if (names.length === 0) {
    for (const [k, v] of Object.entries(env)) out(ctx, `${k}=${v}\n`);
    return 0;
  }
  let code = 0;
  for (const n of names) {
    if (env[n] === undefined) code = 1;
    else out(ctx, `${env[n]}\n`);
  }
  return code;
}

function cat(ctx: CommandContext): number {
  const { rest } = options(ctx.argv.slice(1));
  const { text, code } = inputs(ctx, 'cat', rest);
  out(ctx, text);
  return code;
}

function rev(ctx: CommandContext): number {
  const { text, code } = inputs(ctx, 'rev', ctx.argv.slice(1));
  out(ctx, joinLines(lines(text).map((l) => [...l].reverse().join(''))));
  return code;
}

function seq(ctx: CommandContext): number {
  const n = ctx.argv.slice(1).map(Number);
  const [first, step, last] = n.length === 1 ? [1, 1, n[0]] : n.length === 2 ? [n[0], 1, n[1]] : [n[0], n[1], n[2]];
  if (n.some(Number.isNaN) || step === 0) {
    err(ctx, `seq: invalid argument\n`);
    return 1;
  }
  let s = '';
  for (let v = first; step > 0 ? v <= last : v >= last; v += step) s += `${v}\n`;
  out(ctx, s);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

function touch(ctx: CommandContext): number {
  let code = 0;
  for (const f of options(ctx.argv.slice(1)).rest) {
    const p = path(ctx, f);
    if (ctx.sh.fs.exists(p)) continue;
    const e = ctx.sh.fs.writeFile(p, '');
    if (e) {
      err(ctx, gnu(ctx) ? `touch: cannot touch '${f}': ${e === 'EROFS' ? 'Read-only file system' : 'No such file or directory'}\n` : `touch: ${f}: ${e === 'EROFS' ? 'Read-only file system' : 'No such file or directory'}\n`);
      code = 1;
    }
  }
  return code;
}

function rm(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const force = flags.has('f');
  const recursive = flags.has('r') || flags.has('R');
  let code = 0;
  for (const f of rest) {
    const e = ctx.sh.fs.remove(path(ctx, f), recursive);
    if (!e || (e === 'ENOENT' && force)) continue;
    code = 1;
    if (e === 'ENOENT') err(ctx, gnu(ctx) ? `rm: cannot remove '${f}': No such file or directory\n` : `rm: can't remove '${f}': No such file or directory\n`);
    else if (e === 'EISDIR') err(ctx, gnu(ctx) ? `rm: cannot remove '${f}': Is a directory\n` : `rm: '${f}' is a directory\n`);
    else err(ctx, `rm: can't remove '${f}': Read-only file system\n`);
  }
  return code;
}

function mkdir(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1), 'm');
  let code = 0;
  for (const d of rest) {
    const e = ctx.sh.fs.mkdir(path(ctx, d), flags.has('p'));
    if (!e) continue;
    code = 1;
    const why = e === 'EEXIST' ? 'File exists' : e === 'EROFS' ? 'Read-only file system' : 'No such file or directory';
    err(ctx, gnu(ctx) ? `mkdir: cannot create directory '${d}': ${why}\n` : `mkdir: can't create directory '${d}': ${why}\n`);
  }
  return code;
}

function rmdir(ctx: CommandContext): number {
  for (const d of ctx.argv.slice(1)) ctx.sh.fs.remove(path(ctx, d), true);
  return 0;
}

function ls(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const targets = rest.length > 0 ? rest : ['.'];
  let code = 0;
  targets.forEach((t, i) => {
    const names = ctx.sh.fs.list(path(ctx, t));
    if (names === undefined) {
      err(ctx, gnu(ctx) ? `ls: cannot access '${t}': No such file or directory\n` : `ls: ${t}: No such file or directory\n`);
      code = gnu(ctx) ? 2 : 1;
      return;
    }
    if (targets.length > 1) out(ctx, `${i > 0 ? '\n' : ''}${t}:\n`);
    const shown = flags.has('a') ? ['.', '..', ...names] : names;
    if (flags.has('l')) for (const n of shown) out(ctx, `${longEntry(ctx, t, n)}\n`);
    else out(ctx, joinLines(shown));
  });
  return code;
}

function longEntry(ctx: CommandContext, dir: string, name: string): string {
  const p = path(ctx, `${dir}/${name}`);
  const isDir = ctx.sh.fs.isDir(p);
  const size = isDir ? 4096 : (ctx.sh.fs.readFile(p) ?? '').length;
  return `${isDir ? 'drwxr-xr-x' : '-rw-r--r--'}    1 root     root     ${String(size).padStart(9)} Jan  1 00:00 ${name}`;
}

function cp(ctx: CommandContext): number {
  const { rest } = options(ctx.argv.slice(1));
  const dest = rest.pop();
  if (!dest || rest.length === 0) {
    err(ctx, 'cp: missing file operand\n');
    return 1;
  }
  return copyFiles(ctx, 'cp', rest, dest, false);
}

function mv(ctx: CommandContext): number {
  const { rest } = options(ctx.argv.slice(1));
  const dest = rest.pop();
  if (!dest || rest.length === 0) {
    err(ctx, 'mv: missing file operand\n');
    return 1;
  }
  return copyFiles(ctx, 'mv', rest, dest, true);
}

function copyFiles(ctx: CommandContext, cmd: string, sources: string[], dest: string, move: boolean): number {
  const fs = ctx.sh.fs;
  const destDir = fs.isDir(path(ctx, dest));
  let code = 0;
  for (const s of sources) {
    const data = fs.readFile(path(ctx, s));
    if (data === undefined) {
      missing(ctx, cmd, s, "can't stat", 'cannot stat');
      code = 1;
      continue;
    }
    const target = destDir ? `${path(ctx, dest)}/${baseName(s)}` : path(ctx, dest);
    if (fs.writeFile(target, data)) code = 1;
    else if (move) fs.remove(path(ctx, s));
  }
  return code;
}

function tee(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const text = readStdin(ctx);
  for (const f of rest) ctx.sh.fs.writeFile(path(ctx, f), text, flags.has('a'));
  out(ctx, text);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Text filters
// ---------------------------------------------------------------------------------------------

function wc(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const { text, code } = inputs(ctx, 'wc', rest);
  const counts: Array<[string, number]> = [
    ['l', (text.match(/\n/g) ?? []).length],
    ['w', text.split(/\s+/).filter(Boolean).length],
    ['c', text.length],
  ];
  const chosen = flags.size === 0 ? counts : counts.filter(([f]) => flags.has(f) || (f === 'c' && flags.has('m')));
  const nums = chosen.map(([, n]) => (chosen.length > 1 ? String(n).padStart(7) : String(n)));
  out(ctx, `${nums.join(' ')}${rest.length === 1 ? ` ${rest[0]}` : ''}\n`);
  return code;
}

function countArg(flags: Map<string, string>, argv: string[]): number {
  const legacy = argv.find((a) => /^-\d+$/.test(a));
  if (legacy) return Number(legacy.slice(1));
  return flags.has('n') ? toInt(flags.get('n') as string) : 10;
}

function head(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1).filter((a) => !/^-\d+$/.test(a)), 'nc');
  const { text, code } = inputs(ctx, 'head', rest);
  if (flags.has('c')) out(ctx, text.slice(0, toInt(flags.get('c') as string)));
  else out(ctx, joinLines(lines(text).slice(0, countArg(flags, ctx.argv))));
  return code;
}

function tail(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1).filter((a) => !/^-\d+$/.test(a)), 'nc');
  const { text, code } = inputs(ctx, 'tail', rest);
  const n = countArg(flags, ctx.argv);
  const raw = flags.get('n') ?? '';
  const l = lines(text);
  out(ctx, joinLines(raw.startsWith('+') ? l.slice(toInt(raw.slice(1)) - 1) : n === 0 ? [] : l.slice(-n)));
  return code;
}

/** grep [-vicqnoEFw] [-e PATTERN] PATTERN [FILE…]: exit 0 if a line matched, 1 if none, 2 on error. */
function grep(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1), 'e');
  const pattern = flags.has('e') ? (flags.get('e') as string) : rest.shift();
  if (pattern === undefined) {
    err(ctx, 'grep: missing pattern\n');
    return 2;
  }
  const src = flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : flags.has('E') ? pattern : breToJs(pattern);
  const re = safeRegex(flags.has('w') ? `\\b(?:${src})\\b` : src, flags.has('i') ? 'i' : '');
  if (!re) {
    err(ctx, 'grep: bad regex\n');
    return 2;
  }
  const { text, code } = inputs(ctx, 'grep', rest);
  const matched = lines(text).map((l, i) => ({ l, i })).filter(({ l }) => re.test(l) !== flags.has('v'));
  if (!flags.has('q')) {
    if (flags.has('c')) out(ctx, `${matched.length}\n`);
    else out(ctx, joinLines(matched.map(({ l, i }) => (flags.has('n') ? `${i + 1}:${l}` : flags.has('o') ? (re.exec(l)?.[0] ?? l) : l))));
  }
  if (code !== 0 && !flags.has('s')) return 2;
  return matched.length > 0 ? 0 : 1;
}

/** POSIX basic regular expression to JavaScript: \( \) \{ \} \| are the operators, ( ) { } | literal. */
export function breToJs(bre: string): string {
  let s = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i];
    if (c === '\\' && i + 1 < bre.length) {
      const n = bre[++i];
      s += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else if ('(){}|+?'.includes(c)) s += `\\${c}`;
    else s += c;
  }
  return s;
}

/** sed: s/RE/REPL/[gip], d, p with -n, -e, -E, -i (in place). */
function sed(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1), 'e');
  const scripts = flags.has('e') ? [flags.get('e') as string] : rest.length > 0 ? [rest.shift() as string] : [];
  const ere = flags.has('E') || flags.has('r');
  const edits = scripts.flatMap((s) => s.split(/;|\n/)).map((s) => s.trim()).filter(Boolean).map((s) => sedCommand(s, ere));
  if (edits.some((e) => e === undefined)) {
    err(ctx, `sed: -e expression #1, char 1: unknown command\n`);
    return 1;
  }
  const apply = (text: string): string => {
    const result: string[] = [];
    for (const line of lines(text)) {
      let l = line;
      let deleted = false;
      for (const e of edits as SedEdit[]) {
        if (e.kind === 'd') deleted = true;
        else if (e.kind === 's' && e.re.test(l)) {
          e.re.lastIndex = 0;
          l = l.replace(e.re, e.repl);
          if (e.print) result.push(l);
        }
      }
      if (!deleted && !flags.has('n')) result.push(l);
    }
    return joinLines(result);
  };
  if (flags.has('i')) {
    for (const f of rest) {
      const data = ctx.sh.fs.readFile(path(ctx, f));
      if (data !== undefined) ctx.sh.fs.writeFile(path(ctx, f), apply(data));
    }
    return 0;
  }
  const { text, code } = inputs(ctx, 'sed', rest);
  out(ctx, apply(text));
  return code;
}

type SedEdit = { kind: 'd' } | { kind: 's'; re: RegExp; repl: string; print: boolean };

function sedCommand(cmd: string, ere: boolean): SedEdit | undefined {
  if (cmd === 'd') return { kind: 'd' };
  if (cmd[0] !== 's' || cmd.length < 4) return undefined;
  const delim = cmd[1];
  const parts: string[] = [''];
  for (let i = 2; i < cmd.length; i++) {
    if (cmd[i] === '\\' && cmd[i + 1] === delim) {
      parts[parts.length - 1] += delim;
      i++;
    } else if (cmd[i] === delim) parts.push('');
    else parts[parts.length - 1] += cmd[i];
  }
  if (parts.length < 3) return undefined;
  const [pattern, repl, fl] = parts;
  const re = safeRegex(ere ? pattern : breToJs(pattern), `${fl.includes('g') ? 'g' : ''}${fl.includes('i') || fl.includes('I') ? 'i' : ''}`);
  if (!re) return undefined;
  const jsRepl = repl.replace(/\$/g, '$$$$').replace(/\\([1-9])/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\&/g, '&').replace(/\\n/g, '\n');
  return { kind: 's', re, repl: jsRepl, print: fl.includes('p') };
}

const TR_CLASSES: Record<string, string> = {
  '[:upper:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '[:lower:]': 'abcdefghijklmnopqrstuvwxyz',
  '[:digit:]': '0123456789',
  '[:space:]': ' \t\n\r\f\v',
  '[:blank:]': ' \t',
  '[:alpha:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  '[:alnum:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  '[:punct:]': '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

function trSet(spec: string): string {
  let s = unescape(spec).text;
  for (const [k, v] of Object.entries(TR_CLASSES)) s = s.split(k).join(v);
  return s.replace(/(.)-(.)/g, (_m, a: string, b: string) => {
    let r = '';
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c++) r += String.fromCharCode(c);
    return r;
  });
}

function tr(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const text = readStdin(ctx);
  const from = trSet(rest[0] ?? '');
  const to = trSet(rest[1] ?? '');
  let result = '';
  let prev = '';
  for (const c of text) {
    let r = c;
    if (flags.has('d') && from.includes(c)) continue;
    if (!flags.has('d') && to && from.includes(c)) r = to[Math.min(from.indexOf(c), to.length - 1)];
    const squeezeSet = flags.has('d') ? to : to || from;
    if (flags.has('s') && r === prev && squeezeSet.includes(r)) continue;
    result += r;
    prev = r;
  }
  out(ctx, result);
  return 0;
}

function sort(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const { text, code } = inputs(ctx, 'sort', rest);
  let l = lines(text);
  l = flags.has('n') ? l.sort((a, b) => parseFloat(a) - parseFloat(b)) : l.sort();
  if (flags.has('r')) l.reverse();
  if (flags.has('u')) l = l.filter((x, i) => i === 0 || x !== l[i - 1]);
  out(ctx, joinLines(l));
  return code;
}

function uniq(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1));
  const { text, code } = inputs(ctx, 'uniq', rest);
  const result: Array<[string, number]> = [];
  for (const l of lines(text)) {
    const last = result[result.length - 1];
    if (last && last[0] === l) last[1]++;
    else result.push([l, 1]);
  }
  out(ctx, joinLines(result.map(([l, n]) => (flags.has('c') ? `${String(n).padStart(7)} ${l}` : l))));
  return code;
}

function cut(ctx: CommandContext): number {
  const { flags, rest } = options(ctx.argv.slice(1), 'dfc');
  const { text, code } = inputs(ctx, 'cut', rest);
  const delim = flags.get('d') ?? '\t';
  const pick = (spec: string, n: number): number[] => spec.split(',').flatMap((r) => {
    const [a, b] = r.split('-');
    const from = a ? toInt(a) : 1;
    const to = r.includes('-') ? (b ? toInt(b) : n) : from;
    return Array.from({ length: Math.max(0, Math.min(to, n) - from + 1) }, (_v, i) => from + i);
  });
  const result = lines(text).map((l) => {
    if (flags.has('c')) return pick(flags.get('c') as string, l.length).map((i) => l[i - 1]).join('');
    const fields = l.split(delim);
    if (fields.length === 1) return l;
    return pick(flags.get('f') ?? '1', fields.length).map((i) => fields[i - 1]).join(delim);
  });
  out(ctx, joinLines(result));
  return code;
}

// ---------------------------------------------------------------------------------------------
// test / [ and expr
// ---------------------------------------------------------------------------------------------

/** test(1) by recursive descent: ! ( ) -a -o, unary file/string tests, binary comparisons. */
function test(ctx: CommandContext): number {
  let args = ctx.argv.slice(1);
  if (baseName(ctx.argv[0]) === '[') {
    if (args[args.length - 1] !== ']') {
      err(ctx, `${ctx.sh.errPrefix()}[: missing ]\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  let pos = 0;
  const peek = (): string | undefined => args[pos];
  const primary = (): boolean => {
    const a = args[pos];
    if (a === '!' && pos + 1 < args.length) {
      pos++;
      return !primary();
    }
    if (a === '(') {
      pos++;
      const v = orExpr();
      pos++;
      return v;
    }
    const op = args[pos + 1];
    if (op !== undefined && testBinary('', op, '') !== undefined && pos + 2 < args.length) {
      pos += 3;
      return testBinary(a, op, args[pos - 1]) as boolean;
    }
    if (/^-[a-zA-Z]$/.test(a) && pos + 1 < args.length) {
      const r = testUnary(ctx.sh.fs, ctx.scope, a, args[pos + 1]);
      if (r !== undefined) {
        pos += 2;
        return r;
      }
    }
    pos++;
    return a !== undefined && a !== '';
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (peek() === '-a') {
      pos++;
      v = primary() && v;
    }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek() === '-o') {
      pos++;
      v = andExpr() || v;
    }
    return v;
  };
  if (args.length === 0) return 1;
  for (let i = 0; i < args.length; i++) {
    if (/^-(eq|ne|lt|le|gt|ge)$/.test(args[i]) && i > 0 && i + 1 < args.length) {
      for (const v of [args[i - 1], args[i + 1]]) {
        if (!/^\s*-?\d+\s*$/.test(v)) {
          err(ctx, gnu(ctx) ? `${ctx.sh.errPrefix()}[: Illegal number: ${v}\n` : `${ctx.sh.errPrefix()}${v}: bad number\n`);
          return 2;
        }
      }
    }
  }
  return orExpr() ? 0 : 1;
}

/** expr: integer arithmetic and comparisons left to right, `length STRING`, `STRING : REGEX`. */
function expr(ctx: CommandContext): number {
  const a = ctx.argv.slice(1);
  let result: string;
  if (a[0] === 'length') result = String((a[1] ?? '').length);
  else if (a[1] === ':') {
    const m = safeRegex(`^(?:${breToJs(a[2] ?? '')})`)?.exec(a[0]);
    result = m ? (m[1] ?? String(m[0].length)) : '0';
  } else {
    const ops: Record<string, (x: number, y: number) => number> = {
      '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => Math.trunc(x / y), '%': (x, y) => x % y,
      '<': (x, y) => +(x < y), '<=': (x, y) => +(x <= y), '>': (x, y) => +(x > y), '>=': (x, y) => +(x >= y), '=': (x, y) => +(x === y), '!=': (x, y) => +(x !== y),
    };
    const nums = a.filter((_v, i) => i % 2 === 0);
    if (nums.some((n) => !/^-?\d+$/.test(n))) {
      if (a.length === 3 && (a[1] === '=' || a[1] === '!=')) result = String(+((a[0] === a[2]) === (a[1] === '=')));
      else if (a.length === 1) result = a[0];
      else {
        err(ctx, 'expr: non-numeric argument\n');
        return 2;
      }
    } else {
      let v = toInt(a[0]);
      for (let i = 1; i + 1 < a.length; i += 2) {
        const f = ops[a[i]] as ((x: number, y: number) => number) | undefined;
        if (!f || ((a[i] === '/' || a[i] === '%') && toInt(a[i + 1]) === 0)) {
          err(ctx, f ? 'expr: division by zero\n' : 'expr: syntax error\n');
          return 2;
        }
        v = f(v, toInt(a[i + 1]));
      }
      result = String(v);
    }
  }
  out(ctx, `${result}\n`);
  return result === '0' || result === '' ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// System information
// ---------------------------------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** strftime over a UTC date (containers run in UTC unless TZ is set). */
export function strftime(format: string, ms: number): string {
  const d = new Date(ms);
  const f: Record<string, () => string> = {
    Y: () => String(d.getUTCFullYear()), y: () => p2(d.getUTCFullYear() % 100), m: () => p2(d.getUTCMonth() + 1),
    d: () => p2(d.getUTCDate()), e: () => String(d.getUTCDate()).padStart(2), H: () => p2(d.getUTCHours()),
    I: () => p2(d.getUTCHours() % 12 || 12), M: () => p2(d.getUTCMinutes()), S: () => p2(d.getUTCSeconds()),
    s: () => String(Math.floor(ms / 1000)), N: () => String((ms % 1000) * 1_000_000).padStart(9, '0'),
    Z: () => 'UTC', z: () => '+0000', a: () => DAYS[d.getUTCDay()], A: () => d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' }),
    b: () => MONTHS[d.getUTCMonth()], h: () => MONTHS[d.getUTCMonth()], B: () => d.toLocaleDateString('en-US', { month: 'long', timeZone: 'UTC' }),
    j: () => String(Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0'),
    p: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'), u: () => String(d.getUTCDay() || 7), w: () => String(d.getUTCDay()),
    T: () => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`, R: () => `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`,
    D: () => `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCFullYear() % 100)}`,
    F: () => `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`, n: () => '\n', t: () => '\t', '%': () => '%',
  };
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => (f[c] ? f[c]() : m));
}

/** date [-u] [-I[seconds]] [-R] [+FORMAT], from the virtual clock. */
function date(ctx: CommandContext): number {
  const ms = ctx.sh.epochMs();
  const args = ctx.argv.slice(1).filter((a) => a !== '-u' && a !== '--utc');
  const fmt = args.find((a) => a.startsWith('+'));
  let s: string;
  if (fmt) s = strftime(fmt.slice(1), ms);
  else if (args.some((a) => a.startsWith('-I') || a.startsWith('--iso'))) {
    s = args.some((a) => a.includes('seconds')) ? strftime('%Y-%m-%dT%H:%M:%S+00:00', ms) : strftime('%F', ms);
  } else if (args.includes('-R')) s = strftime('%a, %d %b %Y %H:%M:%S +0000', ms);
  else s = strftime('%a %b %e %H:%M:%S UTC %Y', ms);
  out(ctx, `${s}\n`);
  return 0;
}

function hostname(ctx: CommandContext): number {
  out(ctx, `${ctx.sh.opts.hostname}\n`);
  return 0;
}

function id(ctx: CommandContext): number {
  const uid = ctx.sh.opts.uid ?? 0;
  const gid = ctx.sh.opts.gid ?? uid;
  const groups = ctx.sh.opts.groups ?? [gid];
  const name = (n: number): string => (n === 0 ? '(root)' : '');
  const flags = ctx.argv.slice(1);
  if (flags.includes('-u')) out(ctx, `${uid}\n`);
  else if (flags.includes('-g')) out(ctx, `${gid}\n`);
  else out(ctx, `uid=${uid}${name(uid)} gid=${gid}${name(gid)} groups=${groups.map((g) => `${g}${name(g)}`).join(',')}\n`);
  return 0;
}

function whoami(ctx: CommandContext): number {
  const uid = ctx.sh.opts.uid ?? 0;
  if (uid === 0) {
    out(ctx, 'root\n');
    return 0;
  }
  err(ctx, gnu(ctx) ? `whoami: cannot find name for user ID ${uid}\n` : `whoami: unknown uid ${uid}\n`);
  return 1;
}

function uname(ctx: CommandContext): number {
  const all = ctx.argv.includes('-a');
  out(ctx, all ? `Linux ${ctx.sh.opts.hostname} 6.1.0 #1 SMP x86_64 GNU/Linux\n` : 'Linux\n');
  return 0;
}

function pwd(ctx: CommandContext): number {
  out(ctx, `${ctx.scope.cwd}\n`);
  return 0;
}

function basename(ctx: CommandContext): number {
  const [p = '', suffix] = ctx.argv.slice(1);
  let b = baseName(p);
  if (suffix && b.endsWith(suffix) && b !== suffix) b = b.slice(0, -suffix.length);
  out(ctx, `${b}\n`);
  return 0;
}

function dirname(ctx: CommandContext): number {
  const p = (ctx.argv[1] ?? '.').replace(/\/+$/, '');
  out(ctx, `${p.includes('/') ? parentOf(p) : '.'}\n`);
  return 0;
}

const ok: Command = () => 0;
const fail: Command = () => 1;

function nproc(ctx: CommandContext): number {
  out(ctx, '2\n');
  return 0;
}

export const COMMANDS: Record<string, Command> = {
  true: ok, ':': ok, false: fail, echo, printf, printenv, cat, rev, seq, touch, rm, mkdir, rmdir, ls, cp, mv, tee,
  wc, head, tail, grep, egrep: (ctx) => grep({ ...ctx, argv: [ctx.argv[0], '-E', ...ctx.argv.slice(1)] }), sed, tr, sort, uniq, cut,
  test, '[': test, expr, date, hostname, id, whoami, uname, pwd, basename, dirname, nproc,
  chmod: ok, chown: ok, chgrp: ok, ln: ok, sync: ok, kill: ok, ulimit: ok, umask: ok, shopt: ok, hash: ok, type: ok, alias: ok,
};
