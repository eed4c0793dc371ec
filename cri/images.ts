// Container images: docker reference normalisation (distribution/reference's ParseNormalizedNamed
// as the kubelet's applyDefaultImageTag uses it), a built-in catalogue of real images, a registry
// that pulls them with containerd's error texts, the per-node image cache with the kubelet's
// pull-policy decision (pkg/kubelet/images/image_manager.go), and the kubelet's event messages.
import { hash32 } from '../runtime/prng.ts';
import type { ImageInfo, ProcessBehavior, PullResult } from './types.ts';

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/** A parsed image reference. `ref` is the normalised form containerd resolves. */
export interface ImageRef {
  /** As written in the pod spec. */
  original: string;
  domain: string;
  /** Path inside the registry, e.g. library/nginx. */
  path: string;
  /** domain/path, e.g. docker.io/library/nginx. */
  repository: string;
  tag: string;
  digest?: string;
  /** repository:tag, or repository@digest when a digest is given. */
  ref: string;
}

export type ParsedImage = { ok: true; image: ImageRef } | { ok: false; reason: 'InvalidImageName'; message: string };

const DEFAULT_DOMAIN = 'docker.io';
const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_PART = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX64 = /^[a-f0-9]{64}$/;

/** distribution/reference splitDockerDomain: the first component is a domain only if it looks like one. */
function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return [domain, remainder];
}

function validDomain(domain: string): boolean {
  const m = /^(.*?)(?::(\d+))?$/.exec(domain);
  const host = m ? m[1] : domain;
  if (/^\[[0-9a-fA-F:]+\]$/.test(host)) return true;
  return host.split('.').every((p) => DOMAIN_PART.test(p));
}

/**
 * Normalises an image reference as the kubelet does before pulling (`nginx` →
 * docker.io/library/nginx:latest). Invalid names give the kubelet's InvalidImageName message.
 */
export function parseImageRef(image: string): ParsedImage {
  let parsed = parsedImages.get(image);
  if (parsed === undefined) {
    if (parsedImages.size >= PARSED_IMAGES_MAX) parsedImages.clear();
    parsed = parseImageRefOnce(image);
    if (parsed.ok) Object.freeze(parsed.image);
    parsedImages.set(image, Object.freeze(parsed));
  }
  return parsed;
}

/** Every pod's images are parsed several times (pull, inspect, status): the same few names. */
const PARSED_IMAGES_MAX = 4096;
const parsedImages = new Map<string, ParsedImage>();

