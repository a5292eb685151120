import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { bodyTooLarge, forbiddenJsonKey, invalidJson } from '../errors.js';

/** JSON text is UTF-8 (RFC 8259): invalid bytes make the body unreadable rather than silently replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** secure-json-parse's answer to a key that could reach an object's prototype. */
const isForbiddenKey = (error: unknown) =>
  error instanceof SyntaxError && error.message === 'Object contains forbidden prototype property';

/**
 * JSON is the only body the API reads. An empty body reads as `{}`: the Python SDK sends
 * `Content-Type: application/json` with no body on DELETE, and openai-node v4 on GET.
 * Any other content type is left without a parser, so Fastify rejects it (415 in the error handler).
 */
async function jsonBody(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(invalidJson(), undefined);
    }
    if (text.trim() === '') return done(null, {});
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(isForbiddenKey(error) ? forbiddenJsonKey() : invalidJson(), undefined);
    }
  });
  // Size answers before content type (CONTRACT.md): a declared length over the limit is a 413 even when
  // the type has no parser, which Fastify would otherwise answer first without reading the body.
  const limit = app.initialConfig.bodyLimit!;
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (Number(request.headers['content-length']) > limit) done(bodyTooLarge(limit));
    else done(null, payload);
  });
  // No content type and no body at all: the same empty object.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) request.body = {};
    done();
  });
}

export default fp(jsonBody, { name: 'json-body' });
