// The README's commands and the kubesim CLI, run as a user runs them (subprocesses).
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/kubesim.mjs');

function kubesim(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('kubesim CLI', () => {
  it('npm start runs the hello-world scenario and prints its watch events and tables', () => {
    const out = execFileSync('npm', ['start', '--silent'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('ADDED    deployment/hello');
    expect(out).toContain('409 Conflict');
    expect(out).toContain('DELETED  configmap/greeting');
    expect(out).toContain('namespace/kube-system');
  });

  it('apply -f creates the documented nginx Deployment and prints kubectl-like tables', () => {
    const r = kubesim('apply', '-f', 'manifests/nginx-deployment.yaml', '--for', '1m');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('deployment.apps/nginx-deployment created');
    expect(r.stdout).toMatch(/deployment\.apps\/nginx-deployment\s+\d\/3/);
  });

  it('apply reports a rejected document in kubectl\'s form, applies the others and exits 1', () => {
    const r = kubesim('apply', '-f', 'manifests/invalid.yaml');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Error from server (Invalid): error when creating "manifests/invalid.yaml": Deployment.apps "broken" is invalid:');
    expect(r.stdout).toContain('configmap/settings created');
    expect(r.stdout).toContain('service/web created');
  });

  it('-o json prints a v1 List of every object on stdout and nothing else', () => {
    const r = kubesim('apply', '-f', 'manifests/nginx-deployment.yaml', '-o', 'json');
    const list = JSON.parse(r.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((o: any) => `${o.kind}/${o.metadata.name}`)).toContain('Deployment/nginx-deployment');
  });

  it('a YAML parse error names the file, the document and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    const r = kubesim('apply', '-f', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toMatch(/document 2/);
    expect(r.stderr).toMatch(/line \d+/);
  });

  it('run --trace records a trace that replay reproduces byte for byte; an edited trace diverges', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-trace-'));
    const trace = join(dir, 'hello.jsonl');
    expect(kubesim('run', 'scenarios/hello-world.ts', '--seed', '7', '--trace', trace).status).toBe(0);
    const ok = kubesim('replay', trace);
    expect(ok.stdout).toMatch(/^replay identical: \d+ trace lines \(seed 7\)/);
    expect(ok.status).toBe(0);
    writeFileSync(trace, readFileSync(trace, 'utf8').replace('"t":60000', '"t":60001'));
    const bad = kubesim('replay', trace);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^replay diverged at line \d+/);
  });

  it('apply of a ReplicaSet, a pod with a liveness probe and a pod with a missing image reaches Kubernetes\' end state', () => {
    // Issue 3, must-show 5: the same end state as a real cluster after 2 minutes.
    const r = kubesim('apply', '-f', 'manifests/frontend-replicaset.yaml', '-f', 'manifests/exec-liveness.yaml', '-f', 'manifests/bad-image-pod.yaml', '--for', '2m', '-o', 'json');
    expect(r.status).toBe(0);
    const items: any[] = JSON.parse(r.stdout).items;
    const pods = items.filter((o) => o.kind === 'Pod');
    const frontend = pods.filter((p) => p.metadata.labels?.tier === 'frontend');
    expect(frontend).toHaveLength(3);
    expect(frontend.every((p) => p.status.phase === 'Running' && p.metadata.ownerReferences[0].kind === 'ReplicaSet')).toBe(true);
    const rs = items.find((o) => o.kind === 'ReplicaSet');
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    const live = pods.find((p) => p.metadata.name === 'liveness-exec');
    expect(live.status.phase).toBe('Running');
    expect(live.status.containerStatuses[0].restartCount).toBe(1);
    const typo = pods.find((p) => p.metadata.name === 'typo');
    expect(typo.status.phase).toBe('Pending');
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(typo.status.containerStatuses[0].state.waiting.reason);
    const nodes = items.filter((o) => o.kind === 'Node');
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('--kubectl runs kubectl commands inside the simulation, between waits', () => {
    const r = kubesim('apply', '-f', 'manifests/frontend-replicaset.yaml', '--for', '30s', '--kubectl', 'scale rs/frontend --replicas=5',
      '--for', '30s', '--kubectl', 'get pods', '--kubectl', 'label rs frontend team=web', '--kubectl', 'get nope', '-o', 'json');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('replicaset.apps/frontend scaled');
    expect(r.stderr).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(r.stderr).toContain('replicaset.apps/frontend labeled');
    expect(r.stderr).toContain('error: the server doesn\'t have a resource type "nope"');
    const rs = JSON.parse(r.stdout).items.find((o: any) => o.kind === 'ReplicaSet');
    expect(rs.spec.replicas).toBe(5);
    expect(rs.metadata.labels.team).toBe('web');
  });

  it('kubesim describe pod: the docs\' liveness-exec pod after 90 s, as kubectl describe shows it', () => {
    // tasks/configure-pod-container/configure-liveness-readiness-startup-probes: the probe fails
    // three times from 35 s, the kubelet kills and restarts the container.
    const r = kubesim('describe', 'pod', 'liveness-exec', '-f', 'manifests/exec-liveness.yaml', '--for', '90s');
    expect(r.status).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/^Name:\s+liveness-exec$/m);
    expect(out).toMatch(/^\s+Liveness:\s+exec \[cat \/tmp\/healthy\] delay=5s timeout=1s period=5s #success=1 #failure=3$/m);
    expect(out).toMatch(/^\s+Restart Count:\s+1$/m);
    expect(out).toMatch(/^ {2}Warning {2}Unhealthy {2}50s \(x3 over 60s\) {2}kubelet {12}Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory$/m);
    expect(out).toMatch(/^ {2}Normal {3}Killing {4}50s {16}kubelet {12}Container liveness failed liveness probe, will be restarted$/m);
  });

  it('kubesim logs: what a container printed, after applying the manifests', () => {
    const r = kubesim('logs', 'liveness-exec', '--timestamps', '-f', 'manifests/exec-liveness.yaml', '--for', '10s');
    expect(r.status).toBe(0);
    // The docs' liveness-exec script writes nothing: an empty log, and the cluster's state after it.
    expect(r.stdout + r.stderr).toContain('pod/liveness-exec');
    const bad = kubesim('logs', 'liveness-exec', '-c', 'nope', '-f', 'manifests/exec-liveness.yaml', '--for', '10s');
    expect(bad.stderr).toContain('Error from server (BadRequest): container nope is not valid for pod liveness-exec');
  });

  it('-o wide and -o name, for the final state and for kubectl get inside the simulation', () => {
    const r = kubesim('apply', '-f', 'manifests/frontend-replicaset.yaml', '--for', '30s', '--kubectl', 'get pods -o wide',
      '--kubectl', 'get rs -o name', '--kubectl', 'get rs -o foo', '-o', 'wide');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
    expect(r.stdout).toMatch(/^frontend-\w{5}\s+1\/1\s+Running\s+0\s+30s\s+10\.244\.\d+\.\d+\s+node-\d\s+<none>\s+<none>$/m);
    expect(r.stdout).toMatch(/^replicaset\.apps\/frontend$/m);
    expect(r.stderr).toContain('error: unable to match a printer suitable for the output format "foo", allowed formats are: json,name,wide,yaml');
    // The final state: the ReplicaSet's wide columns.
    expect(r.stdout).toMatch(/replicaset\.apps\/frontend\s+3\s+3\s+3\s+\S+\s+php-redis\s+us-docker\.pkg\.dev\/google-samples\/containers\/gke\/gb-frontend:v5\s+tier=frontend/);
  });

  it('--images makes an image missing or slow to pull', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-images-'));
    const images = join(dir, 'images.yaml');
    writeFileSync(images, 'images:\n- ref: myorg/app:v1\n  sizeBytes: 100000000\n  pullMs: 45000\n- ref: myorg/app:v2\n  missing: true\n');
    const pods = join(dir, 'pods.yaml');
    writeFileSync(pods, ['v1', 'v2'].map((v) => `apiVersion: v1\nkind: Pod\nmetadata: {name: app-${v}}\nspec:\n  containers: [{name: app, image: myorg/app:${v}}]\n`).join('---\n'));
    const r = kubesim('apply', '--images', images, '-f', pods, '--for', '30s', '-o', 'json');
    const items: any[] = JSON.parse(r.stdout).items;
    const state = (n: string) => items.find((o) => o.metadata.name === n).status.containerStatuses[0].state;
    expect(state('app-v1').waiting.reason).toBe('ContainerCreating');
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(state('app-v2').waiting.reason);
  });

  it('every command has --help with examples', () => {
    for (const cmd of ['apply', 'run', 'replay']) {
      const r = kubesim(cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Examples?:/);
    }
  });
});
