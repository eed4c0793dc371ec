// kubectl exec: a command run in a running container, against its own files and environment, at
// once in virtual time; what it wrote, its exit code, and kubectl's refusals.
import { describe, expect, it } from 'vitest';
import { createCluster } from 'kubesim';
import { runKubectl } from '../cluster/kubectl.ts';
import { failureOf, pod } from './pod-helpers.ts';

describe('kubectl exec', () => {
  it('the docs\' liveness-exec pod: cat /tmp/healthy works for 30 s, then exits 1 with cat\'s message', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.apply('manifests/exec-liveness.yaml');
    await c.runFor('10s');
    expect(c.exec('liveness-exec', ['cat', '/tmp/healthy'])).toEqual({ output: '', code: 0, notes: [] });
    await c.runFor('30s');
    expect(c.exec('liveness-exec', ['cat', '/tmp/healthy'])).toEqual({ output: "cat: can't open '/tmp/healthy': No such file or directory\n", code: 1, notes: [] });
    expect(await failureOf(() => runKubectl(c, 'exec liveness-exec -- cat /tmp/healthy'))).toBe("cat: can't open '/tmp/healthy': No such file or directory\ncommand terminated with exit code 1");
  });

  it('runs in the container\'s files and environment: what it writes, the kubelet\'s exec probe reads', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    await c.apply('manifests/exec-liveness.yaml');
    await c.runFor('36s');
    // The script removed /tmp/healthy 30 s after it started; the probe has failed once or twice
    // (three failures restart it). Putting the file back keeps the probe passing from then on.
    expect(c.exec('liveness-exec', ['cat', '/tmp/healthy']).code).toBe(1);
    expect(await runKubectl(c, 'exec -it liveness-exec -- touch /tmp/healthy')).toBe('');
    await c.runFor('1m');
    const status = c.get('pod', 'liveness-exec').status.containerStatuses[0];
    expect(status.restartCount).toBe(0);
    const unhealthy = c.list('events').filter((e) => e.reason === 'Unhealthy');
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0].count).toBeLessThanOrEqual(2);
    expect(Date.parse(unhealthy[0].lastTimestamp) - c.epoch).toBeLessThanOrEqual(36_000);
    expect(c.exec('liveness-exec', ['sh', '-c', 'echo $HOSTNAME; ls /var/run/secrets/kubernetes.io/serviceaccount']).output).toBe('liveness-exec\nca.crt\nnamespace\ntoken\n');
  });

  it('refuses a completed pod and a container that is not running, and names the container it defaulted to', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('done', [{ name: 'once', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'] }], { restartPolicy: 'Never' }));
    c.create(pod('typo', [{ name: 'app', image: 'nginx:1.161' }]));
    c.create(pod('two', [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }, { name: 'side', image: 'busybox:1.36', command: ['sleep', '3600'] }]));
    await c.runFor('30s');
    expect(await failureOf(() => runKubectl(c, 'exec done -- ls'))).toBe('error: cannot exec into a container in a completed pod; current phase is Succeeded');
    expect(await failureOf(() => runKubectl(c, 'exec typo -- ls'))).toBe('error: unable to upgrade connection: container not found ("app")');
    expect(await failureOf(() => runKubectl(c, 'exec two'))).toBe('error: you must specify at least one command for the container');
    expect(c.exec('two', ['hostname'])).toEqual({ output: 'two\n', code: 0, notes: ['Defaulted container "main" out of: main, side'] });
    expect(await runKubectl(c, 'exec two -c side -- echo side')).toBe('side');
  });
});
