// Bare Fastify: the same routes, JSON body parsing and JSON responses of the same size as threadstore's,
// with no validation, storage, logging or logic. Answers canned objects captured from the real server.
// Usage: node bench/baseline-server.mjs <canned.json> (prints the port it listens on).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const canned = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = Fastify({ logger: false });

for (const prefix of ['/v1', '']) {
  app.post(`${prefix}/threads/:thread_id/messages`, async () => canned.create);
  app.get(`${prefix}/threads/:thread_id/messages`, async () => canned.list);
  app.get(`${prefix}/threads/:thread_id/messages/:message_id`, async () => canned.retrieve);
  app.post(`${prefix}/threads/:thread_id/messages/:message_id`, async () => canned.update);
  app.delete(`${prefix}/threads/:thread_id/messages/:message_id`, async (request) => ({
    id: request.params.message_id,
    object: 'thread.message.deleted',
    deleted: true,
  }));
}
app.get('/health', async () => ({ status: 'ok' }));

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(address);
