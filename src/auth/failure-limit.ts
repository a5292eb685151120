import { isIPv6 } from 'node:net';

const WINDOW_MS = 60_000;
/** Addresses remembered at most; the oldest window is forgotten first, so memory stays bounded. */
const MAX_ADDRESSES = 10_000;

/**
 * An IPv6 client is counted by its /64, the block one host or site is usually given, so rotating
 * addresses inside it does not buy more guesses.
 */
export function clientBlock(ip: string): string {
  if (!isIPv6(ip) || ip.toLowerCase().startsWith('::ffff:')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Counts requests with an incorrect API key per client address in a fixed one-minute window. Once an
 * address reaches the limit, every key it presents is refused until the window ends, right ones too:
 * otherwise a 200 among the 429s would still tell a guesser which key is right.
 */
export class AuthFailureLimit {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(private readonly perMinute: number) {}

  /** Seconds until the address may try again; 0 while it may. */
  retryAfter(ip: string, now = Date.now()): number {
    const window = this.windows.get(clientBlock(ip));
    if (window === undefined || window.failures < this.perMinute) return 0;
    if (window.endsAt <= now) return 0;
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
  }

  recordFailure(ip: string, now = Date.now()): void {
    const block = clientBlock(ip);
    const window = this.windows.get(block);
    if (window !== undefined && window.endsAt > now) {
      window.failures += 1;
      return;
    }
    this.windows.delete(block);
    if (this.windows.size >= MAX_ADDRESSES) this.forgetOldest(now);
    this.windows.set(block, { failures: 1, endsAt: now + WINDOW_MS });
  }

  /** Ended windows go first; when none has ended, the one opened longest ago (a Map keeps insertion order). */
  private forgetOldest(now: number) {
    for (const [block, window] of this.windows) if (window.endsAt <= now) this.windows.delete(block);
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
  }
}
