// `npm run prepare` (run by npm install and npm ci): builds the inspector page's bundle.
import { buildBundle } from './assets.ts';

const path = await buildBundle(true);
console.log(`inspector page built: ${path}`);
