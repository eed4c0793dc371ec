// Images: reference normalisation, the catalogue and registry, the node's image cache and the
// kubelet's image events. k8s-facts.md §7.2, §7.3, §16; D:concepts/containers/images;
// K:pkg/kubelet/images/image_manager.go (event texts), containerd's resolver errors.
import { describe, expect, it } from 'vitest';
import {
  ImageCache, ImageRegistry, alreadyPresentMessage, criPullError, defaultPullPolicy, failedToPullMessage,
  formatGoDuration, imageDigest, parseImageRef, pulledImageMessage, pullingImageMessage,
} from '../cri/images.ts';

function ref(image: string): string {
  const p = parseImageRef(image);
  if (!p.ok) throw new Error(p.message);
  return p.image.ref;
}

describe('image references (distribution/reference, as the kubelet applies the default tag)', () => {
  it('normalises short Docker Hub names to docker.io/library/<name>:latest', () => {
    // D:concepts/containers/images "Image names": no registry ⇒ Docker Hub; no tag ⇒ latest.
    expect(ref('nginx')).toBe('docker.io/library/nginx:latest');
    expect(ref('nginx:1.14.2')).toBe('docker.io/library/nginx:1.14.2');
    expect(ref('bitnami/redis:7.2')).toBe('docker.io/bitnami/redis:7.2');
    expect(ref('index.docker.io/library/busybox')).toBe('docker.io/library/busybox:latest');
  });

  it('keeps other registries, ports and digests', () => {
    // D:concepts/containers/images: registry host[:port]/path[:tag][@digest].
    expect(ref('registry.k8s.io/busybox')).toBe('registry.k8s.io/busybox:latest');
    expect(ref('localhost:5000/app:v1')).toBe('localhost:5000/app:v1');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(ref(`nginx@${digest}`)).toBe(`docker.io/library/nginx@${digest}`);
  });

  it('rejects invalid names with the kubelet InvalidImageName message', () => {
    // K:pkg/kubelet/images/image_manager.go applyDefaultImageTag.
    const p = parseImageRef('nginx:');
    expect(p).toEqual({
      ok: false, reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "nginx:": couldn\'t parse image name "nginx:": invalid reference format',
    });
    const upper = parseImageRef('Nginx');
    expect(upper.ok).toBe(false);
    if (!upper.ok) expect(upper.message).toContain('repository name (library/Nginx) must be lowercase');
    expect(parseImageRef('nginx::1').ok).toBe(false);
    expect(parseImageRef('-nginx').ok).toBe(false);
  });

  it('imagePullPolicy defaults to Always for :latest or no tag, else IfNotPresent', () => {
    // k8s-facts.md §7.3; D:concepts/containers/images "Default image pull policy".
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.25')).toBe('IfNotPresent');
  });
});

