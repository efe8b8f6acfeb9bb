// Worker bootstrap: worker threads do not inherit the TypeScript loader, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
