/** `npm run openapi`: writes openapi.yaml at the top of the repository from the route schemas (of the build). */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { renderDocument } from '../dist/openapi/render-document.js';

const app = await buildApp(loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }));
await app.ready();
const target = new URL('../openapi.yaml', import.meta.url);
writeFileSync(target, renderDocument(app));
await app.close();
console.log(`wrote ${target.pathname}`);