describe('the registry', () => {
  it('pulls nginx:1.14.2 in latency + size / 30 MB/s', () => {
    // Brief: ~30 MB/s plus 300 ms latency; catalogue sizes are compressed sizes.
    const reg = new ImageRegistry();
    const r = reg.pull('nginx:1.14.2');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image.sizeBytes).toBe(44_700_000);
    expect(r.durationMs).toBe(300 + 1490);
    expect(r.image.entrypoint).toEqual(['/docker-entrypoint.sh']);
    expect(r.image.cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(r.image.ports).toEqual([80]);
    const fast = new ImageRegistry({ bytesPerSecond: 100_000_000, latencyMs: 0 });
    expect(fast.pull('nginx:1.14.2').durationMs).toBe(447);
  });

  it('a tag that does not exist fails with ErrImagePull and containerd\'s "not found" (nginx:1.161)', () => {
    // The classic typo of D:tasks/debug/debug-application/debug-pods; containerd resolver text.
    const reg = new ImageRegistry();
    const r = reg.pull('nginx:1.161');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('ErrImagePull');
    expect(r.message).toBe('failed to pull and unpack image "docker.io/library/nginx:1.161": failed to resolve reference "docker.io/library/nginx:1.161": docker.io/library/nginx:1.161: not found');
    expect(failedToPullMessage('nginx:1.161', r)).toBe(
      'Failed to pull image "nginx:1.161": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.161": failed to resolve reference "docker.io/library/nginx:1.161": docker.io/library/nginx:1.161: not found',
    );
  });

  it('a private image without its pull secret is denied; with it the pull succeeds', () => {
    // D:concepts/containers/images "Specifying imagePullSecrets on a Pod"; Docker Hub's denial text.
    const reg = new ImageRegistry();
    reg.addImage({ ref: 'myorg/private-app:v1', sizeBytes: 10_000_000 });
    reg.setPrivate('myorg/private-app', 'regcred');
    const denied = reg.pull('myorg/private-app:v1');
    expect(denied.ok).toBe(false);
    if (!denied.ok) {
      expect(criPullError(denied)).toBe(
        'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/myorg/private-app:v1": failed to resolve reference "docker.io/myorg/private-app:v1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
      );
    }
    const ok = reg.pull('myorg/private-app:v1', { pullSecrets: ['regcred'] });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.durationMs).toBe(300 + 333);
  });

  it('an uncatalogued repository is assumed to exist (50 MB, long-running) unless made missing', () => {
    // Brief: unknown repositories exist unless the scenario says otherwise.
    const reg = new ImageRegistry();
    const r = reg.pull('ghcr.io/acme/api:2.3.1');
    expect(r.ok && r.image.sizeBytes).toBe(50_000_000);
    expect(r.ok && r.image.behavior.longRunning).toBe(true);
    reg.setMissing('acme/ghost');
    const gone = reg.pull('acme/ghost:v1');
    expect(!gone.ok && gone.message).toContain('pull access denied');
    reg.setMissing('ghcr.io/acme/api:2.3.1');
    const tagGone = reg.pull('ghcr.io/acme/api:2.3.1');
    expect(!tagGone.ok && tagGone.code).toBe('NotFound');
  });

  it('digests are deterministic and an image can be pulled by its digest', () => {
    // D:concepts/containers/images "Image names": image@sha256:….
    const reg = new ImageRegistry();
    const d = imageDigest('docker.io/library/nginx:1.25.3');
    expect(d).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(imageDigest('docker.io/library/nginx:1.25.3')).toBe(d);
    const byDigest = reg.pull(`nginx@${d}`);
    expect(byDigest.ok && byDigest.image.tag).toBe('1.25.3');
    const unknown = reg.pull(`nginx@sha256:${'0'.repeat(64)}`);
    expect(unknown.ok).toBe(false);
  });

  it('k8s.gcr.io names resolve to the same images as registry.k8s.io', () => {
    // k8s.gcr.io redirects to registry.k8s.io (since 2023).
    const reg = new ImageRegistry();
    const a = reg.pull('k8s.gcr.io/pause:3.9');
    const b = reg.pull('registry.k8s.io/pause:3.9');
    expect(a.ok && b.ok && a.image.sizeBytes === b.image.sizeBytes).toBe(true);
    expect(reg.pull('registry.k8s.io/e2e-test-images/agnhost:2.40').ok).toBe(true);
    expect(reg.pull('registry.k8s.io/etcd:3.5.1-0').ok).toBe(true);
  });

  it('scenario hooks override pull time and behaviour', () => {
    const reg = new ImageRegistry();
    reg.setPullTime('busybox:1.36', 12_345);
    reg.setBehavior('busybox:1.36', { exitAfterMs: 5000, exitCode: 1 });
    const r = reg.pull('busybox:1.36');
    expect(r.durationMs).toBe(12_345);
    expect(r.ok && r.image.behavior.exitAfterMs).toBe(5000);
  });
});

describe('the node image cache and pull policy', () => {
  it('IfNotPresent pulls only when absent; Always always pulls; Never fails with ErrImageNeverPull', () => {
    // D:concepts/containers/images "Image pull policy"; K:pkg/kubelet/images/image_manager.go.
    const cache = new ImageCache();
    expect(cache.needsPull('IfNotPresent', 'nginx:1.25')).toEqual({ pull: true });
    cache.add('nginx:1.25');
    expect(cache.has('docker.io/library/nginx:1.25')).toBe(true);
    expect(cache.needsPull('IfNotPresent', 'nginx:1.25')).toEqual({ pull: false, present: true });
    expect(cache.needsPull('Always', 'nginx:1.25')).toEqual({ pull: true });
    expect(cache.needsPull('Never', 'nginx:1.25')).toEqual({ pull: false, present: true });
    expect(cache.needsPull('Never', 'redis:7.2')).toEqual({
      pull: false, present: false, reason: 'ErrImageNeverPull',
      message: 'Container image "redis:7.2" is not present with pull policy of Never',
    });
  });
});

describe('kubelet image event messages', () => {
  it('Pulling, Pulled (Go durations) and already-present texts match kubectl describe', () => {
    // k8s-facts.md §16: `Successfully pulled image "<image>" in 1.387s (1.387s including waiting). Image size: N bytes.`
    expect(pullingImageMessage('nginx')).toBe('Pulling image "nginx"');
    expect(pulledImageMessage('nginx', 1387, 72_200_000)).toBe(
      'Successfully pulled image "nginx" in 1.387s (1.387s including waiting). Image size: 72200000 bytes.',
    );
    expect(alreadyPresentMessage('nginx:1.14.2')).toBe('Container image "nginx:1.14.2" already present on machine');
  });

  it('formats durations like Go time.Duration.String()', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(450)).toBe('450ms');
    expect(formatGoDuration(2000)).toBe('2s');
    expect(formatGoDuration(62_500)).toBe('1m2.5s');
    expect(formatGoDuration(3_723_004)).toBe('1h2m3.004s');
  });
});
