import { expect, test } from 'vitest';
import { SseDecoder, SseLineTooLong } from '../../src/upstream/sse-decoder.js';

const decodeAll = (pieces: string[], max?: number) => {
  const decoder = new SseDecoder(max);
  return pieces.flatMap((piece) => decoder.push(piece));
};

test('events end at a blank line; data lines join with newlines; comments, id and retry are skipped', () => {
  expect(decodeAll([': hello\n\nid: 1\nretry: 10\ndata: a\ndata:b\n\nevent: error\ndata: {}\n\ndata\n\n'])).toEqual([
    { event: 'message', data: 'a\nb' },
    { event: 'error', data: '{}' },
    { event: 'message', data: '' },
  ]);
});

test('LF, CRLF and CR end lines, also when a CRLF is split between two pieces', () => {
  const text = 'data: 1\r\n\r\ndata: 2\r\rdata: 3\n\n';
  const whole = decodeAll([text]);
  expect(whole.map((event) => event.data)).toEqual(['1', '2', '3']);
  for (let cut = 1; cut < text.length; cut++) expect(decodeAll([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
  expect(decodeAll([...text])).toEqual(whole);
});

test('an event without its blank line is not given out', () => {
  expect(decodeAll(['data: 1\n'])).toEqual([]);
});

test('a line or an event past the limit throws', () => {
  expect(() => decodeAll(['data: ', 'x'.repeat(20)], 16)).toThrow(SseLineTooLong);
  expect(() => decodeAll([`data: ${'x'.repeat(20)}\n`], 16)).toThrow(SseLineTooLong);
  expect(() => decodeAll(['data: xxxxxx\ndata: xxxxxx\ndata: xxxxxx\n'], 16)).toThrow(SseLineTooLong);
  expect(decodeAll(['data: xxxxxxxxx\n\n'], 16)).toEqual([{ event: 'message', data: 'xxxxxxxxx' }]);
});
