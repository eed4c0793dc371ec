import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManifestError, loadManifests, parseManifests } from '../cluster/manifests.ts';

function manifestErrorOf(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error('expected a ManifestError');
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubesim-manifests-'));
}

const DEPLOYMENT = `# nginx, from the Deployments concept page
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment   # trailing comment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`;

describe('parsing manifests as kubectl -f does', () => {
  it('a multi-document file yields each object with its document number and start line', () => {
    // K:staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go (StreamVisitor: one object per YAML document)
    const docs = parseManifests(`${DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\n`, 'app.yaml');
    expect(docs.map((d) => [d.object.kind, d.index, d.line, d.source])).toEqual([
      ['Deployment', 0, 2, 'app.yaml'],
      ['Service', 1, 24, 'app.yaml'],
    ]);
  });

  it('image tags and versions stay strings, numbers stay numbers, comments are ignored', () => {
    // D:concepts/workloads/controllers/deployment (nginx:1.14.2 example); go-yaml v2 scalar resolution
    const [doc] = parseManifests(DEPLOYMENT);
    const spec = doc.object.spec;
    expect(spec.replicas).toBe(3);
    expect(spec.template.spec.containers[0].image).toBe('nginx:1.14.2');
    expect(spec.template.spec.containers[0].ports[0].containerPort).toBe(80);
    const [cm] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {version: 1.14.2, tag: nginx:1.16, quoted: "3"}\n');
    expect(cm.object.data).toEqual({ version: '1.14.2', tag: 'nginx:1.16', quoted: '3' });
  });

  it('flow style with trailing commas parses', () => {
    // YAML 1.2 §7.4 flow collections (a trailing comma is allowed); kubectl would take a leading `{` as JSON
    const [doc] = parseManifests('{apiVersion: v1, kind: Pod, metadata: {name: p, labels: {app: web, },}, spec: {containers: [{name: c, image: busybox}, ], }, }\n');
    expect(doc.object.metadata.labels).toEqual({ app: 'web' });
    expect(doc.object.spec.containers).toEqual([{ name: 'c', image: 'busybox' }]);
  });

  it('JSON, including several concatenated JSON objects, is read as a stream', () => {
    // K:staging/src/k8s.io/apimachinery/pkg/util/yaml/decoder.go (YAMLOrJSONDecoder JSON mode)
    const docs = parseManifests('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}\n{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}\n', 'ns.json');
    expect(docs.map((d) => [d.object.metadata.name, d.index, d.line])).toEqual([['a', 0, 1], ['b', 1, 2]]);
  });

  it('a kind: List is expanded into its items and empty documents are skipped', () => {
    // K:cli-runtime/pkg/resource/visitor.go (FlattenListVisitor; empty documents skipped by StreamVisitor)
    const text = '---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: one}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: two}\n---\n';
    const docs = parseManifests(text);
    expect(docs.map((d) => [d.object.kind, d.object.metadata.name, d.index])).toEqual([['ConfigMap', 'one', 1], ['Secret', 'two', 1]]);
  });

  it('a YAML syntax error names the file, the document and the line', () => {
    // K:cli-runtime/pkg/resource/visitor.go (`error parsing <source>: ...`)
    const err = manifestErrorOf(() => parseManifests('apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n', 'deploy.yaml'));
    expect(err.file).toBe('deploy.yaml');
    expect(err.document).toBe(2);
    expect(err.line).toBeGreaterThanOrEqual(7);
    expect(err.message).toMatch(/^error parsing deploy\.yaml: document 2 \(line \d+\): error converting YAML to JSON: yaml: line \d+: /);
  });

  it('a document without apiVersion and kind fails validation with kubectl\'s words', () => {
    // K:kubectl/pkg/validation (getObjectKind: apiVersion not set, kind not set)
    const err = manifestErrorOf(() => parseManifests('resources:\n- deployment.yaml\n', 'kustomization.yaml'));
    expect(err.message).toBe('error validating "kustomization.yaml": document 1 (line 1): error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false');
    expect(manifestErrorOf(() => parseManifests('apiVersion: v1\nmetadata: {}\n')).message).toContain('error validating data: kind not set;');
  });
});

describe('loading manifest files and directories', () => {
  it('a directory is read non-recursively, its .yaml/.yml/.json files sorted by name', () => {
    // K:cli-runtime/pkg/resource/visitor.go (ExpandPathsToFileVisitors, FileExtensions, filepath.Walk order)
    const dir = tempDir();
    writeFileSync(join(dir, 'b-service.yml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: b}\n');
    writeFileSync(join(dir, 'a-deploy.yaml'), DEPLOYMENT);
    writeFileSync(join(dir, 'c-ns.json'), '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "c"}}');
    writeFileSync(join(dir, 'README.md'), '# not a manifest');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'x.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: nested}\n');
    const docs = loadManifests([dir]);
    expect(docs.map((d) => d.object.metadata.name)).toEqual(['nginx-deployment', 'b', 'c']);
    expect(docs[1].source).toBe(join(dir, 'b-service.yml'));
  });

  it('an explicit file is read whatever its extension, after the paths before it', () => {
    // K:cli-runtime/pkg/resource/visitor.go (extension only checked when walking a directory)
    const dir = tempDir();
    const file = join(dir, 'pod.txt');
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    writeFileSync(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n');
    expect(loadManifests([file, join(dir, 'ns.yaml')]).map((d) => d.object.kind)).toEqual(['Pod', 'Namespace']);
  });

  it('a missing path gives kubectl\'s `the path "x" does not exist`', () => {
    // K:cli-runtime/pkg/resource/visitor.go (ExpandPathsToFileVisitors)
    const missing = join(tempDir(), 'nope.yaml');
    expect(manifestErrorOf(() => loadManifests([missing])).message).toBe(`the path "${missing}" does not exist`);
  });

  it('an error in a file of a directory names that file', () => {
    // K:cli-runtime/pkg/resource/visitor.go (error parsing <source>)
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n');
    writeFileSync(join(dir, 'zz-bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n   bad: indent\n');
    const err = manifestErrorOf(() => loadManifests([dir]));
    expect(err.file).toBe(join(dir, 'zz-bad.yaml'));
    expect(err.message.startsWith(`error parsing ${join(dir, 'zz-bad.yaml')}: document 1 (line `)).toBe(true);
  });
});
