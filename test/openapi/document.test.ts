import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderDocument } from '../../src/openapi/render-document.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { operationsOf, type OpenApiDocument } from '../helpers/openapi-documents.js';

const OPERATION_IDS = [
  'createAssistant',
  'listAssistants',
  'getAssistant',
  'modifyAssistant',
  'deleteAssistant',
  'createThread',
  'getThread',
  'modifyThread',
  'deleteThread',
  'createMessage',
  'listMessages',
  'getMessage',
  'modifyMessage',
  'deleteMessage',
  'createRun',
  'createThreadAndRun',
  'listRuns',
  'getRun',
  'modifyRun',
  'cancelRun',
  'submitToolOuputsToRun',
  'listRunSteps',
  'getRunStep',
  'createConversation',
  'getConversation',
  'updateConversation',
  'deleteConversation',
  'createConversationItems',
  'listConversationItems',
  'getConversationItem',
  'deleteConversationItem',
];
const ERROR_STATUSES = ['400', '401', '404', '413', '415', '429', '500'];

let t: TestApp;
/** The generated document, loosely typed for reading around in it. */
type Document = OpenApiDocument & {
  security?: unknown;
  components: {
    securitySchemes?: unknown;
    schemas: Record<string, { properties: Record<string, { items?: unknown }> }>;
  };
};
let document: Document;
beforeAll(async () => {
  t = await buildTestApp();
  document = t.app.swagger() as unknown as Document;
});
afterAll(async () => t.close());

test('openapi.yaml is what `npm run openapi` generates from the code (run it after changing a route schema)', () => {
  const committed = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
  expect(committed).toBe(renderDocument(t.app));
});

test('the document is valid OpenAPI 3.1', async () => {
  const api = await SwaggerParser.validate(structuredClone(document) as never);
  expect(api).toMatchObject({ openapi: '3.1.0' });
});

