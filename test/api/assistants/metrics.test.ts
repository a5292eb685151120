import { afterEach, expect, test, vi } from 'vitest';
import { METRICS_COUNT_TTL_MS } from '../../../src/plugins/metrics.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

const ACME = 'sk-acme-0123456789abcdefWXYZ';
const GLOBEX = 'sk-globex-9876543210zyxwvuts';

let t: TestApp;
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

async function gauge(): Promise<number | undefined> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ACME}` } });
  expect(res.statusCode).toBe(200);
  const line = res.body.split('\n').find((l) => l.startsWith('threadstore_assistants '));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

test('threadstore_assistants gauges the assistants stored, across tenants, deleted ones gone', async () => {
  t = await buildTestApp({ API_KEYS: `acme:${ACME},globex:${GLOBEX}` });
  expect(await gauge()).toBe(0);
  const create = (key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/assistants',
      headers: { authorization: `Bearer ${key}` },
      payload: { model: 'm' },
    });
  const first = (await create(ACME)).json();
  await create(ACME);
  await create(GLOBEX);
  await t.app.inject({
    method: 'DELETE',
    url: `/v1/assistants/${first.id}`,
    headers: { authorization: `Bearer ${ACME}` },
  });
  expect(await t.app.store.stats()).toEqual({ threads: 0, messages: 0, assistants: 2 });
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + METRICS_COUNT_TTL_MS + 1);
  expect(await gauge()).toBe(2);
});
