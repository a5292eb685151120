import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { storeOverloaded } from '../errors.js';

/**
 * PostgreSQL: while the database is slow, requests wait for a connection holding their bodies. A request
 * is refused with 503 before its body is read when the pool's wait queue is full, or when its
 * Content-Length would take the bodies of the requests in flight past `maxPendingBytes` (one request is
 * always let in, so a body under BODY_LIMIT can always be sent). `/health` is never refused.
 */
async function backPressure(app: FastifyInstance, options: { maxPendingBytes: number }) {
  const saturated = () => app.store.saturated?.() ?? false;
  let pendingBytes = 0;
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url === '/health') return done();
    if (saturated()) return done(storeOverloaded());
    const bytes = Number(request.headers['content-length']) || 0;
    if (bytes === 0) return done();
    if (pendingBytes > 0 && pendingBytes + bytes > options.maxPendingBytes) return done(storeOverloaded());
    pendingBytes += bytes;
    // 'close' comes once, whether the response was sent or the client went away.
    reply.raw.once('close', () => (pendingBytes -= bytes));
    done();
  });
}

export default fp(backPressure, { name: 'back-pressure', dependencies: ['store'] });