describe('the document', () => {
  test('describes the 31 operations once, under /v1, with OpenAI operation ids', () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/assistants',
      '/v1/assistants/{assistant_id}',
      '/v1/conversations',
      '/v1/conversations/{conversation_id}',
      '/v1/conversations/{conversation_id}/items',
      '/v1/conversations/{conversation_id}/items/{item_id}',
      '/v1/threads',
      '/v1/threads/runs',
      '/v1/threads/{thread_id}',
      '/v1/threads/{thread_id}/messages',
      '/v1/threads/{thread_id}/messages/{message_id}',
      '/v1/threads/{thread_id}/runs',
      '/v1/threads/{thread_id}/runs/{run_id}',
      '/v1/threads/{thread_id}/runs/{run_id}/cancel',
      '/v1/threads/{thread_id}/runs/{run_id}/steps',
      '/v1/threads/{thread_id}/runs/{run_id}/steps/{step_id}',
      '/v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs',
    ]);
    expect([...operationsOf(document).keys()].sort()).toEqual([...OPERATION_IDS].sort());
  });

  test('names its schemas like OpenAI components, and refers to them', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'CreateMessageRequest',
        'CreateThreadRequest',
        'DeleteMessageResponse',
        'DeleteThreadResponse',
        'ErrorResponse',
        'ListMessagesResponse',
        'MessageObject',
        'ModifyMessageRequest',
        'ModifyThreadRequest',
        'ThreadObject',
        'ConversationResource',
        'CreateConversationBody',
        'UpdateConversationBody',
        'DeletedConversationResource',
        'ConversationItem',
        'ConversationItemList',
        'IncludeEnum',
        'AssistantObject',
        'CreateAssistantRequest',
        'ModifyAssistantRequest',
        'DeleteAssistantResponse',
        'ListAssistantsResponse',
        'AssistantsApiResponseFormatOption',
        'AssistantToolsFunction',
      ]),
    );
    const ok = (id: string) => operationsOf(document).get(id)!.responses['200']!.content!['application/json']!.schema;
    expect(ok('getThread')).toEqual({ $ref: '#/components/schemas/ThreadObject' });
    expect(ok('getAssistant')).toEqual({ $ref: '#/components/schemas/AssistantObject' });
    expect(ok('listAssistants')).toEqual({ $ref: '#/components/schemas/ListAssistantsResponse' });
    expect(ok('listMessages')).toEqual({ $ref: '#/components/schemas/ListMessagesResponse' });
    expect(ok('deleteMessage')).toEqual({ $ref: '#/components/schemas/DeleteMessageResponse' });
    expect(ok('listConversationItems')).toEqual({ $ref: '#/components/schemas/ConversationItemList' });
    expect(ok('deleteConversationItem')).toEqual({ $ref: '#/components/schemas/ConversationResource' });
    expect(document.components.schemas.ListMessagesResponse?.properties.data?.items).toEqual({
      $ref: '#/components/schemas/MessageObject',
    });
  });

  test('lists every tag its operations use, and says what it serves', () => {
    const { tags, info } = document as unknown as { tags: { name: string }[]; info: { description: string } };
    const used = new Set([...operationsOf(document).values()].flatMap((op) => op.tags ?? []));
    expect(tags.map((tag) => tag.name).sort()).toEqual([...used].sort());
    expect(tags.map((tag) => tag.name)).toContain('Runs');
    expect(info.description).toMatch(/assistants.*runs/s);
  });

  test('answers a run create, create-thread-and-run and a tool-outputs submit as JSON or as an event stream', () => {
    const streamed = [...operationsOf(document)]
      .filter(([, op]) => op.responses['200']?.content?.['text/event-stream'])
      .map(([id]) => id);
    expect(streamed.sort()).toEqual(['createRun', 'createThreadAndRun', 'submitToolOuputsToRun']);
    for (const id of streamed) {
      expect(operationsOf(document).get(id)!.responses['200']!.content).toEqual({
        'application/json': { schema: { $ref: '#/components/schemas/RunObject' } },
        'text/event-stream': { schema: { $ref: '#/components/schemas/AssistantStreamEvent' } },
      });
    }
  });

  test('declares every error status with the error envelope', () => {
    for (const [id, operation] of operationsOf(document)) {
      for (const status of ERROR_STATUSES) {
        expect(operation.responses[status]?.content?.['application/json']?.schema, `${id} ${status}`).toEqual({
          $ref: '#/components/schemas/ErrorResponse',
        });
      }
    }
  });

  test('declares bearer auth, or the api-key header, for every operation', () => {
    // Their descriptions are prose, held by openapi.yaml's drift test; what a client acts on is here.
    expect(document.components.securitySchemes).toEqual({
      ApiKeyAuth: { type: 'http', scheme: 'bearer' },
      AzureApiKey: { type: 'apiKey', in: 'header', name: 'api-key', description: expect.any(String) },
    });
    expect(document.security).toEqual([{ ApiKeyAuth: [] }, { AzureApiKey: [] }]);
  });

  test('marks a body optional exactly where an empty body is accepted', () => {
    const required = Object.fromEntries(
      [...operationsOf(document)]
        .filter(([, op]) => op.requestBody)
        .map(([id, op]) => [id, (op.requestBody as any).required]),
    );
    expect(required).toEqual({
      createAssistant: true,
      modifyAssistant: false,
      createThread: false,
      modifyThread: false,
      createMessage: true,
      modifyMessage: false,
      createRun: true,
      createThreadAndRun: true,
      modifyRun: false,
      submitToolOuputsToRun: true,
      createConversation: false,
      updateConversation: true,
      createConversationItems: true,
    });
  });
});

describe('served live, without an API key', () => {
  const env = { API_KEYS: 'sk-docs-test-key-0123456789' };
  let keyed: TestApp;
  beforeAll(async () => {
    keyed = await buildTestApp(env);
  });
  afterAll(async () => keyed.close());

  test('GET /openapi.json is the document', async () => {
    const res = await keyed.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(document);
  });

  test('GET /openapi.yaml is the same document in YAML', async () => {
    const res = await keyed.app.inject({ method: 'GET', url: '/openapi.yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(parse(res.body)).toEqual(document);
  });

  test('GET /docs serves Swagger UI', async () => {
    const res = await keyed.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
  });
});
