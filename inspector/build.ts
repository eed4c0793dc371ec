// `npm run prepare` (run by npm install and npm ci): builds the inspector page's bundle into
// inspector/dist/ (ignored by git and ESLint). Without esbuild (a production install) the server
// reports how to build it when the page is first asked for.
import { buildBundle } from './assets.ts';

try {
  const path = await buildBundle(true);
  console.log(`inspector page built: ${path}`);
} catch (e) {
  console.warn(`inspector page not built: ${e instanceof Error ? e.message : String(e)}`);
}
