import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { storeBusy } from '../errors.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** Opens the configured store once per app and closes it with the app. */
export default fp(async function storePlugin(app: FastifyInstance, options: { database: Config['database'] }) {
  const store = await openStore(options.database, app.log);
  app.decorate('store', store);
  app.addHook('onClose', async () => store.close());
  if (store.saturated === undefined) return;
  const saturated = store.saturated.bind(store);
  // While the database's wait queue is full, a request is refused before its body is read.
  app.addHook('onRequest', (request, _reply, done) => {
    done(saturated() && request.routeOptions.url !== '/health' ? storeBusy() : undefined);
  });
});
