import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { invalidJson } from '../errors.js';

/**
 * JSON is the only body the API reads. An empty body reads as `{}`: the Python SDK sends
 * `Content-Type: application/json` with no body on DELETE, and openai-node v4 on GET.
 * Any other content type is left without a parser, so Fastify rejects it (415 in the error handler).
 */
export default fp(async function jsonBody(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, {});
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(invalidJson(), undefined);
    }
  });
  // No content type and no body at all: the same empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) request.body = {};
  });
});
