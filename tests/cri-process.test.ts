// Container processes as the kubelet drives them: command resolution, probes, hooks, signals,
// memory limits. D:tasks/configure-pod-container/configure-liveness-readiness-startup-probes,
// D:tasks/inject-data-application/define-command-argument-container,
// D:tasks/configure-pod-container/attach-handler-lifecycle-event, D:concepts/workloads/pods/
// pod-lifecycle (termination), k8s-facts.md §7.2, §7.5, §7.6, §7.8; K:pkg/probe/{exec,http,tcp,grpc}.
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../runtime/prng.ts';
import { ImageRegistry } from '../cri/images.ts';
import { createContainerProcess, expandKubeVars, firstCrossing, resolveCommand } from '../cri/process.ts';
import type { ContainerConfig, ContainerProcess, ProcessBehavior, VolumeStore } from '../cri/types.ts';
import { newVolumeStore } from '../cri/fs.ts';

const registry = new ImageRegistry();
const POD_IP = '10.244.1.5';

interface Opts {
  env?: Record<string, string>;
  mounts?: Array<{ path: string; store: VolumeStore; readOnly?: boolean }>;
  behavior?: ProcessBehavior;
  memoryLimit?: number;
  seed?: number;
}

function proc(image: string, container: Record<string, unknown>, o: Opts = {}): ContainerProcess {
  const info = registry.resolve(image);
  if (!info) throw new Error(`no image ${image}`);
  const cfg: ContainerConfig = {
    container: { name: 'c', ...container }, image: info, env: { POD_IP, ...o.env }, mounts: o.mounts ?? [],
    behavior: o.behavior, memoryLimit: o.memoryLimit ?? 0, random: new RandomStream('c', o.seed ?? 1),
    epoch: Date.UTC(2024, 0, 1), hostname: 'pod-0',
  };
  return createContainerProcess(cfg);
}

const catHealthy = { exec: { command: ['cat', '/tmp/healthy'] } };

describe('command and arguments', () => {
  it('command overrides ENTRYPOINT, args override CMD (the four cases of the docs table)', () => {
    // D:tasks/inject-data-application/define-command-argument-container "Notes".
    const image = { ...registry.resolve('nginx:1.25')!, entrypoint: ['/ep-1'], cmd: ['foo', 'bar'] };
    expect(resolveCommand({}, image, {})).toEqual(['/ep-1', 'foo', 'bar']);
    expect(resolveCommand({ command: ['/ep-2'] }, image, {})).toEqual(['/ep-2']);
    expect(resolveCommand({ args: ['zoo', 'boo'] }, image, {})).toEqual(['/ep-1', 'zoo', 'boo']);
    expect(resolveCommand({ command: ['/ep-2'], args: ['zoo', 'boo'] }, image, {})).toEqual(['/ep-2', 'zoo', 'boo']);
  });

  it('$(VAR) expands from the environment; $$(VAR) escapes; unknown references stay', () => {
    // D:tasks/inject-data-application/define-command-argument-container "Use environment variables to define arguments".
    expect(expandKubeVars('$(MESSAGE)', { MESSAGE: 'hello world' })).toBe('hello world');
    expect(expandKubeVars('$$(MESSAGE) $(NOPE)', { MESSAGE: 'x' })).toBe('$(MESSAGE) $(NOPE)');
    const p = proc('debian', { command: ['printenv'], args: ['HOSTNAME', 'KUBERNETES_PORT'] }, { env: { KUBERNETES_PORT: 'tcp://10.96.0.1:443' } });
    expect(p.start(0)).toEqual({ output: ['pod-0', 'tcp://10.96.0.1:443'], exited: { code: 0, reason: 'Completed' } });
    const echo = proc('debian', { command: ['/bin/echo'], args: ['$(MESSAGE)'] }, { env: { MESSAGE: 'hello world' } });
    expect(echo.start(0).output).toEqual(['hello world']);
  });
});

