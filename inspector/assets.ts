// The page's assets: the bundle (inspector/web/app.ts and its imports: elkjs, yaml, the model),
// built with esbuild into inspector/dist/ by `npm install`/`npm ci` (the "prepare" script) and
// rebuilt here when a source is newer; the HTML template with the style sheet inlined.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ServerMessage } from './protocol.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BUNDLE = join(HERE, 'dist', 'inspector.js');
const SOURCES = [join(HERE, 'web'), join(HERE, 'model.ts'), join(HERE, 'protocol.ts'), join(HERE, '..', 'actors', 'scheduler', 'explain.ts'), join(HERE, '..', 'api', 'eventutil.ts')];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Builds the bundle when it is missing or older than its sources. */
export async function buildBundle(force = false): Promise<string> {
  if (!force && existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= Math.max(...SOURCES.map(newest))) return BUNDLE;
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    if (existsSync(BUNDLE)) return BUNDLE;
    throw new Error('the inspector page is not built and esbuild is not installed: run npm install');
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  await esbuild.build({
    entryPoints: [join(HERE, 'web', 'app.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020',
    minify: true, outfile: BUNDLE, logLevel: 'silent', legalComments: 'none',
  });
  return BUNDLE;
}

let cached: { js: string; mtime: number } | undefined;

export async function pageScript(): Promise<string> {
  const path = await buildBundle();
  const mtime = statSync(path).mtimeMs;
  if (!cached || cached.mtime !== mtime) cached = { js: readFileSync(path, 'utf8'), mtime };
  return cached.js;
}

/** elkjs's browser build, loaded by the page when it draws its first statechart. */
export function elkScript(): string {
  return readFileSync(createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js'), 'utf8');
}

function template(): string {
  return readFileSync(join(HERE, 'web', 'index.html'), 'utf8').replace('/*STYLE*/', () => readFileSync(join(HERE, 'web', 'style.css'), 'utf8'));
}

/** The page served by the server: the script is loaded from /app.js. */
export function servedPage(): string {
  return template().replace('<!--DATA-->', '').replace('<!--SCRIPT-->', '<script src="app.js"></script>');
}

/** Text safe inside a <script> element. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

/** One self-contained file: the messages and the script inlined; opens from file:// offline. */
export async function exportedPage(messages: ServerMessage[]): Promise<string> {
  const js = await pageScript();
  const data = JSON.stringify(messages).replace(/</g, '\\u003c');
  return template()
    .replace('<!--DATA-->', () => `<script type="application/json" id="kubesim-data">${data}</script>\n<script type="text/plain" id="kubesim-elk">${scriptSafe(elkScript())}</script>`)
    .replace('<!--SCRIPT-->', () => `<script>${scriptSafe(js)}</script>`);
}
