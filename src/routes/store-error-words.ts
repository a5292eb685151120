import type { FastifyInstance } from 'fastify';
import { type ApiError, conversationNotFound, itemNotFound, messageNotFound, threadNotFound } from '../errors.js';
import { ReplayedObjectDeleted } from '../store/store-errors.js';

/** How an API names what was not found: its thread and its items. */
export interface NotFoundWords {
  thread(id: string): ApiError;
  item(id: string): ApiError;
}

export const THREAD_API_WORDS: NotFoundWords = { thread: threadNotFound, item: messageNotFound };
export const CONVERSATIONS_API_WORDS: NotFoundWords = { thread: conversationNotFound, item: itemNotFound };

/**
 * For one API's route scope: the store's errors in that API's words (a replay of a deleted object is the
 * 404 a read of it gets there). Every error goes on to the app's error handler, which sends the envelope.
 */
export function wordStoreErrors(app: FastifyInstance, words: NotFoundWords): void {
  app.setErrorHandler((error) => {
    if (!(error instanceof ReplayedObjectDeleted)) throw error;
    throw error.object_id === error.thread_id ? words.thread(error.thread_id) : words.item(error.object_id);
  });
}
