import { randomFillSync } from 'node:crypto';
import { customAlphabet } from 'nanoid';

const randomPart = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 24);

/** `thread_…`, `msg_…`, `asst_…`, `run_…`, `step_…` or `call_…` with 24 random characters of [0-9A-Za-z], as OpenAI's ids. */
export const newId = (prefix: 'thread' | 'msg' | 'asst' | 'run' | 'step' | 'call'): string =>
  `${prefix}_${randomPart()}`;

const longHexPart = customAlphabet('0123456789abcdef', 48);

/** Random bytes for request ids, refilled 512 ids at a time: one crypto call per 512 requests. */
const requestIdBytes = Buffer.alloc(16 * 512);
let requestIdOffset = requestIdBytes.length;

/**
 * `req_…` with 32 hex characters: 16 random bytes as hex, which Node encodes natively (nanoid maps each
 * character through its alphabet in JavaScript, 3-4 times slower for the id every request gets).
 */
export function newRequestId(): string {
  if (requestIdOffset === requestIdBytes.length) {
    randomFillSync(requestIdBytes);
    requestIdOffset = 0;
  }
  requestIdOffset += 16;
  return `req_${requestIdBytes.toString('hex', requestIdOffset - 16, requestIdOffset)}`;
}

/** `conv_…` with 48 lowercase hex characters, as OpenAI's conversation ids. */
export const newConversationId = (): string => `conv_${longHexPart()}`;

/** An id for an item that is not a message: its type's prefix (`fc_`, `rs_`, …), then 48 hex characters. */
export const newItemId = (prefix: string): string => `${prefix}${longHexPart()}`;
