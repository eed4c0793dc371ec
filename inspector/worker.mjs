// The recorder worker's entry: registers tsx (scenarios are TypeScript), then runs worker-main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
