import { expect, test } from 'vitest';
import { AuthFailureLimit, clientBlock } from '../../src/auth/failure-limit.js';

test('IPv6 clients are counted by their /64; IPv4 and IPv4-mapped ones by their address', () => {
  expect(clientBlock('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
  expect(clientBlock('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
  expect(clientBlock('2001:db8::1')).toBe('2001:db8:0:0::/64');
  expect(clientBlock('::1')).toBe('0:0:0:0::/64');
  expect(clientBlock('203.0.113.7')).toBe('203.0.113.7');
  expect(clientBlock('::ffff:203.0.113.7')).toBe('::ffff:203.0.113.7');
});

test('a fixed window: the limit-th failure blocks the address until the minute since its first failure ends', () => {
  const limit = new AuthFailureLimit(2);
  const t0 = 1_000_000;
  limit.recordFailure('2001:db8::1', t0);
  expect(limit.retryAfter('2001:db8::2', t0)).toBe(0);
  limit.recordFailure('2001:db8::3', t0 + 1000);
  expect(limit.retryAfter('2001:db8::4', t0 + 1000)).toBe(59);
  expect(limit.retryAfter('2001:db8:1::1', t0 + 1000)).toBe(0);
  expect(limit.retryAfter('2001:db8::1', t0 + 60_000)).toBe(0);
  limit.recordFailure('2001:db8::1', t0 + 60_000);
  expect(limit.retryAfter('2001:db8::1', t0 + 60_000)).toBe(0);
});

test('memory stays bounded: past 10,000 addresses the oldest window is forgotten', () => {
  const limit = new AuthFailureLimit(1);
  for (let i = 0; i < 10_001; i++) limit.recordFailure(`10.0.${i >> 8}.${i & 255}`, 1000);
  expect(limit.retryAfter('10.0.0.0', 1000)).toBe(0);
  expect(limit.retryAfter('10.0.0.1', 1000)).toBe(60);
});