describe('image defaults', () => {
  it('busybox without a command runs `sh` with no tty and exits 0 at once (so Always ⇒ CrashLoopBackOff)', () => {
    // k8s-facts.md §7.3; a shell with stdin at EOF exits immediately.
    const p = proc('busybox:1.28', {});
    expect(p.start(0)).toEqual({ exited: { code: 0, reason: 'Completed' } });
    expect(p.running).toBe(false);
  });

  it('nginx serves GET / with 200 and unknown paths with 404, on port 80 only', () => {
    const p = proc('nginx:1.14.2', { ports: [{ containerPort: 80 }] });
    expect(p.start(0).output?.[0]).toBe('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
    expect(p.running).toBe(true);
    expect(p.probe({ httpGet: { path: '/', port: 80 } }, 1000)).toEqual({ result: 'Success' });
    expect(p.probe({ httpGet: { path: '/healthz', port: 80 } }, 1000)).toEqual({ result: 'Failure', message: 'HTTP probe failed with statuscode: 404' });
    expect(p.probe({ tcpSocket: { port: 80 } }, 1000)).toEqual({ result: 'Success' });
    expect(p.probe({ httpGet: { path: '/', port: 8080 } }, 1000)).toEqual({
      result: 'Failure', message: 'Get "http://10.244.1.5:8080/": dial tcp 10.244.1.5:8080: connect: connection refused',
    });
  });

  it('mysql without MYSQL_ROOT_PASSWORD exits 1 from its entrypoint', () => {
    const p = proc('mysql:8.0', {});
    const u = p.start(0);
    expect(u.exited).toEqual({ code: 1, reason: 'Error' });
    expect(u.output?.[0]).toContain('Database is uninitialized and password option is not specified');
    const ok = proc('mysql:8.0', {}, { env: { MYSQL_ROOT_PASSWORD: 'pw' } });
    expect(ok.start(0).exited).toBeUndefined();
    expect(ok.probe({ tcpSocket: { port: 3306 } }, 5000).result).toBe('Failure');
    expect(ok.probe({ tcpSocket: { port: 3306 } }, 8000).result).toBe('Success');
  });

  it('perl runs as a one-shot: exits 0 after 2 s and says it was not simulated', () => {
    const p = proc('perl:5.34.0', { command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] });
    const u = p.start(0);
    expect(u.wakeAt).toBe(2000);
    expect(u.notices?.[0]).toContain('is not simulated');
    const done = p.wake(2000);
    expect(done.exited).toEqual({ code: 0, reason: 'Completed' });
    expect(done.output?.[0].slice(0, 10)).toBe('3.14159265');
  });
});