function parseImageRefOnce(image: string): ParsedImage {
  const invalid = (why: string): ParsedImage => ({
    ok: false,
    reason: 'InvalidImageName',
    message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${why}`,
  });
  if (HEX64.test(image)) return invalid(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  const [domain, remainder] = splitDockerDomain(image);
  let rest = remainder;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest.toLowerCase() !== rest) return invalid(`invalid reference format: repository name (${rest}) must be lowercase`);
  if (!validDomain(domain) || rest === '' || !rest.split('/').every((c) => PATH_COMPONENT.test(c))) {
    return invalid('invalid reference format');
  }
  if ((tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest))) {
    return invalid('invalid reference format');
  }
  if (digest?.startsWith('sha256:') && digest.length !== 7 + 64) return invalid('invalid checksum digest length');
  const repository = `${domain}/${rest}`;
  if (repository.length > NAME_TOTAL_LENGTH_MAX) {
    return invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const finalTag = tag ?? DEFAULT_TAG;
  const ref = digest ? `${repository}@${digest}` : `${repository}:${finalTag}`;
  return { ok: true, image: { original: image, domain, path: rest, repository, tag: finalTag, digest, ref } };
}

/** The normalised reference of an image name, or the name itself when it does not parse. */
export function normaliseImage(image: string): string {
  const p = parseImageRef(image);
  return p.ok ? p.image.ref : image;
}

/** A deterministic sha256-looking digest derived from the reference (eight 32-bit hashes). */
export function imageDigest(ref: string): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += hash32(ref, 0x9e3779b9 ^ Math.imul(i + 1, 0x01000193)).toString(16).padStart(8, '0');
  return `sha256:${hex}`;
}

// ---------------------------------------------------------------------------------------------
// Behaviour profiles of the programs the catalogue's images run
// ---------------------------------------------------------------------------------------------

const MiB = 1024 * 1024;
const MB = 1_000_000;

/** What well-known programs do when they run as the container's PID 1. */
export const PROGRAM_PROFILES = {
  nginx: {
    longRunning: true, http: { '/': [{ status: 200 }], '/index.html': [{ status: 200 }], '/50x.html': [{ status: 200 }] },
    defaultStatus: 404, memory: [[0, 7 * MiB]], cpu: [[0, 1]], termExitCode: 0,
    logs: ['nginx: [notice] 1#1: using the "epoll" event method', 'nginx: [notice] 1#1: start worker processes'],
  },
  httpd: {
    longRunning: true, http: { '/': [{ status: 200 }], '/index.html': [{ status: 200 }] }, defaultStatus: 404,
    memory: [[0, 9 * MiB]], cpu: [[0, 1]], logs: ['[mpm_event:notice] AH00489: Apache/2.4 configured -- resuming normal operations'],
  },
  redis: { longRunning: true, httpServer: false, memory: [[0, 9 * MiB]], cpu: [[0, 2]], logs: ['* Ready to accept connections tcp'] },
  mysql: {
    longRunning: true, httpServer: false, startupMs: 8000, memory: [[0, 60 * MiB], [8000, 380 * MiB]], cpu: [[0, 400], [8000, 5]],
    logs: ['[Server] /usr/sbin/mysqld: ready for connections.'],
  },
  postgres: { longRunning: true, httpServer: false, startupMs: 2500, memory: [[0, 35 * MiB]], cpu: [[0, 3]], logs: ['LOG:  database system is ready to accept connections'] },
  etcd: {
    longRunning: true, grpc: true, http: { '/health': [{ status: 200 }], '/version': [{ status: 200 }], '/metrics': [{ status: 200 }] },
    defaultStatus: 404, memory: [[0, 30 * MiB]], cpu: [[0, 10]], logs: ['{"level":"info","msg":"ready to serve client requests"}'],
  },
  pause: { longRunning: true, memory: [[0, 300 * 1024]], cpu: [[0, 0]] },
  /** agnhost pause: Go; exits 2 on SIGTERM (test/images/agnhost/pause/pause.go). */
  'agnhost-pause': { longRunning: true, memory: [[0, 6 * MiB]], cpu: [[0, 0]], termExitCode: 2, logs: ['Paused'] },
  /** /healthz answers 200 while the server is at most 10 s old, then 500 (test/images/agnhost/liveness). */
  'agnhost-liveness': {
    longRunning: true, http: { '/healthz': [{ untilMs: 10_000, status: 200 }, { status: 500 }], '/started': [{ status: 200 }], '/redirect': [{ status: 302 }] },
    defaultStatus: 404, memory: [[0, 6 * MiB]], cpu: [[0, 0]], termExitCode: 2,
  },
  'agnhost-netexec': { longRunning: true, defaultStatus: 200, memory: [[0, 8 * MiB]], cpu: [[0, 1]], termExitCode: 2, logs: ['Started HTTP server on port 8080'] },
  'agnhost-serve-hostname': { longRunning: true, defaultStatus: 200, memory: [[0, 6 * MiB]], cpu: [[0, 0]], termExitCode: 2 },
  'agnhost-test-webserver': { longRunning: true, defaultStatus: 200, memory: [[0, 6 * MiB]], cpu: [[0, 0]], termExitCode: 2 },
  goproxy: { longRunning: true, defaultStatus: 200, memory: [[0, 5 * MiB]], cpu: [[0, 0]], termExitCode: 2 },
  'python-http': { longRunning: true, defaultStatus: 200, http: { '/': [{ status: 200 }] }, memory: [[0, 14 * MiB]], cpu: [[0, 1]] },
  /** Anything not catalogued: assumed to be a healthy server on the container's ports. */
  generic: { longRunning: true, defaultStatus: 200, memory: [[0, 20 * MiB]], cpu: [[0, 5]] },
  /** A shell or one-shot program: nothing listens. */
  shell: { longRunning: false, memory: [[0, 600 * 1024]], cpu: [[0, 0]] },
} satisfies Record<string, ProcessBehavior>;

export type ProgramProfile = keyof typeof PROGRAM_PROFILES;

// ---------------------------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------------------------

interface RepoSpec {
  repository: string;
  /** tag → compressed size in bytes. */
  tags: Record<string, number>;
  entrypoint: string[];
  cmd: string[];
  ports: number[];
  profile: ProgramProfile;
  userland: 'busybox' | 'gnu';
  env?: Record<string, string>;
  /** Other names the same images are served under (k8s.gcr.io redirects to registry.k8s.io). */
  aliases?: string[];
}

const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Sizes are linux/amd64 compressed sizes as registries report them (rounded). */
const REPOSITORIES: RepoSpec[] = [
  {
    repository: 'docker.io/library/nginx', profile: 'nginx', userland: 'gnu', ports: [80],
    entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: { PATH: DEBIAN_PATH, NGINX_VERSION: '1.27.4' },
    tags: {
      '1.14.2': 44.7 * MB, '1.16.1': 51.0 * MB, '1.19': 53.6 * MB, '1.21': 56.7 * MB, '1.23': 57.0 * MB,
      '1.25': 70.5 * MB, '1.25.3': 70.5 * MB, '1.25.4': 70.6 * MB, '1.25.5': 71.0 * MB,
      '1.26': 72.1 * MB, '1.26.0': 71.0 * MB, '1.26.1': 71.9 * MB, '1.26.2': 72.0 * MB, '1.26.3': 72.1 * MB, stable: 72.1 * MB,
      '1.27': 72.2 * MB, '1.27.0': 71.0 * MB, '1.27.1': 71.7 * MB, '1.27.2': 72.0 * MB, '1.27.3': 72.1 * MB, '1.27.4': 72.2 * MB,
      mainline: 72.2 * MB, latest: 72.2 * MB,
      alpine: 20.5 * MB, 'stable-alpine': 20.4 * MB, '1.25-alpine': 17.2 * MB, '1.26-alpine': 20.3 * MB, '1.27-alpine': 20.5 * MB,
      '1.27.4-alpine': 20.5 * MB, 'alpine-slim': 5.4 * MB,
    },
  },
  {
    repository: 'docker.io/library/httpd', profile: 'httpd', userland: 'gnu', ports: [80],
    entrypoint: [], cmd: ['httpd-foreground'], env: { PATH: `/usr/local/apache2/bin:${DEBIAN_PATH}`, HTTPD_PREFIX: '/usr/local/apache2' },
    tags: { '2.4': 58.4 * MB, '2.4.62': 58.3 * MB, '2.4.63': 58.4 * MB, latest: 58.4 * MB, alpine: 23.1 * MB, '2.4-alpine': 23.1 * MB },
  },
  {
    repository: 'docker.io/library/busybox', profile: 'shell', userland: 'busybox', ports: [],
    entrypoint: [], cmd: ['sh'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    tags: {
      '1.28': 0.73 * MB, '1.31': 0.76 * MB, '1.34': 0.77 * MB, '1.35': 2.2 * MB, '1.36': 2.15 * MB, '1.36.1': 2.15 * MB, '1.37': 2.16 * MB,
      stable: 2.15 * MB, latest: 2.16 * MB, musl: 0.86 * MB, glibc: 2.16 * MB, uclibc: 1.0 * MB,
    },
  },
  {
    repository: 'docker.io/library/alpine', profile: 'shell', userland: 'busybox', ports: [],
    entrypoint: [], cmd: ['/bin/sh'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    tags: { '3.18': 3.4 * MB, '3.18.9': 3.4 * MB, '3.19': 3.4 * MB, '3.19.4': 3.4 * MB, '3.20': 3.6 * MB, '3.20.3': 3.6 * MB, '3.21': 3.6 * MB, latest: 3.6 * MB, edge: 3.6 * MB },
  },
  {
    repository: 'docker.io/library/ubuntu', profile: 'shell', userland: 'gnu', ports: [],
    entrypoint: [], cmd: ['/bin/bash'], env: { PATH: DEBIAN_PATH },
    tags: { '20.04': 27.5 * MB, '22.04': 29.5 * MB, '24.04': 29.7 * MB, jammy: 29.5 * MB, noble: 29.7 * MB, latest: 29.7 * MB },
  },
  {
    repository: 'docker.io/library/debian', profile: 'shell', userland: 'gnu', ports: [],
    entrypoint: [], cmd: ['bash'], env: { PATH: DEBIAN_PATH },
    tags: { '11': 53.7 * MB, '12': 48.5 * MB, bullseye: 53.7 * MB, bookworm: 48.5 * MB, 'bookworm-slim': 28.2 * MB, 'stable-slim': 28.2 * MB, latest: 48.5 * MB },
  },
  {
    repository: 'docker.io/library/redis', profile: 'redis', userland: 'gnu', ports: [6379],
    entrypoint: ['docker-entrypoint.sh'], cmd: ['redis-server'], env: { PATH: DEBIAN_PATH },
    tags: {
      '6.2': 40.1 * MB, '7.0': 42.4 * MB, '7.2': 43.0 * MB, '7.2.5': 43.0 * MB, '7.4': 45.1 * MB, '7.4.1': 45.1 * MB, '7.4.2': 45.2 * MB,
      '7': 45.2 * MB, latest: 45.2 * MB, alpine: 17.4 * MB, '7-alpine': 17.4 * MB, '7.2-alpine': 16.0 * MB,
    },
  },
  {
    repository: 'docker.io/library/mysql', profile: 'mysql', userland: 'gnu', ports: [3306, 33060],
    entrypoint: ['docker-entrypoint.sh'], cmd: ['mysqld'], env: { PATH: DEBIAN_PATH },
    tags: { '5.6': 103.0 * MB, '5.7': 137.5 * MB, '8.0': 165.6 * MB, '8.0.40': 165.6 * MB, '8.4': 167.9 * MB, '9.1': 171.1 * MB, latest: 171.1 * MB },
  },
  {
    repository: 'docker.io/library/postgres', profile: 'postgres', userland: 'gnu', ports: [5432],
    entrypoint: ['docker-entrypoint.sh'], cmd: ['postgres'], env: { PATH: `/usr/lib/postgresql/16/bin:${DEBIAN_PATH}`, PGDATA: '/var/lib/postgresql/data' },
    tags: { '14': 150.2 * MB, '15': 151.0 * MB, '16': 152.4 * MB, '16.4': 152.4 * MB, '17': 155.3 * MB, latest: 155.3 * MB, '16-alpine': 105.8 * MB, alpine: 106.9 * MB },
  },
  {
    repository: 'docker.io/library/perl', profile: 'shell', userland: 'gnu', ports: [],
    entrypoint: [], cmd: ['perl5.40.0', '-de0'], env: { PATH: DEBIAN_PATH },
    tags: { '5.34': 336.4 * MB, '5.34.0': 336.4 * MB, '5.36': 344.1 * MB, '5.38': 352.6 * MB, '5.40': 359.0 * MB, latest: 359.0 * MB, slim: 38.9 * MB },
  },
  {
    repository: 'docker.io/library/python', profile: 'shell', userland: 'gnu', ports: [],
    entrypoint: [], cmd: ['python3'], env: { PATH: DEBIAN_PATH, PYTHON_VERSION: '3.12.8', LANG: 'C.UTF-8' },
    tags: {
      '3': 390.1 * MB, '3.9': 380.3 * MB, '3.10': 381.0 * MB, '3.11': 387.2 * MB, '3.12': 389.9 * MB, '3.13': 390.1 * MB, latest: 390.1 * MB,
      '3.12-slim': 45.9 * MB, '3.13-slim': 43.3 * MB, slim: 43.3 * MB, '3.12-alpine': 20.4 * MB, alpine: 19.8 * MB,
    },
  },
  {
    repository: 'registry.k8s.io/pause', profile: 'pause', userland: 'busybox', ports: [], aliases: ['k8s.gcr.io/pause'],
    entrypoint: ['/pause'], cmd: [],
    tags: { '3.2': 299_513, '3.5': 301_416, '3.6': 301_773, '3.7': 311_278, '3.8': 311_286, '3.9': 321_520, '3.10': 320_368, latest: 320_368 },
  },
  {
    repository: 'registry.k8s.io/busybox', profile: 'shell', userland: 'busybox', ports: [], aliases: ['k8s.gcr.io/busybox', 'gcr.io/google-containers/busybox'],
    entrypoint: [], cmd: ['sh'],
    tags: { latest: 1_144_547, '1.24': 675_894, '1.27.2': 1_144_547 },
  },
  {
    repository: 'registry.k8s.io/e2e-test-images/agnhost', profile: 'agnhost-pause', userland: 'busybox', ports: [80, 8080, 8081, 9376],
    aliases: ['k8s.gcr.io/e2e-test-images/agnhost'],
    entrypoint: ['/agnhost'], cmd: ['pause'],
    tags: { '2.32': 50.0 * MB, '2.33': 50.1 * MB, '2.36': 50.9 * MB, '2.39': 51.1 * MB, '2.40': 51.2 * MB, '2.43': 52.0 * MB, '2.47': 53.3 * MB, '2.52': 55.1 * MB, '2.53': 55.2 * MB },
  },
  {
    repository: 'registry.k8s.io/liveness', profile: 'agnhost-liveness', userland: 'busybox', ports: [8080], aliases: ['k8s.gcr.io/liveness'],
    entrypoint: ['/server'], cmd: [],
    tags: { latest: 2.4 * MB },
  },
  {
    repository: 'registry.k8s.io/goproxy', profile: 'goproxy', userland: 'busybox', ports: [8080], aliases: ['k8s.gcr.io/goproxy'],
    entrypoint: ['/goproxy'], cmd: [],
    tags: { '0.1': 2.0 * MB },
  },
  {
    repository: 'registry.k8s.io/etcd', profile: 'etcd', userland: 'busybox', ports: [2379, 2380], aliases: ['k8s.gcr.io/etcd'],
    entrypoint: [], cmd: ['/usr/local/bin/etcd'],
    tags: {
      '3.5.1-0': 98.9 * MB, '3.5.3-0': 102.1 * MB, '3.5.6-0': 102.5 * MB, '3.5.9-0': 102.9 * MB, '3.5.10-0': 56.6 * MB,
      '3.5.12-0': 57.2 * MB, '3.5.15-0': 56.9 * MB, '3.5.16-0': 57.7 * MB, '3.5.21-0': 58.9 * MB,
    },
  },
];

/** Builds the ImageInfo of one catalogued tag under one repository name. */
function catalogueImage(spec: RepoSpec, repository: string, tag: string): ImageInfo {
  const ref = `${repository}:${tag}`;
  const behavior: ProcessBehavior = { ...PROGRAM_PROFILES[spec.profile] };
  return {
    ref, repository, tag, digest: imageDigest(ref), sizeBytes: Math.round(spec.tags[tag]),
    entrypoint: spec.entrypoint, cmd: spec.cmd, ports: spec.ports, env: spec.env, behavior, userland: spec.userland,
  };
}

/** The built-in catalogue: normalised ref → image, and the set of catalogued repositories. */
export function builtinCatalogue(): { images: Map<string, ImageInfo>; repositories: Set<string> } {
  const images = new Map<string, ImageInfo>();
  const repositories = new Set<string>();
  for (const spec of REPOSITORIES) {
    for (const repository of [spec.repository, ...(spec.aliases ?? [])]) {
      repositories.add(repository);
      for (const tag of Object.keys(spec.tags)) {
        const info = catalogueImage(spec, repository, tag);
        images.set(info.ref, info);
      }
    }
  }
  return { images, repositories };
}

/** Size assumed for an image the catalogue does not know. */
export const GENERIC_IMAGE_SIZE = 50 * MB;

/** An image the catalogue does not know: a long-running process of 50 MB. */
export function genericImage(parsed: ImageRef): ImageInfo {
  return {
    ref: parsed.ref, repository: parsed.repository, tag: parsed.tag, digest: parsed.digest ?? imageDigest(parsed.ref),
    sizeBytes: GENERIC_IMAGE_SIZE, entrypoint: ['/app'], cmd: [], ports: [], behavior: { ...PROGRAM_PROFILES.generic },
    userland: 'busybox',
  };
}

// ---------------------------------------------------------------------------------------------
// The registry
// ---------------------------------------------------------------------------------------------

/** A private image added with `private: true` but no named secret accepts any pull secret. */
const ANY_SECRET = '\u0000any';

export interface RegistryOptions {
  /** Download throughput (default 30 MB/s). */
  bytesPerSecond?: number;
  /** Fixed cost of every pull: resolve, auth, manifest (default 300 ms). */
  latencyMs?: number;
}

/** containerd's failure text when the registry has no such tag or digest. */
function notFoundMessage(ref: string): string {
  return `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

/** containerd's failure text when the registry refuses anonymous (or wrongly authenticated) access. */
function accessDeniedMessage(parsed: ImageRef): string {
  const ref = parsed.ref;
  if (parsed.domain === DEFAULT_DOMAIN) {
    return `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, ` +
      'repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';
  }
  return `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": failed to authorize: ` +
    `failed to fetch anonymous token: unexpected status from GET request to https://${parsed.domain}/v2/token: 401 Unauthorized`;
}

/**
 * The registries a cluster pulls from, with scenario hooks. Pull time = latency + size/throughput
 * unless a scenario sets it.
 */
export class ImageRegistry {
  private readonly images: Map<string, ImageInfo>;
  private readonly repositories: Set<string>;
  private readonly byDigest = new Map<string, ImageInfo>();
  private readonly missing = new Set<string>();
  private readonly privateRefs = new Map<string, string>();
  private readonly pullTimes = new Map<string, number>();
  private readonly behaviors = new Map<string, ProcessBehavior>();
  readonly bytesPerSecond: number;
  readonly latencyMs: number;

  constructor(opts: RegistryOptions = {}) {
    const { images, repositories } = builtinCatalogue();
    this.images = images;
    this.repositories = repositories;
    for (const info of images.values()) this.byDigest.set(`${info.repository}@${info.digest}`, info);
    this.bytesPerSecond = opts.bytesPerSecond ?? 30 * MB;
    this.latencyMs = opts.latencyMs ?? 300;
  }

  /** Adds (or replaces) an image; `ref` may be short (`myorg/app:v1`). */
  addImage(partial: Partial<ImageInfo> & { ref: string }): ImageInfo {
    const parsed = parseImageRef(partial.ref);
    if (!parsed.ok) throw new Error(parsed.message);
    const base = this.images.get(parsed.image.ref) ?? genericImage(parsed.image);
    const info: ImageInfo = { ...base, ...partial, ref: parsed.image.ref, repository: parsed.image.repository, tag: parsed.image.tag };
    info.digest = partial.digest ?? imageDigest(info.ref);
    this.images.set(info.ref, info);
    this.repositories.add(info.repository);
    this.byDigest.set(`${info.repository}@${info.digest}`, info);
    this.missing.delete(info.ref);
    return info;
  }

  /** Makes a reference (`repo:tag`) or a whole repository (`repo`, no tag) not exist. */
  setMissing(ref: string): void {
    this.missing.add(this.key(ref));
  }

  /** Makes a reference or repository pullable only with the named pull secret. */
  setPrivate(ref: string, secretName: string): void {
    this.privateRefs.set(this.key(ref), secretName);
  }

  setPullTime(ref: string, ms: number): void {
    this.pullTimes.set(normaliseImage(ref), ms);
  }

  setBehavior(ref: string, behavior: ProcessBehavior): void {
    this.behaviors.set(normaliseImage(ref), behavior);
  }

  /** What the registry holds for a reference, without pulling (undefined: does not exist). */
  resolve(image: string): ImageInfo | undefined {
    const parsed = parseImageRef(image);
    if (!parsed.ok) return undefined;
    const p = parsed.image;
    if (this.missing.has(p.ref) || this.missing.has(p.repository)) return undefined;
    const info = p.digest ? this.byDigest.get(p.ref) : this.images.get(p.ref);
    if (info) return this.withBehavior(info);
    if (this.repositories.has(p.repository)) return undefined;
    return this.withBehavior(genericImage(p));
  }

  /** Pulls an image as containerd would: resolve, authorize, download. */
  pull(image: string, opts: { pullSecrets?: string[] } = {}): PullResult {
    const parsed = parseImageRef(image);
    if (!parsed.ok) return { ok: false, reason: parsed.reason, message: parsed.message, durationMs: 0 };
    const p = parsed.image;
    const secret = this.privateRefs.get(p.ref) ?? this.privateRefs.get(p.repository) ?? (this.images.get(p.ref)?.private ? ANY_SECRET : undefined);
    const secrets = opts.pullSecrets ?? [];
    const authorized = secret === undefined || (secret === ANY_SECRET ? secrets.length > 0 : secrets.includes(secret));
    if (!authorized) {
      return { ok: false, reason: 'ErrImagePull', code: 'Unknown', message: accessDeniedMessage(p), durationMs: this.latencyMs };
    }
    const info = this.resolve(image);
    if (!info) {
      const repoGone = this.missing.has(p.repository) && p.domain === DEFAULT_DOMAIN;
      const message = repoGone ? accessDeniedMessage(p) : notFoundMessage(p.ref);
      return { ok: false, reason: 'ErrImagePull', code: repoGone ? 'Unknown' : 'NotFound', message, durationMs: this.latencyMs };
    }
    return { ok: true, image: info, durationMs: this.pullDuration(info) };
  }

  /** latency + size / throughput, or the scenario's override. */
  pullDuration(info: ImageInfo): number {
    const override = this.pullTimes.get(info.ref);
    if (override !== undefined) return override;
    return this.latencyMs + Math.round((info.sizeBytes / this.bytesPerSecond) * 1000);
  }

  private withBehavior(info: ImageInfo): ImageInfo {
    const extra = this.behaviors.get(info.ref);
    return extra ? { ...info, behavior: { ...info.behavior, ...extra } } : info;
  }

  /** A reference with a tag or digest normalises fully; a bare repository stays a repository. */
  private key(ref: string): string {
    const parsed = parseImageRef(ref);
    if (!parsed.ok) return ref;
    const last = ref.slice(ref.lastIndexOf('/') + 1);
    const explicit = ref.includes('@') || last.includes(':');
    return explicit ? parsed.image.ref : parsed.image.repository;
  }
}

// ---------------------------------------------------------------------------------------------
// The node's image cache and the pull policy
// ---------------------------------------------------------------------------------------------

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export type PullDecision =
  | { pull: true }
  | { pull: false; present: true }
  | { pull: false; present: false; reason: 'ErrImageNeverPull'; message: string };

/** Images present on one node (containerd's image store), keyed by normalised reference. */
export class ImageCache {
  private readonly refs = new Set<string>();

  has(image: string): boolean {
    return this.refs.has(normaliseImage(image));
  }

  add(image: string): void {
    this.refs.add(normaliseImage(image));
  }

  remove(image: string): void {
    this.refs.delete(normaliseImage(image));
  }

  list(): string[] {
    return [...this.refs].sort();
  }

  /** pkg/kubelet/images/image_manager.go shouldPullImage, plus the Never branch of EnsureImageExists. */
  needsPull(policy: PullPolicy, image: string): PullDecision {
    const present = this.has(image);
    if (policy === 'Always') return { pull: true };
    if (present) return { pull: false, present: true };
    if (policy === 'IfNotPresent') return { pull: true };
    return { pull: false, present: false, reason: 'ErrImageNeverPull', message: imageNeverPullMessage(image) };
  }
}

/** The default pull policy (core/v1 defaulting): Always for `:latest` or no tag, else IfNotPresent. */
export function defaultPullPolicy(image: string): PullPolicy {
  const parsed = parseImageRef(image);
  if (!parsed.ok) return 'IfNotPresent';
  if (parsed.image.digest) return 'IfNotPresent';
  return parsed.image.tag === DEFAULT_TAG ? 'Always' : 'IfNotPresent';
}

// ---------------------------------------------------------------------------------------------
// Event messages (pkg/kubelet/images/image_manager.go)
// ---------------------------------------------------------------------------------------------

/** Go's time.Duration.String() for whole milliseconds: 500ms, 1.387s, 1m2.5s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

export function pullingImageMessage(image: string): string {
  return `Pulling image "${image}"`;
}

export function pulledImageMessage(image: string, durationMs: number, sizeBytes: number, waitingMs = durationMs): string {
  return `Successfully pulled image "${image}" in ${formatGoDuration(durationMs)} (${formatGoDuration(waitingMs)} including waiting). Image size: ${sizeBytes} bytes.`;
}

export function alreadyPresentMessage(image: string): string {
  return `Container image "${image}" already present on machine`;
}

export function imageNeverPullMessage(image: string): string {
  return `Container image "${image}" is not present with pull policy of Never`;
}

/** The CRI error as the kubelet sees it over gRPC: `rpc error: code = NotFound desc = …`. */
export function criPullError(result: { message: string; code?: string }): string {
  return `rpc error: code = ${result.code ?? 'Unknown'} desc = ${result.message}`;
}

/** The kubelet's Warning/Failed event for a failed pull: `Failed to pull image "X": rpc error: …`. */
export function failedToPullMessage(image: string, result: { message: string; code?: string }): string {
  return `Failed to pull image "${image}": ${criPullError(result)}`;
}

/** The Warning/Failed event that follows: `Error: ErrImagePull`, `Error: ImagePullBackOff`. */
export function pullErrorEventMessage(reason: 'ErrImagePull' | 'ImagePullBackOff' | 'InvalidImageName' | 'ErrImageNeverPull'): string {
  return `Error: ${reason}`;
}

export function backOffPullingMessage(image: string): string {
  return `Back-off pulling image "${image}"`;
}
