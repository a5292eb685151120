import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let threadId: string;
beforeAll(async () => {
  t = await buildTestApp();
  threadId = (await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json().id;
});
afterAll(async () => t.close());

const FORBIDDEN_KEY = {
  error: {
    message:
      "We could not accept the JSON body of your request: keys named '__proto__', or 'constructor' holding 'prototype', are not allowed.",
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_value',
  },
};
const INVALID_JSON = {
  error: {
    message:
      'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
    type: 'invalid_request_error',
    param: null,
    code: null,
  },
};

function post(url: string, raw: string | Buffer) {
  return t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: raw });
}

async function createMessage(body: unknown) {
  const res = await post(`/v1/threads/${threadId}/messages`, JSON.stringify(body));
  expect(res.statusCode, res.body).toBe(200);
  const stored = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages/${res.json().id}` });
  return { created: res.json(), stored: stored.json() };
}

describe('prototype poisoning', () => {
  const bodies = [
    '{"__proto__":{"polluted":"yes"},"metadata":{}}',
    '{"metadata":{"__proto__":{"polluted":"yes"}}}',
    '{"metadata":{"\\u005f_proto__":"x"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"messages":[{"role":"user","content":"x","metadata":{"constructor":{"prototype":{"polluted":"yes"}}}}]}',
  ];
  for (const body of bodies) {
    test(`refused with a clear 400: ${body}`, async () => {
      const res = await post('/v1/threads', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(FORBIDDEN_KEY);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  test("a plain 'constructor' metadata key is only a string and round-trips", async () => {
    const res = await post('/v1/threads', '{"metadata":{"constructor":"x","prototype":"y"}}');
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata).toEqual({ constructor: 'x', prototype: 'y' });
  });
});

describe('odd but valid JSON', () => {
  test('duplicate keys: the last one wins, as in JSON.parse', async () => {
    const res = await post(
      `/v1/threads/${threadId}/messages`,
      '{"role":"user","content":"first","role":"assistant","content":"second"}',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().role).toBe('assistant');
    expect(res.json().content[0].text.value).toBe('second');
  });

  test('lone surrogates round-trip faithfully (escaped in the response JSON)', async () => {
    const text = 'a\ud800b\udfffc';
    const { created, stored } = await createMessage({ role: 'user', content: text, metadata: { k: '\udbff' } });
    expect(created.content[0].text.value).toBe(text);
    expect(stored.content[0].text.value).toBe(text);
    expect(stored.metadata).toEqual({ k: '\udbff' });
    const raw = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages/${created.id}` });
    expect(raw.rawPayload.includes(Buffer.from('\\ud800'))).toBe(true);
  });

  test('NUL bytes round-trip, in text, metadata keys and values', async () => {
    const text = 'before\u0000after\u0000';
    const { stored } = await createMessage({
      role: 'user',
      content: [{ type: 'text', text }],
      metadata: { 'k\u0000': 'v\u0000' },
    });
    expect(stored.content[0].text.value).toBe(text);
    expect(stored.metadata).toEqual({ 'k\u0000': 'v\u0000' });
  });

  test('emoji, astral and combining characters round-trip', async () => {
    const text = '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 👩‍👩‍👧 ﷽';
    const { stored } = await createMessage({ role: 'user', content: text });
    expect(stored.content[0].text.value).toBe(text);
  });
});

describe('hostile shapes', () => {
  test('10,000-deep nesting is a 400, in a known field and in an unknown one', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const inMetadata = await post('/v1/threads', `{"metadata":{"k":${deep(10_000)}}}`);
    expect(inMetadata.statusCode).toBe(400);
    expect(inMetadata.json().error).toEqual({
      message: "Invalid type for 'metadata.k': expected a string, but got an array instead.",
      type: 'invalid_request_error',
      param: 'metadata.k',
      code: 'invalid_type',
    });
    const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const unknown = await post('/v1/threads', objects);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('unknown_parameter');
    const content = await post(`/v1/threads/${threadId}/messages`, `{"role":"user","content":${deep(10_000)}}`);
    expect(content.statusCode).toBe(400);
  });

  test('200,000-deep nesting (as deep as the body limit allows) is still a 4xx', async () => {
    const res = await post('/v1/threads', '['.repeat(200_000) + ']'.repeat(200_000));
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(Object.keys(res.json().error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  test('numbers beyond 2^53 and beyond a double are type or range errors, never a 5xx', async () => {
    const big = await post('/v1/threads', '{"metadata":{"k":9007199254740993}}');
    expect(big.json().error).toMatchObject({ param: 'metadata.k', code: 'invalid_type' });
    const huge = await post('/v1/threads', '{"metadata":{"k":1e400}}');
    expect(huge.statusCode).toBe(400);
    for (const limit of ['9007199254740993', '1e400', '-9007199254740993', '18446744073709551616']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?limit=${limit}` });
      expect(res.statusCode, limit).toBe(400);
      expect(res.json().error.param).toBe('limit');
    }
  });

  test('invalid UTF-8 is not JSON: 400', async () => {
    for (const bytes of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      const raw = Buffer.concat([Buffer.from('{"role":"user","content":"'), Buffer.from(bytes), Buffer.from('"}')]);
      const res = await post(`/v1/threads/${threadId}/messages`, raw);
      expect(res.statusCode, bytes.join(',')).toBe(400);
      expect(res.json()).toEqual(INVALID_JSON);
    }
  });

  test('a UTF-8 byte order mark before the JSON is tolerated', async () => {
    const res = await post('/v1/threads', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]));
    expect(res.statusCode).toBe(200);
  });

  test('hostile path ids and queries: 4xx with the envelope', async () => {
    for (const url of [
      '/v1/threads/%00',
      '/v1/threads/thread_%ZZ',
      '/v1/threads/thread_%ud800',
      `/v1/threads/${`thread_${'a'.repeat(2000)}`}`,
      '/v1/threads/__proto__/messages',
      `/v1/threads/${threadId}/messages?after=%00&before=%FF`,
      `/v1/threads/${threadId}/messages/constructor`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(Object.keys(res.json().error).sort(), url).toEqual(['code', 'message', 'param', 'type']);
      expect(res.headers['x-request-id'], url).toMatch(/^req_/);
    }
  });

  test('a path that is not valid percent-encoding: the unknown-route 404 naming the URL', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_%ZZ?limit=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        message: 'Invalid URL (GET /v1/threads/thread_%ZZ)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  test('bracketed and __proto__ query names are unknown parameters, ignored', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${threadId}/messages?limit[]=1&order[__proto__]=x&__proto__=y`,
    });
    expect(res.statusCode).toBe(200);
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });
});
