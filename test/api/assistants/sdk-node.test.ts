import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/app.js';
import { construct, sdkFlavours } from '../../helpers/sdk-clients.js';

/*
 * The five assistants calls through every openai-node major (4, 5, 6, and 7 where the Node runs it), each
 * as `OpenAI` and as `AzureOpenAI`, against a listening server with API keys of two tenants.
 */

const KEY = 'sk-acme-0123456789abcdefWXYZ';
const OTHER_TENANT_KEY = 'sk-globex-9876543210zyxwvuts';

type Json = Record<string, any>;

/** The calls as every major spells them: v4 names delete `del`. */
interface Assistants {
  create(body: Json): Promise<Json>;
  retrieve(id: string): Promise<Json>;
  update(id: string, body: Json): Promise<Json>;
  list(
    query?: Json,
  ): PromiseLike<{ data: Json[]; hasNextPage(): boolean; getNextPage(): Promise<any> }> & AsyncIterable<Json>;
  delete(id: string): Promise<Json>;
}

const MODULES = {
  4: () => import('openai-v4'),
  5: () => import('openai-v5'),
  6: () => import('openai'),
  7: () => import('openai-v7'),
} as const;

const SETTINGS = {
  model: 'gpt-4o',
  name: 'Weather bot',
  description: 'Says what the weather is',
  instructions: 'Call get_weather, then answer in one line.',
  tools: [
    { type: 'code_interpreter' },
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: true,
      },
    },
  ],
  tool_resources: { code_interpreter: { file_ids: ['file_1'] } },
  metadata: { team: 'weather' },
  temperature: 0.3,
  top_p: 0.8,
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
};

for (const flavour of sdkFlavours.filter((f) => f.unsupported !== undefined)) {
  it(`${flavour.name}: skipped on this Node`, (ctx) => ctx.skip(flavour.unsupported));
}

describe.each(sdkFlavours.filter((f) => f.unsupported === undefined))('$name', (flavour) => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let sdk: { NotFoundError: abstract new (...args: never[]) => Error };
  let assistants: Assistants;
  let other: Assistants;

  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: `acme:${KEY},globex:${OTHER_TENANT_KEY}` });
    const module = (await MODULES[flavour.major]()) as any;
    sdk = module;
    const connect = (apiKey: string): Assistants => {
      const client = construct(module, flavour.azure, { origin: server.baseURL, apiKey }) as any;
      const api = client.beta.assistants;
      return {
        create: (body) => api.create(body),
        retrieve: (id) => api.retrieve(id),
        update: (id, body) => api.update(id, body),
        list: (query) => api.list(query),
        delete: (id) => (flavour.major === 4 ? api.del(id) : api.delete(id)),
      };
    };
    assistants = connect(KEY);
    other = connect(OTHER_TENANT_KEY);
  });
  afterAll(async () => server.close());

  it('creates, retrieves, updates and deletes an assistant, every setting as sent', async () => {
    const created = await assistants.create(SETTINGS);
    const { model, ...settings } = SETTINGS;
    expect({ ...created }).toEqual({
      id: expect.stringMatching(/^asst_[0-9A-Za-z]{24}$/),
      object: 'assistant',
      created_at: expect.any(Number),
      model,
      ...settings,
      reasoning_effort: null,
    });
    expect({ ...(await assistants.retrieve(created.id)) }).toEqual({ ...created });

    const updated = await assistants.update(created.id, { name: 'Renamed', tools: [], response_format: 'auto' });
    expect({ ...updated }).toEqual({ ...created, name: 'Renamed', tools: [], response_format: 'auto' });

    const deleted = await assistants.delete(created.id);
    expect({ ...deleted }).toEqual({ id: created.id, object: 'assistant.deleted', deleted: true });
    const error = await assistants.retrieve(created.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(sdk.NotFoundError);
    expect((error as { error: unknown }).error).toEqual({
      message: `No assistant found with id '${created.id}'.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('lists newest first, page by page and by auto-pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await assistants.create({ model: 'm', name: `a${i}` })).id);
    const newest = [...ids].reverse();

    const first = await assistants.list({ limit: 2 });
    expect(first.data.map((a) => a.id)).toEqual(newest.slice(0, 2));
    expect(first.hasNextPage()).toBe(true);
    expect((await first.getNextPage()).data.map((a: Json) => a.id)).toEqual(newest.slice(2, 4));

    const walked: string[] = [];
    for await (const assistant of assistants.list({ limit: 2 })) walked.push(assistant.id);
    expect(walked).toEqual(newest);

    const ascending: string[] = [];
    for await (const assistant of assistants.list({ limit: 3, order: 'asc' })) ascending.push(assistant.id);
    expect(ascending).toEqual(ids);
    for (const id of ids) await assistants.delete(id);
  });

  it("another tenant's assistant is not found by any call", async () => {
    const { id } = await assistants.create({ model: 'm' });
    for (const call of [() => other.retrieve(id), () => other.update(id, { name: 'x' }), () => other.delete(id)]) {
      await expect(call()).rejects.toBeInstanceOf(sdk.NotFoundError);
    }
    const seen: string[] = [];
    for await (const assistant of other.list()) seen.push(assistant.id);
    expect(seen).toEqual([]);
    expect((await assistants.retrieve(id)).id).toBe(id);
  });
});
