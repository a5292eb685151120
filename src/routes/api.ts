import type { FastifyPluginAsync } from 'fastify';
import { deprecatedBeta } from '../errors.js';
import { conversationItemRoutes } from './conversations/items.js';
import { conversationRoutes } from './conversations/conversations.js';
import { messageRoutes } from './assistants/messages.js';
import { metricsRoute } from '../metrics/route.js';
import { threadRoutes } from './assistants/threads.js';
import { assistantRoutes } from './assistants/assistants.js';
import { runStepRoutes } from './assistants/run-steps.js';
import { runRoutes } from './assistants/runs.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Whose threads this request sees; '' while the server runs without API keys. */
    tenant: string;
  }
}

function namesAssistantsV1(header: string | string[] | undefined): boolean {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) => value.split(',').some((beta) => beta.trim().toLowerCase() === 'assistants=v1'));
}

export interface ApiRoutesOptions {
  /** Also serve GET /metrics here, behind whatever guards the API (set on one mount only). */
  metrics?: boolean;
}

/** The Assistants API's assistants, threads and messages: the only scope that looks at `OpenAI-Beta`. */
const assistantsRoutes: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', (request, _reply, done) => {
    done(namesAssistantsV1(request.headers['openai-beta']) ? deprecatedBeta() : undefined);
  });
  await app.register(assistantRoutes);
  await app.register(threadRoutes);
  await app.register(messageRoutes);
  await app.register(runRoutes);
  await app.register(runStepRoutes);
};

/** The Conversations API over the same store. */
const conversationsApiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(conversationRoutes);
  await app.register(conversationItemRoutes);
};

/** Both APIs, mounted once under each of API_PREFIXES. */
export const apiRoutes: FastifyPluginAsync<ApiRoutesOptions> = async (app, options) => {
  app.decorateRequest('tenant', '');
  // Keys are checked from the start or never: a server started without keys stays open (key-reload.ts).
  if (app.keys.size > 0) app.addHook('onRequest', app.authenticate);
  await app.register(assistantsRoutes);
  await app.register(conversationsApiRoutes);
  if (options.metrics) await app.register(metricsRoute);
};
