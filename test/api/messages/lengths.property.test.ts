import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createThread, expectError, post } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

/**
 * Lengths count code points, whatever the characters: any text of exactly the limit is accepted and
 * comes back unchanged, one code point more is refused with that count. Lone surrogates count once.
 */

let t: TestApp;
let threadId: string;
beforeAll(async () => {
  t = await buildTestApp();
  threadId = (await createThread(t.app)).id;
});
afterAll(async () => t.close());

const codePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0xa0, max: 0xd7ff }),
  fc.integer({ min: 0xd800, max: 0xdfff }), // a lone surrogate, as JSON's \uXXXX escapes allow
  fc.integer({ min: 0xe000, max: 0xffff }),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
);
/** Exactly `n` code points: a lone surrogate could pair with a neighbour, so it is swapped for 'x' here. */
const exactly = (n: number) =>
  fc
    .array(codePoint, { minLength: n, maxLength: n })
    .map((points) => points.map((p) => (p >= 0xd800 && p <= 0xdfff ? 'x' : String.fromCodePoint(p))).join(''));

test('metadata keys of 64 and values of 512 code points round-trip; 65 and 513 are refused', async () => {
  await fc.assert(
    fc.asyncProperty(exactly(64), exactly(512), async (key, value) => {
      const ok = await post(t.app, `/v1/threads/${threadId}`, { metadata: { [key]: value } });
      expect(ok.statusCode, ok.body.slice(0, 200)).toBe(200);
      expect(ok.json().metadata).toEqual({ [key]: value });
      expectError(await post(t.app, `/v1/threads/${threadId}`, { metadata: { k: `${value}😀` } }), 400, {
        message:
          "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
        param: 'metadata.k',
        code: 'string_above_max_length',
      });
      const longKey = `${key}é`;
      expectError(await post(t.app, `/v1/threads/${threadId}`, { metadata: { [longKey]: 'v' } }), 400, {
        message: `Invalid property name in 'metadata': '${longKey}' is too long. Expected a string with maximum length 64, but got a string with length 65 instead.`,
        param: `metadata.${longKey}`,
        code: 'property_name_above_max_length',
      });
    }),
    { numRuns: 25 },
  );
});

test('any text, lone surrogates included, comes back exactly as sent', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(codePoint, { minLength: 1, maxLength: 200 }), async (points) => {
      const text = points.map((p) => String.fromCodePoint(p)).join('');
      const res = await post(t.app, `/v1/threads/${threadId}/messages`, {
        role: 'user',
        content: text,
        metadata: { t: text.slice(0, 100) },
      });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      const read = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages/${res.json().id}` });
      expect(read.json().content[0].text.value).toBe(text);
    }),
    { numRuns: 40 },
  );
});
