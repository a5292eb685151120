import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { nameComponents } from '../openapi/named-components.js';
import { markOptionalBodies } from '../openapi/optional-bodies.js';
import { ERROR_RESPONSES, OPERATIONS, SECURITY, SECURITY_SCHEMES } from '../openapi/operations.js';

/** The prefix the document describes; the same routes also answer under the other API_PREFIXES, undocumented. */
const DOCUMENTED_PREFIX = '/v1/';

/** package.json sits two levels up from both src/plugins and dist/plugins. */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const withOk = (responses: Record<number, object>) => ({
  ...responses,
  200: { ...responses[200], 'x-response-description': 'OK' },
});

/**
 * The OpenAPI 3.1 document, generated from the route schemas as routes register (so this plugin comes
 * before them), served at /openapi.json, /openapi.yaml and as Swagger UI at /docs, all without an API key.
 */
async function openapi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'threadstore',
        version,
        description:
          "A self-hosted, wire-compatible server for OpenAI's Assistants v2 API (assistants, threads, messages, " +
          'and runs executed on a Chat Completions upstream you configure, streamed as server-sent events with ' +
          '`stream: true`) and its Conversations API, over one store. ' +
          'Every path also answers under /openai (for Azure clients) and without the /v1 prefix.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: [
        { name: 'Assistants', description: 'Assistants: a model, instructions and tools that runs use.' },
        { name: 'Threads', description: 'Threads hold messages.' },
        { name: 'Messages', description: 'Messages within a thread.' },
        { name: 'Runs', description: 'Runs execute an assistant on a thread; run steps record what a run did.' },
        {
          name: 'Conversations',
          description: 'Manage conversations and conversation items (the same store as threads).',
        },
      ],
      components: { securitySchemes: SECURITY_SCHEMES },
      security: SECURITY,
    },
    transform: ({ schema, url }) => {
      const operation = OPERATIONS[schema?.operationId ?? ''];
      if (!url.startsWith(DOCUMENTED_PREFIX) || !operation) return { schema: { ...schema, hide: true }, url };
      const described = {
        ...schema,
        tags: [operation.tag],
        summary: operation.summary,
        response: { ...withOk(schema.response as Record<number, object>), ...ERROR_RESPONSES },
      };
      return { schema: described, url };
    },
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      markOptionalBodies(document.openapiObject.paths as Parameters<typeof markOptionalBodies>[0]);
      return nameComponents(document.openapiObject);
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true })),
  );
}

export default fp(openapi, { name: 'openapi' });
