// The container shell: `sh -c` scripts from Kubernetes manifests on virtual time.
// D:tasks/inject-data-application/define-command-argument-container, D:concepts/workloads/
// controllers/job (Indexed Job example), D:tasks/debug/debug-application/determine-reason-pod-failure,
// D:concepts/storage/volumes (emptyDir shared between containers); bash(1) for exit statuses.
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../runtime/prng.ts';
import { ContainerFs, newVolumeStore } from '../cri/fs.ts';
import { Shell, parseScript, type ShellOptions } from '../cri/shell.ts';
import type { VolumeStore } from '../cri/types.ts';

const EPOCH = Date.UTC(2024, 0, 1);

function shell(opts: Partial<ShellOptions> & { mounts?: Array<{ path: string; store: VolumeStore; readOnly?: boolean }>; seed?: number } = {}): Shell {
  return new Shell({
    fs: opts.fs ?? new ContainerFs(opts.mounts ?? []), env: opts.env ?? { HOSTNAME: 'web-0' }, random: new RandomStream('container', opts.seed ?? 42),
    epoch: EPOCH, hostname: 'web-0', now: opts.now ?? 0, userland: opts.userland ?? 'busybox', programs: opts.programs,
  });
}

/** Runs a script to its end (virtual sleeps pass at once); returns exit code and output. */
function run(script: string, opts: Parameters<typeof shell>[0] = {}): { code: number; output: string; elapsedMs: number } {
  return shell(opts).runToCompletion(['sh', '-c', script], 10 * 3_600_000);
}

describe('parsing', () => {
  it('parses each distinct script text once (150,000 containers share one AST)', () => {
    // Brief: cache parsed scripts by their text.
    const text = 'while true; do echo hello; sleep 5; done';
    expect(parseScript(text)).toBe(parseScript(text));
    expect(parseScript(`${text} `)).not.toBe(parseScript(text));
  });

  it('a syntax error exits 2 with the shell\'s message', () => {
    const r = run('if true; then echo x');
    expect(r.code).toBe(2);
    expect(r.output).toContain('sh: syntax error');
  });
});

describe('virtual time', () => {
  it('`while true; do echo hello; sleep 5; done` wakes every 5 s and logs one line per wake', () => {
    // D:tasks/debug/debug-application/debug-running-pod style loop; sleep yields on the virtual clock.
    const sh = shell();
    const gen = sh.run(['sh', '-c', 'while true; do echo hello; sleep 5; done']);
    const wakes: number[] = [];
    let step = gen.next();
    for (let i = 0; i < 4; i++) {
      expect(step.done).toBe(false);
      if (step.done || step.value.kind !== 'sleep') break;
      wakes.push(step.value.until);
      expect(sh.log.drain()).toEqual(['hello']);
      sh.advanceTo(step.value.until);
      step = gen.next();
    }
    expect(wakes).toEqual([5000, 10_000, 15_000, 20_000]);
  });

  it('`sleep infinity` never asks to be woken', () => {
    const gen = shell().run(['sh', '-c', 'echo start; sleep infinity']);
    const step = gen.next();
    expect(step.value).toEqual({ kind: 'sleep', until: Infinity });
  });

  it('a busy loop without sleep is made to yield slices of CPU time instead of hanging', () => {
    const gen = shell().run(['sh', '-c', 'while true; do :; done']);
    const step = gen.next();
    expect(step.done).toBe(false);
    expect(step.value).toEqual({ kind: 'sleep', until: 100 });
  });

  it('`date` reads the virtual clock from the epoch', () => {
    // Brief: date from the virtual clock and epoch.
    expect(run('date +%s', { now: 90_000 }).output).toBe('1704067290\n');
    expect(run('date', { now: 90_000 }).output).toBe('Mon Jan  1 00:01:30 UTC 2024\n');
    expect(run('sleep 60; date +%Y-%m-%dT%H:%M:%S').output).toBe('2024-01-01T00:01:00\n');
  });
});

