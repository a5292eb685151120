import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStore } from '../../../src/http/error-handler.js';
import { StoreCannotWrite } from '../../../src/store/store-errors.js';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/types.js';
import { createOne, userMessage } from '../../helpers/store-items.js';
import { mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';
import { itemViews } from '../../../src/views/response-json.js';

const mounted = mountTmpfs(8 * 1024 * 1024);
const skip = typeof mounted === 'string' ? mounted : undefined;

describe.skipIf(skip !== undefined)(`SQLite store on a full disk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tmpfs = mounted as Tmpfs;
  const dbPath = join(tmpfs.dir ?? '', 'threadstore.db');
  let store: Store;
  beforeAll(() => {
    store = openSqliteStore({ path: dbPath, views: itemViews });
  });
  afterAll(async () => {
    await store.close();
    tmpfs.unmount();
  });

  it('fails only the write that does not fit, with a 503 to retry, and commits the others of its batch', async () => {
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    tmpfs.fill(256 * 1024);
    // One turn of the event loop: one batch, whose commit cannot fit the first write.
    const big = createOne(store, thread.id, userMessage('x'.repeat(2 * 1024 * 1024)));
    const small = [1, 2, 3].map((i) => createOne(store, thread.id, userMessage(`small ${i}`)));
    const [bigOutcome, ...smallOutcomes] = await Promise.allSettled([big, ...small]);

    expect(bigOutcome.status).toBe('rejected');
    const refused = (bigOutcome as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(StoreCannotWrite);
    const error = fromStore(refused, false)!;
    expect(error.statusCode).toBe(503);
    expect(error.headers).toEqual({ 'x-should-retry': 'true' });
    expect(error.toBody()).toEqual({
      error: {
        message: 'The server cannot store changes right now: its disk is full. Nothing was stored; please retry later.',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    expect(smallOutcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await store.threads.get('', thread.id)).toEqual(thread);
    const page = await store.items.list('', thread.id, { limit: 100, order: 'asc', view: 'all' });
    expect(page!.data.map((m) => m.content[0]!.text!.value)).toEqual(['small 1', 'small 2', 'small 3']);

    tmpfs.free();
    const later = await createOne(store, thread.id, userMessage('y'.repeat(2 * 1024 * 1024)));
    expect(later!.content[0]!.text!.value).toHaveLength(2 * 1024 * 1024);
  });
});
