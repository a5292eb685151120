import type { FastifyPluginAsync } from 'fastify';
import type { KeyRing } from '../api-keys.js';
import type { AuthFailureLimit } from '../auth-failure-limit.js';
import { deprecatedBeta } from '../errors.js';
import auth from '../plugins/auth.js';
import { assistantRoutes } from './assistants/assistants.js';
import { conversationItemRoutes } from './conversation-items.js';
import { conversationRoutes } from './conversations.js';
import { messageRoutes } from './messages.js';
import { runStepRoutes } from './assistants/run-steps.js';
import { runRoutes } from './assistants/runs.js';
import { metricsRoute } from './metrics.js';
import { threadRoutes } from './threads.js';

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
  keys: KeyRing;
  failures: AuthFailureLimit;
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
  await app.register(auth, { keys: options.keys, failures: options.failures });
  await app.register(assistantsRoutes);
  await app.register(conversationsApiRoutes);
  if (options.metrics) await app.register(metricsRoute);
};