describe('language', () => {
  it('the Indexed Job script picks items[$JOB_COMPLETION_INDEX] into the shared emptyDir', () => {
    // D:concepts/workloads/controllers/job "Indexed Job": index 2 ⇒ "baz"; the main container reverses it.
    const store = newVolumeStore();
    const init = run('items=(foo bar baz qux xyz)\necho ${items[$JOB_COMPLETION_INDEX]} > /input/data.txt', {
      env: { JOB_COMPLETION_INDEX: '2' }, mounts: [{ path: '/input', store }],
    });
    expect(init.code).toBe(0);
    expect(store.files.get('data.txt')).toBe('baz\n');
    const worker = shell({ mounts: [{ path: '/input', store }] }).runToCompletion(['rev', '/input/data.txt'], 1000);
    expect(worker.output).toBe('zab\n');
  });

  it('`printenv HOSTNAME` prints the pod name', () => {
    // D:tasks/inject-data-application/environment-variable-expose-pod-information.
    expect(run('printenv HOSTNAME').output).toBe('web-0\n');
    expect(run('printenv NOPE').code).toBe(1);
  });

  it('the same seed gives the same $RANDOM; another seed another', () => {
    // ARCHITECTURE.md "Randomness": per-stream seeded PRNG.
    const a = run('echo $RANDOM $RANDOM', { seed: 7 }).output;
    expect(run('echo $RANDOM $RANDOM', { seed: 7 }).output).toBe(a);
    expect(run('echo $RANDOM $RANDOM', { seed: 8 }).output).not.toBe(a);
    for (const n of a.trim().split(' ')) expect(Number(n)).toBeLessThan(32768);
  });

  it('exit statuses follow bash: exit N, false, test, &&, ||, !', () => {
    expect(run('exit 3').code).toBe(3);
    expect(run('false').code).toBe(1);
    expect(run('[ 1 -gt 2 ]').code).toBe(1);
    expect(run('true && false || echo rescued').output).toBe('rescued\n');
    expect(run('! false').code).toBe(0);
    expect(run('exit 300').code).toBe(44);
    expect(run('set -e; false; echo unreachable').code).toBe(1);
  });

  it('if/elif/else, for, C-style for, case, functions and $(( ))', () => {
    expect(run('x=5; if [ $x -lt 3 ]; then echo low; elif test $x -lt 10; then echo mid; else echo high; fi').output).toBe('mid\n');
    expect(run('for i in a b c; do printf "%s-" $i; done; echo').output).toBe('a-b-c-\n');
    expect(run('for ((i=0; i<3; i++)); do echo -n $i; done').output).toBe('012');
    expect(run('case "$1" in start) echo go;; *) echo other;; esac').output).toBe('other\n');
    expect(run('f() { echo "hi $1"; return 4; }; f there; echo $?').output).toBe('hi there\n4\n');
    expect(run('i=7; echo $((i * 6)) $(( (i + 1) % 3 ))').output).toBe('42 2\n');
    expect(run('n=0; while [ $n -lt 3 ]; do n=$((n+1)); done; echo $n').output).toBe('3\n');
  });

  it('parameter expansion: defaults, lengths, patterns, arrays', () => {
    expect(run('echo ${UNSET:-fallback} ${#HOSTNAME} ${HOSTNAME%-*}').output).toBe('fallback 5 web\n');
    expect(run('a=(x y z); echo ${#a[@]} ${a[1]}; for v in "${a[@]}"; do echo $v; done').output).toBe('3 y\nx\ny\nz\n');
    expect(run('f=/data/file.tar.gz; echo ${f##*/} ${f%%.*} ${f/tar/zip}').output).toBe('file.tar.gz /data/file /data/file.zip.gz\n');
  });

  it('pipes, redirects (> >> < 2>&1), command substitution and here-documents', () => {
    expect(run('echo hello | tr a-z A-Z').output).toBe('HELLO\n');
    expect(run('seq 1 5 | grep -v 3 | wc -l').output).toBe('4\n');
    expect(run('echo a > /tmp/f; echo b >> /tmp/f; cat < /tmp/f').output).toBe('a\nb\n');
    expect(run('cat /nope 2>&1 | sed s/nope/gone/').output).toBe("cat: can't open '/gone': No such file or directory\n");
    expect(run('x=$(echo inner); echo "got $x"').output).toBe('got inner\n');
    expect(run('cat <<EOF\nline $HOSTNAME\nEOF').output).toBe('line web-0\n');
    expect(run('echo quiet > /dev/null; echo shown').output).toBe('shown\n');
  });

  it('coreutils: head, tail, grep, sed, expr, seq, ls, rm, mkdir -p', () => {
    expect(run('seq 10 | head -n 2; seq 10 | tail -3').output).toBe('1\n2\n8\n9\n10\n');
    expect(run('echo "a=1" | sed "s/=/: /"').output).toBe('a: 1\n');
    expect(run('expr 6 \\* 7').output).toBe('42\n');
    expect(run('mkdir -p /work/a/b && touch /work/a/b/f && ls /work/a/b && rm -rf /work/a && ls /work/a').output)
      .toBe('f\nls: /work/a: No such file or directory\n');
    expect(run('rm /nothing').output).toBe("rm: can't remove '/nothing': No such file or directory\n");
    expect(run('rm -f /nothing').code).toBe(0);
    expect(run('echo hi | grep -q hi && echo found').output).toBe('found\n');
  });

  it('GNU images word their errors like coreutils', () => {
    // nginx/debian images: `cat: /x: No such file or directory`.
    expect(run('cat /tmp/healthy', { userland: 'gnu' }).output).toBe('cat: /tmp/healthy: No such file or directory\n');
  });
});

