// `npm run build && node bench/postgres-round-trips.mjs`: how many statements (each one round trip to
// PostgreSQL) each request of the benchmark's cases makes, counted at pg's Client#query on a throwaway
// cluster (or BENCH_DATABASE_URL's server). A transaction's BEGIN and COMMIT count as the statements they are.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { startPostgresCluster } from './postgres-cluster.mjs';

const cluster = process.env.BENCH_DATABASE_URL ? { url: process.env.BENCH_DATABASE_URL } : await startPostgresCluster();
const name = `threadstore_round_trips_${randomBytes(4).toString('hex')}`;
const admin = async (sql) => {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query(sql);
  await client.end();
};
await admin(`CREATE DATABASE ${name}`);
const url = new URL(cluster.url);
url.pathname = `/${name}`;

let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (...args) {
  statements++;
  return query.apply(this, args);
};

const app = await buildApp(loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' }), { logger: false });
try {
  const call = async (method, path, payload) => {
    const response = await app.inject({ method, url: path, payload });
    if (response.statusCode !== 200) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const thread = await call('POST', '/v1/threads', {});
  const other = await call('POST', '/v1/threads', {});
  const ids = [];
  for (let i = 0; i < 50; i++) {
    ids.push((await call('POST', `/v1/threads/${thread.id}/messages`, { role: 'user', content: `m${i}` })).id);
  }
  const body = { role: 'user', content: 'hello', metadata: { source: 'bench' } };
  const cases = [
    ['retrieve', 'GET', `/v1/threads/${thread.id}/messages/${ids[10]}`],
    ['list 20', 'GET', `/v1/threads/${thread.id}/messages?limit=20`],
    ['list 20 after a cursor', 'GET', `/v1/threads/${thread.id}/messages?limit=20&after=${ids[40]}`],
    ['items list 20', 'GET', `/v1/conversations/${thread.id}/items?limit=20`],
    ['update metadata', 'POST', `/v1/threads/${thread.id}/messages/${ids[11]}`, { metadata: { note: 'x' } }],
    ['create message', 'POST', `/v1/threads/${other.id}/messages`, body],
    ['delete', 'DELETE', `/v1/threads/${thread.id}/messages/${ids[12]}`],
  ];
  console.log('| case | statements (round trips) per request |\n| --- | --- |');
  for (const [label, method, path, payload] of cases) {
    const before = statements;
    await call(method, path, payload);
    console.log(`| ${label} | ${statements - before} |`);
  }
} finally {
  await app.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await cluster.destroy?.();
}
