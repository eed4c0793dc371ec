// A small kubectl inside the simulation: the commands a person types between two waits
// (`kubesim apply -f app.yaml --for 1m --kubectl 'set image deployment/web web=nginx:1.16.1'`).
// Output and errors are kubectl's words.
import { stringify } from 'yaml';
import { qualifiedResource, type Cluster } from './cluster.ts';
import { isStatusError } from '../api/errors.ts';
import { printTable } from '../cli/printers.ts';
import { parseDuration } from './duration.ts';
import type { RolloutAction } from './rollout.ts';

/** Splits a command line like a shell would (quotes, backslashes). */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (ch === '\\' && i + 1 < line.length) cur += line[++i];
    else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  if (cur || any) out.push(cur);
  return out;
}

interface Parsed {
  args: string[];
  flags: Map<string, string>;
}

/** kubectl-style flags: --name=value, --name value, -n value, -o value, boolean --flag. */
function parse(argv: string[]): Parsed {
  const args: string[] = [];
  const flags = new Map<string, string>();
  const short: Record<string, string> = { n: 'namespace', o: 'output', l: 'selector', p: 'patch', f: 'filename', c: 'container' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--?([A-Za-z][\w-]*)(=(.*))?$/.exec(a);
    if (!m) {
      args.push(a);
      continue;
    }
    const name = short[m[1]] ?? m[1];
    if (m[3] !== undefined) flags.set(name, m[3]);
    else if (['namespace', 'output', 'selector', 'patch', 'filename', 'type', 'replicas', 'to-revision', 'revision', 'timeout', 'grace-period', 'container', 'tail', 'since'].includes(name) && i + 1 < argv.length) flags.set(name, argv[++i]);
    else flags.set(name, 'true');
  }
  return { args, flags };
}

/** `deployment/web` or `deployment web`: the kind and name. */
function target(p: Parsed, at = 0): { resource: string; name: string } {
  const first = p.args[at];
  if (!first) throw new Error('error: you must specify the type of resource and a name');
  if (first.includes('/')) {
    const [resource, name] = first.split('/');
    return { resource, name };
  }
  const name = p.args[at + 1];
  if (!name) throw new Error(`error: resource name may not be empty`);
  return { resource: first, name };
}

function ns(p: Parsed): string | undefined {
  return p.flags.get('namespace');
}

function qualifiedRef(cluster: Cluster, resource: string, name: string): string {
  const info = cluster.resource(resource);
  return `${info.kind.toLowerCase()}${info.group ? `.${info.group}` : ''}/${name}`;
}

/** Runs one kubectl command line against the cluster; returns what kubectl prints. */
export async function runKubectl(cluster: Cluster, line: string): Promise<string> {
  const argv = splitCommandLine(line);
  if (argv[0] === 'kubectl') argv.shift();
  const [verb, ...rest] = argv;
  const p = parse(rest);
  try {
    switch (verb) {
      case 'get': return get(cluster, p);
      case 'describe': return describe(cluster, p);
      case 'logs': return logs(cluster, p);
      case 'exec': return exec(cluster, rest);
      case 'scale': return scale(cluster, p);
      case 'set': return setImage(cluster, p);
      case 'delete': return del(cluster, p);
      case 'patch': return patch(cluster, p);
      case 'label': case 'annotate': return labelOrAnnotate(cluster, verb, p);
      case 'apply': return (await cluster.apply(p.flags.get('filename') ?? '')).map((o) => `${o.ref} ${o.action}`).join('\n');
      case 'cordon': return cluster.cordon(p.args[0]);
      case 'uncordon': return cluster.uncordon(p.args[0]);
      case 'drain': return await cluster.drain(p.args[0], {
        ignoreDaemonSets: p.flags.has('ignore-daemonsets'), deleteEmptyDirData: p.flags.has('delete-emptydir-data'),
        force: p.flags.has('force'), timeout: p.flags.get('timeout'),
        gracePeriodSeconds: p.flags.has('grace-period') ? Number(p.flags.get('grace-period')) : undefined,
      });
      case 'rollout': {
        const [action, ...more] = p.args;
        const t = target({ args: more, flags: p.flags });
        return await cluster.rollout(action as RolloutAction, `${t.resource}/${t.name}`, {
          namespace: ns(p), toRevision: p.flags.has('to-revision') ? Number(p.flags.get('to-revision')) : undefined,
          revision: p.flags.has('revision') ? Number(p.flags.get('revision')) : undefined, timeout: p.flags.get('timeout'),
        });
      }
      default: throw new Error(`error: unknown command "${verb}" for "kubectl" (kubesim supports: get, describe, logs, exec, apply, scale, set image, delete, patch, label, annotate, cordon, uncordon, drain, rollout)`);
    }
  } catch (e) {
    if (isStatusError(e)) throw new Error(`Error from server (${e.status.reason}): ${e.message}`);
    throw e;
  }
}

