import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { itemViews } from '../views/response-json.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
  }
}

/** Opens the configured store once per app and closes it with the app. */
async function storePlugin(app: FastifyInstance, options: { database: Config['database'] }) {
  const store = await openStore(options.database, itemViews, app.log);
  app.decorate('store', store);
  app.addHook('onClose', async () => store.close());
}

export default fp(storePlugin, { name: 'store' });
