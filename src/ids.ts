import { customAlphabet } from 'nanoid';

const randomPart = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 24);

/** `thread_…` or `msg_…` with 24 random characters of [0-9A-Za-z], as OpenAI's ids. */
export const newId = (prefix: 'thread' | 'msg'): string => `${prefix}_${randomPart()}`;

const hexPart = customAlphabet('0123456789abcdef', 32);
const longHexPart = customAlphabet('0123456789abcdef', 48);

/** `req_…` with 32 hex characters, from nanoid's pooled randomness: no crypto call per request. */
export const newRequestId = (): string => `req_${hexPart()}`;

/** `conv_…` with 48 lowercase hex characters, as OpenAI's conversation ids. */
export const newConversationId = (): string => `conv_${longHexPart()}`;

/** An id for an item that is not a message: its type's prefix (`fc_`, `rs_`, …), then 48 hex characters. */
export const newItemId = (prefix: string): string => `${prefix}${longHexPart()}`;