/**
 * `exec POD [-c CONTAINER] [-n NS] -- COMMAND ARGS...`: what the command wrote; a non-zero exit is
 * kubectl's "command terminated with exit code N".
 */
function exec(cluster: Cluster, argv: string[]): string {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) throw new Error('error: you must specify at least one command for the container');
  const p = parse(argv.slice(0, dash).filter((a) => a !== '-it' && a !== '-i' && a !== '-t' && a !== '--stdin' && a !== '--tty'));
  const pod = p.args[0]?.replace(/^pods?\//, '');
  if (!pod) throw new Error('error: expected \'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]\'.\nPOD_NAME and COMMAND are required arguments for the exec command');
  const r = cluster.exec(pod, argv.slice(dash + 1), { container: p.flags.get('container'), namespace: ns(p) });
  const out = [...r.notes, r.output.replace(/\n$/, '')].filter((x) => x !== '').join('\n');
  if (r.code !== 0) throw new Error(`${out ? `${out}\n` : ''}command terminated with exit code ${r.code}`);
  return out;
}

/** `logs POD|TYPE/NAME [-c CONTAINER] [--previous] [--tail N] [--timestamps] [--since 5m]`; kubectl's stderr notes come first. */
function logs(cluster: Cluster, p: Parsed): string {
  const target = p.args[0];
  if (!target) throw new Error('error: expected POD or TYPE/NAME is a required argument for the logs command');
  const since = p.flags.get('since');
  const r = cluster.podLogs(target, {
    namespace: ns(p), container: p.flags.get('container') ?? p.args[1], previous: p.flags.has('previous'),
    tail: p.flags.has('tail') ? Number(p.flags.get('tail')) : undefined, timestamps: p.flags.has('timestamps'),
    sinceSeconds: since !== undefined ? parseDuration(since) / 1000 : undefined,
  });
  return [...r.notes, r.text.replace(/\n$/, '')].filter((x) => x !== '').join('\n');
}

function get(cluster: Cluster, p: Parsed): string {
  const [resource, name] = p.args[0]?.includes('/') ? p.args[0].split('/') : [p.args[0], p.args[1]];
  if (!resource) throw new Error('error: you must specify the type of resource to get');
  const objects = name ? [cluster.get(resource, name, ns(p))] : cluster.list(resource, { namespace: p.flags.has('all-namespaces') ? undefined : ns(p) ?? 'default', labelSelector: p.flags.get('selector') });
  const out = p.flags.get('output');
  if (out !== undefined && !['yaml', 'json', 'wide', 'name'].includes(out)) {
    throw new Error(`error: unable to match a printer suitable for the output format "${out}", allowed formats are: json,name,wide,yaml`);
  }
  if (out === 'name') return objects.map((o) => qualifiedRef(cluster, resource, o.metadata.name!)).join('\n');
  if (out === 'yaml') return stringify(name ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } }).trimEnd();
  if (out === 'json') return JSON.stringify(name ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 4);
  if (objects.length === 0) return `No resources found in ${ns(p) ?? 'default'} namespace.`;
  return printTable(objects, { nowMs: cluster.now(), epochMs: cluster.epoch, withNamespace: p.flags.has('all-namespaces'), wide: out === 'wide' }).trimEnd();
}

/**
 * `describe pod NAME`, `describe node/NAME`, `describe rs NAME -n NS`, `describe deployments` (the
 * namespace's objects, or those -l selects; every node). As kubectl's DescribeMatchingResources, a
 * `TYPE NAME` that names no object describes those whose names start with NAME. Several objects are
 * separated as kubectl separates them. Pods, nodes, ReplicaSets and Deployments only.
 */
function describe(cluster: Cluster, p: Parsed): string {
  const [first, ...names] = p.args;
  if (!first) throw new Error('error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.');
  const namespace = ns(p);
  let texts: string[];
  if (first.includes('/')) {
    texts = p.args.map((arg) => {
      const [resource, name] = arg.split('/');
      return cluster.describe(resource, name, namespace);
    });
  } else if (names.length === 1) {
    return describeOneOrMatching(cluster, first, names[0], namespace);
  } else if (names.length > 1) {
    texts = names.map((name) => cluster.describe(first, name, namespace));
  } else {
    const info = cluster.resource(first);
    if (!['Pod', 'Node', 'ReplicaSet', 'Deployment'].includes(info.kind)) {
      throw new Error(`error: kubesim describes pods, nodes, replicasets and deployments only, not ${qualifiedResource(info)}`);
    }
    const objects = cluster.list(first, { namespace: namespace ?? 'default', labelSelector: p.flags.get('selector') });
    if (objects.length === 0) return info.namespaced ? `No resources found in ${namespace ?? 'default'} namespace.` : 'No resources found';
    texts = objects.map((o) => cluster.describe(first, o.metadata.name!, namespace));
  }
  return withoutFinalNewline(texts.join('\n\n'));
}