describe('programs the shell does not interpret', () => {
  it('perl, python and other unknown programs run as one-shots of 2 s and are reported', () => {
    // Brief: unknown programs exit 0 after a short configurable time; the kubelet gets a notice.
    const sh = shell();
    const r = sh.runToCompletion(['sh', '-c', 'python3 -c "print(1)"; echo done'], 60_000);
    expect(r).toMatchObject({ code: 0, output: 'done\n', elapsedMs: 2000 });
    expect(sh.notices).toEqual(['command "python3 -c print(1)" is not simulated: run as a one-shot program exiting 0 after 2s']);
  });

  it('per-program durations are configurable', () => {
    const r = shell({ programs: { perl: 45_000 } }).runToCompletion(['perl', '-e', 'sleep 1'], 3_600_000);
    expect(r.elapsedMs).toBe(45_000);
  });

  it('the Job example `perl -Mbignum=bpi -wle "print bpi(2000)"` prints 2000 digits of pi', () => {
    // D:concepts/workloads/controllers/job "Running an example Job".
    const r = shell().runToCompletion(['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'], 60_000);
    expect(r.output.startsWith('3.14159265358979323846')).toBe(true);
    expect(r.output.trim().length).toBe(2001);
  });
});

describe('file system', () => {
  it('resolves mounts by longest prefix; a read-only mount refuses writes', () => {
    // D:concepts/storage/volumes: subPath/nested mounts; readOnly mounts.
    const data = newVolumeStore();
    const cache = newVolumeStore();
    const config = newVolumeStore();
    config.files.set('app.conf', 'x=1\n');
    const fs = new ContainerFs([
      { path: '/data', store: data }, { path: '/data/cache', store: cache }, { path: '/etc/app', store: config, readOnly: true },
    ]);
    fs.writeFile('/data/a', '1');
    fs.writeFile('/data/cache/b', '2');
    expect([...data.files.keys()]).toEqual(['a']);
    expect([...cache.files.keys()]).toEqual(['b']);
    expect(fs.list('/data')).toEqual(['a', 'cache']);
    expect(fs.writeFile('/etc/app/app.conf', 'y')).toBe('EROFS');
    const r = shell({ fs }).runToCompletion(['sh', '-c', 'cat /etc/app/app.conf; echo y > /etc/app/app.conf'], 1000);
    expect(r.output).toBe('x=1\nsh: can\'t create /etc/app/app.conf: Read-only file system\n');
    expect(r.code).toBe(1);
  });

  it('two containers mounting the same emptyDir see each other\'s files', () => {
    // D:concepts/storage/volumes#emptydir: shared by all containers in the Pod.
    const shared = newVolumeStore();
    run('echo from-writer > /shared/msg', { mounts: [{ path: '/shared', store: shared }] });
    expect(run('cat /pod-data/msg', { mounts: [{ path: '/pod-data', store: shared }] }).output).toBe('from-writer\n');
    expect(run('cat /tmp/msg', { mounts: [] }).code).toBe(1);
  });
});
