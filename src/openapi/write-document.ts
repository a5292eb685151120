/** `npm run openapi`: writes openapi.yaml at the top of the repository from the route schemas. */
import { writeFileSync } from 'node:fs';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { renderDocument } from './render-document.js';

const app = await buildApp(loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }));
await app.ready();
const target = new URL('../../openapi.yaml', import.meta.url);
writeFileSync(target, renderDocument(app));
await app.close();
console.log(`wrote ${target.pathname}`);