/** One name; when no object has it, every object whose name starts with it, each followed by a blank line. */
function describeOneOrMatching(cluster: Cluster, resource: string, name: string, namespace: string | undefined): string {
  try {
    return withoutFinalNewline(cluster.describe(resource, name, namespace));
  } catch (e) {
    if (!isStatusError(e) || e.code !== 404) throw e;
    const matches = cluster.list(resource, { namespace: namespace ?? 'default' }).filter((o) => o.metadata.name!.startsWith(name));
    if (matches.length === 0) throw e;
    return withoutFinalNewline(matches.map((o) => `${cluster.describe(resource, o.metadata.name!, namespace)}\n`).join(''));
  }
}

/** kubectl's output less its last line break, which the caller prints. */
function withoutFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function scale(cluster: Cluster, p: Parsed): string {
  const t = target(p);
  const replicas = Number(p.flags.get('replicas'));
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  cluster.patch(t.resource, t.name, { spec: { replicas } }, { type: 'merge', subresource: 'scale', namespace: ns(p) });
  return `${qualifiedRef(cluster, t.resource, t.name)} scaled`;
}

/** `set image deployment/web web=nginx:1.16.1 [other=img]`. */
function setImage(cluster: Cluster, p: Parsed): string {
  if (p.args[0] !== 'image') throw new Error(`error: unknown command "set ${p.args[0]}"`);
  const t = target(p, 1);
  const pairs = p.args.slice(t.resource && p.args[1].includes('/') ? 2 : 3).map((a) => a.split('='));
  const obj = cluster.get(t.resource, t.name, ns(p));
  const podSpec = obj.kind === 'Pod' ? obj.spec : obj.kind === 'CronJob' ? obj.spec.jobTemplate.spec.template.spec : obj.spec.template.spec;
  const containers = [...(podSpec.initContainers ?? []), ...podSpec.containers];
  for (const [name, image] of pairs) {
    const matched = name === '*' ? containers : containers.filter((c: any) => c.name === name);
    if (matched.length === 0) throw new Error(`error: unable to find container named "${name}"`);
    for (const c of matched) c.image = image;
  }
  cluster.update(obj);
  return `${qualifiedRef(cluster, t.resource, t.name)} image updated`;
}

function del(cluster: Cluster, p: Parsed): string {
  const t = target(p);
  const cascade = p.flags.get('cascade');
  const propagationPolicy = cascade === 'orphan' ? 'Orphan' : cascade === 'foreground' ? 'Foreground' : 'Background';
  const grace = p.flags.has('grace-period') ? Number(p.flags.get('grace-period')) : undefined;
  cluster.delete(t.resource, t.name, { namespace: ns(p), propagationPolicy, gracePeriodSeconds: grace });
  return `${cluster.resource(t.resource).kind.toLowerCase()} "${t.name}" deleted`;
}

function patch(cluster: Cluster, p: Parsed): string {
  const t = target(p);
  const type = (p.flags.get('type') ?? 'strategic') as 'merge' | 'json' | 'strategic';
  const before = cluster.get(t.resource, t.name, ns(p)).metadata.resourceVersion;
  const after = cluster.patch(t.resource, t.name, JSON.parse(p.flags.get('patch') ?? '{}'), { type, namespace: ns(p) });
  return `${qualifiedRef(cluster, t.resource, t.name)} ${after.metadata.resourceVersion === before ? 'patched (no change)' : 'patched'}`;
}

function labelOrAnnotate(cluster: Cluster, verb: 'label' | 'annotate', p: Parsed): string {
  const t = target(p);
  const pairs = p.args.slice(p.args[0].includes('/') ? 1 : 2);
  const values: Record<string, string | null> = {};
  for (const kv of pairs) {
    if (kv.endsWith('-')) values[kv.slice(0, -1)] = null;
    else {
      const [k, v] = kv.split('=');
      values[k] = v ?? '';
    }
  }
  const field = verb === 'label' ? 'labels' : 'annotations';
  cluster.patch(t.resource, t.name, { metadata: { [field]: values } }, { type: 'merge', namespace: ns(p) });
  return `${qualifiedRef(cluster, t.resource, t.name)} ${verb === 'label' ? 'labeled' : 'annotated'}`;
}
