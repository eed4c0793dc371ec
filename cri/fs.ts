// A container's file system as its processes see it: the image's private root (writable layer)
// plus the pod's volume mounts, resolved by longest mount-path prefix like the kernel's mount
// table. emptyDir and PV contents are shared `VolumeStore`s, so two containers mounting the same
// volume see each other's files. Paths only: no inodes, permissions or symlinks.
import type { VolumeStore } from './types.ts';

export type FsError = 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'EROFS';

/** Directories every image's root has (so `touch /tmp/healthy` works without a mkdir). */
const ROOT_DIRS = new Set([
  '', 'bin', 'dev', 'etc', 'home', 'lib', 'mnt', 'opt', 'proc', 'root', 'run', 'sbin', 'srv', 'sys', 'tmp',
  'usr', 'usr/bin', 'usr/lib', 'usr/local', 'usr/local/bin', 'usr/sbin', 'usr/share', 'var', 'var/lib', 'var/log',
  'var/run', 'var/tmp', 'var/cache',
]);

interface Mount {
  path: string;
  store: VolumeStore;
  readOnly: boolean;
}

interface Located {
  store: VolumeStore | undefined;
  key: string;
  readOnly: boolean;
  mount: Mount | undefined;
}

/** Resolves `.`, `..` and repeated slashes against `cwd`; always absolute, no trailing slash. */
export function normalisePath(path: string, cwd = '/'): string {
  if (path.startsWith('/') && !path.includes('//') && !path.includes('/.') && !path.endsWith('/')) return path;
  const full = path.startsWith('/') ? path : `${cwd}/${path}`;
  const out: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export function newVolumeStore(): VolumeStore {
  return { files: new Map() };
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseName(path: string): string {
  const p = path.replace(/\/+$/, '');
  return p.slice(p.lastIndexOf('/') + 1) || '/';
}

/** One container's view of its files. The private root store is created on first write. */
export class ContainerFs {
  private readonly mounts: Mount[];
  private rootStore: VolumeStore | undefined;

  constructor(mounts: Array<{ path: string; store: VolumeStore; readOnly?: boolean }> = [], root?: VolumeStore) {
    this.mounts = mounts
      .map((m) => ({ path: normalisePath(m.path), store: m.store, readOnly: m.readOnly ?? false }))
      .sort((a, b) => b.path.length - a.path.length);
    this.rootStore = root;
  }

  /** The private root (the container's writable layer). */
  get root(): VolumeStore {
    this.rootStore ??= newVolumeStore();
    return this.rootStore;
  }

  /** The mount a path lives on (longest prefix) and its key inside that store. */
  locate(path: string): Located {
    const p = normalisePath(path);
    for (const m of this.mounts) {
      if (p === m.path) return { store: m.store, key: '', readOnly: m.readOnly, mount: m };
      if (m.path === '/' || p.startsWith(`${m.path}/`)) {
        const key = m.path === '/' ? p.slice(1) : p.slice(m.path.length + 1);
        return { store: m.store, key, readOnly: m.readOnly, mount: m };
      }
    }
    return { store: this.rootStore, key: p.slice(1), readOnly: false, mount: undefined };
  }

  readFile(path: string): string | undefined {
    const { store, key } = this.locate(path);
    return store?.files.get(key);
  }

  isFile(path: string): boolean {
    return this.readFile(path) !== undefined;
  }

  isDir(path: string): boolean {
    const p = normalisePath(path);
    const below = p === '/' ? '/' : `${p}/`;
    for (const m of this.mounts) if (m.path === p || m.path.startsWith(below)) return true;
    const { store, key, mount } = this.locate(p);
    if (key === '' || (!mount && ROOT_DIRS.has(key))) return true;
    if (!store) return false;
    if (store.files.has(`${key}/`)) return true;
    const prefix = `${key}/`;
    for (const k of store.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  exists(path: string): boolean {
    return this.isFile(path) || this.isDir(path);
  }

  writeFile(path: string, data: string, append = false): FsError | undefined {
    const p = normalisePath(path);
    if (this.isDir(p)) return 'EISDIR';
    const parent = parentOf(p);
    if (!this.isDir(parent)) return this.isFile(parent) ? 'ENOTDIR' : 'ENOENT';
    const loc = this.locate(p);
    if (loc.readOnly) return 'EROFS';
    const store = loc.store ?? this.root;
    store.files.set(loc.key, append ? (store.files.get(loc.key) ?? '') + data : data);
    return undefined;
  }

  mkdir(path: string, parents = false): FsError | undefined {
    const p = normalisePath(path);
    if (this.isDir(p)) return parents ? undefined : 'EEXIST';
    if (this.isFile(p)) return 'EEXIST';
    const parent = parentOf(p);
    if (!this.isDir(parent)) {
      if (!parents) return 'ENOENT';
      const err = this.mkdir(parent, true);
      if (err) return err;
    }
    const loc = this.locate(p);
    if (loc.readOnly) return 'EROFS';
    (loc.store ?? this.root).files.set(`${loc.key}/`, '');
    return undefined;
  }

  remove(path: string, recursive = false): FsError | undefined {
    const p = normalisePath(path);
    const loc = this.locate(p);
    if (this.isFile(p)) {
      if (loc.readOnly) return 'EROFS';
      loc.store?.files.delete(loc.key);
      return undefined;
    }
    if (!this.isDir(p)) return 'ENOENT';
    if (!recursive) return 'EISDIR';
    if (loc.readOnly) return 'EROFS';
    const store = loc.store;
    if (!store) return undefined;
    const prefix = loc.key === '' ? '' : `${loc.key}/`;
    for (const k of [...store.files.keys()]) if (k.startsWith(prefix)) store.files.delete(k);
    return undefined;
  }

  /** Names directly inside a directory, sorted (files, subdirectories and mount points). */
  list(path: string): string[] | undefined {
    const p = normalisePath(path);
    if (!this.isDir(p)) return this.isFile(p) ? [baseName(p)] : undefined;
    const names = new Set<string>();
    const loc = this.locate(p);
    const prefix = loc.key === '' ? '' : `${loc.key}/`;
    for (const k of loc.store?.files.keys() ?? []) {
      if (!k.startsWith(prefix) || k === prefix) continue;
      names.add(k.slice(prefix.length).split('/')[0]);
    }
    if (!loc.mount) {
      for (const d of ROOT_DIRS) if (d !== loc.key && d.startsWith(prefix)) names.add(d.slice(prefix.length).split('/')[0]);
    }
    const dirPrefix = p === '/' ? '/' : `${p}/`;
    for (const m of this.mounts) if (m.path.startsWith(dirPrefix)) names.add(m.path.slice(dirPrefix.length).split('/')[0]);
    names.delete('');
    return [...names].sort();
  }
}