describe('probes', () => {
  it('liveness exec: `cat /tmp/healthy` succeeds until 30 s, then fails with busybox\'s message', () => {
    // D:tasks/configure-pod-container/configure-liveness-readiness-startup-probes "Define a liveness command".
    const p = proc('registry.k8s.io/busybox:1.27.2', { args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'] });
    expect(p.start(0).wakeAt).toBe(30_000);
    for (const t of [5000, 15_000, 25_000]) expect(p.probe(catHealthy, t)).toEqual({ result: 'Success', message: '' });
    expect(p.wake(30_000).wakeAt).toBe(630_000);
    expect(p.probe(catHealthy, 35_000)).toEqual({ result: 'Failure', message: "cat: can't open '/tmp/healthy': No such file or directory\n" });
  });

  it('agnhost liveness: /healthz answers 200 for the first 10 s, then 500', () => {
    // D:…/configure-liveness-readiness-startup-probes "Define a liveness HTTP request"; test/images/agnhost/liveness.
    const p = proc('registry.k8s.io/e2e-test-images/agnhost:2.40', { args: ['liveness'] });
    p.start(0);
    const probe = { httpGet: { path: '/healthz', port: 8080, httpHeaders: [] } };
    expect(p.probe(probe, 3000)).toEqual({ result: 'Success' });
    expect(p.probe(probe, 10_000)).toEqual({ result: 'Success' });
    expect(p.probe(probe, 13_000)).toEqual({ result: 'Failure', message: 'HTTP probe failed with statuscode: 500' });
    const old = proc('registry.k8s.io/liveness', { args: ['/server'] });
    old.start(0);
    expect(old.probe(probe, 11_000).message).toBe('HTTP probe failed with statuscode: 500');
  });

  it('an exec probe still running at timeoutSeconds fails with `command … timed out`', () => {
    // K:pkg/kubelet/cri/remote/remote_runtime.go ExecSync; ExecProbeTimeout GA.
    const p = proc('busybox', { command: ['sleep', '3600'] });
    p.start(0);
    expect(p.probe({ exec: { command: ['sh', '-c', 'sleep 5'] }, timeoutSeconds: 1 }, 1000)).toEqual({
      result: 'Failure', message: 'command "sh -c sleep 5" timed out',
    });
    expect(p.probe({ exec: { command: ['sh', '-c', 'sleep 0.5; exit 0'] }, timeoutSeconds: 1 }, 1000).result).toBe('Success');
    expect(p.probe({ exec: { command: ['sh', '-c', 'echo boom; exit 2'] } }, 1000)).toEqual({ result: 'Failure', message: 'boom\n' });
  });

  it('tcpSocket with a named port: refused before startup, Success once listening', () => {
    // D:…/configure-liveness-readiness-startup-probes "TCP liveness probe" and "Use a named port".
    const p = proc('registry.k8s.io/goproxy:0.1', { ports: [{ name: 'liveness-port', containerPort: 8080 }] }, { behavior: { startupMs: 5000 } });
    p.start(0);
    expect(p.probe({ tcpSocket: { port: 'liveness-port' } }, 1000)).toEqual({ result: 'Failure', message: 'dial tcp 10.244.1.5:8080: connect: connection refused' });
    expect(p.probe({ tcpSocket: { port: 'liveness-port' } }, 5000)).toEqual({ result: 'Success' });
    expect(p.probe({ httpGet: { path: '/healthz', port: 'liveness-port' } }, 6000)).toEqual({ result: 'Success' });
  });

  it('grpc: etcd answers SERVING on 2379; unhealthy ⇒ NOT_SERVING; nothing listening ⇒ timeout', () => {
    // D:…/configure-liveness-readiness-startup-probes "Define a gRPC liveness probe"; K:pkg/probe/grpc/grpc.go.
    const p = proc('registry.k8s.io/etcd:3.5.1-0', {
      command: ['/usr/local/bin/etcd', '--data-dir', '/var/lib/etcd', '--listen-client-urls', 'http://0.0.0.0:2379', '--advertise-client-urls', 'http://127.0.0.1:2379', '--log-level', 'debug'],
    }, { behavior: { unhealthyAfterMs: 60_000 } });
    p.start(0);
    expect(p.probe({ grpc: { port: 2379 } }, 1000)).toEqual({ result: 'Success', message: 'service healthy' });
    expect(p.probe({ grpc: { port: 2379 } }, 61_000)).toEqual({ result: 'Failure', message: 'service unhealthy (responded with "NOT_SERVING")' });
    expect(p.probe({ grpc: { port: 2380 } }, 1000)).toEqual({
      result: 'Failure', message: 'timeout: failed to connect service "10.244.1.5:2380" within 1s: context deadline exceeded',
    });
  });

  it('a scenario\'s http behaviour changes the answer over time', () => {
    const p = proc('myorg/api:v1', { ports: [{ containerPort: 8080 }] }, { behavior: { http: { '/ready': [{ untilMs: 20_000, status: 503 }, { status: 200 }] } } });
    p.start(0);
    expect(p.probe({ httpGet: { path: '/ready', port: 8080 } }, 10_000)).toEqual({ result: 'Failure', message: 'HTTP probe failed with statuscode: 503' });
    expect(p.probe({ httpGet: { path: '/ready', port: 8080 } }, 21_000)).toEqual({ result: 'Success' });
  });
});

describe('lifecycle hooks', () => {
  it('postStart writes a file the container then reads; preStop `nginx -s quit` stops nginx', () => {
    // D:tasks/configure-pod-container/attach-handler-lifecycle-event.
    const p = proc('nginx', {});
    p.start(0);
    const post = p.hook({ exec: { command: ['/bin/sh', '-c', 'echo Hello from the postStart handler > /usr/share/message'] } }, 0);
    expect(post).toEqual({ result: 'Success', message: '', durationMs: 0 });
    expect(p.probe({ exec: { command: ['cat', '/usr/share/message'] } }, 1000)).toEqual({ result: 'Success', message: 'Hello from the postStart handler\n' });
    const pre = p.hook({ exec: { command: ['/bin/sh', '-c', 'nginx -s quit; while killall -0 nginx; do sleep 1; done'] } }, 5000);
    expect(pre.result).toBe('Success');
    expect(p.wake(5020).exited).toEqual({ code: 0, reason: 'Completed' });
  });

  it('a failing exec hook reports the runtime\'s `command … exited with N` text and its duration', () => {
    const p = proc('busybox', { command: ['sleep', '3600'] });
    p.start(0);
    expect(p.hook({ exec: { command: ['sh', '-c', 'sleep 3; echo bad; exit 1'] } }, 0)).toEqual({
      result: 'Failure', message: "command 'sh -c sleep 3; echo bad; exit 1' exited with 1: bad\n", durationMs: 3000,
    });
  });
});

describe('signals and termination', () => {
  it('SIGTERM to a `sleep 3600` script is ignored (PID 1), so it runs until SIGKILL ⇒ 137', () => {
    // k8s-facts.md §7.6: SIGTERM, then SIGKILL at the end of the grace period.
    const p = proc('busybox', { command: ['sh', '-c', 'echo started; sleep 3600'] });
    p.start(0);
    expect(p.signal('TERM', 10_000)).toEqual({ wakeAt: 3_600_000 });
    expect(p.running).toBe(true);
    expect(p.signal('KILL', 40_000)).toEqual({ exited: { code: 137, reason: 'Error' } });
    expect(p.running).toBe(false);
    const direct = proc('busybox', { command: ['sleep', '3600'] });
    direct.start(0);
    expect(direct.signal('TERM', 1000).exited).toBeUndefined();
  });

  it('a trapped SIGTERM interrupts `wait` at once, but waits for a foreground sleep to end', () => {
    // bash(1) SIGNALS: traps run when the foreground command completes; `wait` returns at once.
    const w = proc('busybox', { command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; sleep 3600 & wait'] });
    w.start(0);
    expect(w.signal('TERM', 5000)).toEqual({ output: ['bye'], exited: { code: 0, reason: 'Completed' } });
    const f = proc('busybox', { command: ['sh', '-c', 'trap "exit 4" TERM; sleep 20'] });
    f.start(0);
    expect(f.signal('TERM', 5000).exited).toBeUndefined();
    expect(f.wake(20_000).exited).toEqual({ code: 4, reason: 'Error' });
  });

  it('servers exit on SIGTERM: nginx with 0, agnhost (Go, PID 1) with 2; termGraceMs delays it', () => {
    const n = proc('nginx:1.25', {});
    n.start(0);
    expect(n.signal('TERM', 1000).exited).toEqual({ code: 0, reason: 'Completed' });
    const a = proc('registry.k8s.io/e2e-test-images/agnhost:2.40', { args: ['netexec', '--http-port=8080'] });
    a.start(0);
    expect(a.signal('TERM', 1000).exited).toEqual({ code: 2, reason: 'Error' });
    const slow = proc('nginx:1.25', {}, { behavior: { termGraceMs: 45_000 } });
    slow.start(0);
    expect(slow.signal('TERM', 1000)).toEqual({ wakeAt: 46_000 });
    expect(slow.probe({ tcpSocket: { port: 80 } }, 2000).result).toBe('Success');
    expect(slow.wake(46_000).exited).toEqual({ code: 0, reason: 'Completed' });
  });

  it('a server started by a shell without exec does not get SIGTERM; with exec it does', () => {
    const wrapped = proc('nginx', { command: ['sh', '-c', 'echo starting; nginx -g "daemon off;"; echo done'] });
    wrapped.start(0);
    expect(wrapped.probe({ httpGet: { path: '/', port: 80 } }, 100).result).toBe('Success');
    expect(wrapped.signal('TERM', 1000).exited).toBeUndefined();
    const execd = proc('nginx', { command: ['sh', '-c', 'echo starting; exec nginx -g "daemon off;"'] });
    execd.start(0);
    expect(execd.signal('TERM', 1000).exited).toEqual({ code: 0, reason: 'Completed' });
  });
});

describe('resources', () => {
  it('memory above the limit ⇒ OOMKilled, exit 137, at the crossing time', () => {
    // k8s-facts.md §7.8; D:tasks/configure-pod-container/assign-memory-resource "Exceed a Container's memory limit".
    const p = proc('busybox', { command: ['sleep', '3600'] }, { memoryLimit: 100 * 1024 * 1024, behavior: { memory: [[0, 10 * 1024 * 1024], [10_000, 210 * 1024 * 1024]] } });
    const u = p.start(0);
    expect(u.wakeAt).toBe(4501);
    expect(p.memoryBytes(2000)).toBe(50 * 1024 * 1024);
    expect(p.wake(4000).exited).toBeUndefined();
    expect(p.wake(4501).exited).toEqual({ code: 137, reason: 'OOMKilled' });
    expect(p.memoryBytes(5000)).toBe(0);
    expect(firstCrossing([[0, 300]], 100)).toBe(0);
  });

  it('exitAfterMs/exitCode behaviours end the process with Error', () => {
    const p = proc('myorg/worker:v1', {}, { behavior: { exitAfterMs: 7000, exitCode: 3 } });
    expect(p.start(0).wakeAt).toBe(7000);
    expect(p.wake(9000).exited).toEqual({ code: 3, reason: 'Error' });
  });

  it('cpu follows the behaviour curve', () => {
    const p = proc('myorg/worker:v1', {}, { behavior: { cpu: [[0, 100], [60_000, 700]] } });
    p.start(0);
    expect(p.cpuMillicores(30_000)).toBe(400);
  });
});

describe('determinism', () => {
  it('the same seed gives the same logs; shared emptyDir stores connect containers', () => {
    const store = newVolumeStore();
    const script = 'for i in 1 2 3; do echo $RANDOM >> /data/log; sleep 1; done; cat /data/log';
    const run = (): string[] => {
      store.files.clear();
      const p = proc('busybox', { command: ['sh', '-c', script] }, { mounts: [{ path: '/data', store }], seed: 9 });
      const out: string[] = [];
      let u = p.start(0);
      while (!u.exited) {
        out.push(...(u.output ?? []));
        u = p.wake(u.wakeAt ?? Infinity);
      }
      return [...out, ...(u.output ?? [])];
    };
    const a = run();
    expect(a).toHaveLength(3);
    expect(run()).toEqual(a);
  });
});
