import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startTestServer } from '../../helpers/app.js';
import {
  preparePythonSdk,
  PYTHON_SDK_MAJORS,
  type PythonSdk,
  type PythonSdkMajor,
  pythonScript,
  runPython,
} from '../../helpers/python-sdk.js';
import { AZURE_API_VERSION } from '../../helpers/sdk-clients.js';

/*
 * The official Python SDK, majors 2 and 3, each as `OpenAI` and as `AzureOpenAI`, runs
 * test/python/assistants_roundtrip.py (the five assistants calls, auto-pagination, another tenant) against a
 * listening server; this file asserts what it printed. Where a major cannot be installed, it skips.
 */

const KEY = 'sk-acme-0123456789abcdefWXYZ';
const OTHER_TENANT_KEY = 'sk-globex-9876543210zyxwvuts';

type Json = Record<string, any>;

const sdks = new Map<PythonSdkMajor, Promise<PythonSdk>>();
const sdkOf = (major: PythonSdkMajor) => {
  if (!sdks.has(major)) sdks.set(major, preparePythonSdk(major));
  return sdks.get(major)!;
};

const rows = PYTHON_SDK_MAJORS.flatMap((major) =>
  (['OpenAI', 'AzureOpenAI'] as const).map((client) => ({ major, client })),
);

describe.each(rows)('openai-python $major $client', ({ major, client }) => {
  let skipReason: string | undefined;
  let out: Json;

  beforeAll(async () => {
    const sdk = await sdkOf(major);
    if ('skip' in sdk) {
      skipReason = sdk.skip;
      return;
    }
    const server = await startTestServer({ API_KEYS: `acme:${KEY},globex:${OTHER_TENANT_KEY}` });
    try {
      const args = [server.baseURL, client, KEY, OTHER_TENANT_KEY, AZURE_API_VERSION];
      out = JSON.parse(await runPython(sdk.python, pythonScript('assistants_roundtrip.py'), args));
    } finally {
      await server.close();
    }
  }, 420_000);

  function needsPython(ctx: TestContext) {
    if (skipReason) ctx.skip(`openai-python ${major} unavailable: ${skipReason}`);
  }

  const notFound = (id: string) => ({
    class: 'NotFoundError',
    status: 404,
    body: { message: `No assistant found with id '${id}'.`, type: 'invalid_request_error', param: null, code: null },
  });

  it(`is a ${major}.x release of the official SDK`, (ctx) => {
    needsPython(ctx);
    expect(String(out.sdk_version).split('.')[0]).toBe(String(major));
  });

  it('creates, retrieves, updates and deletes an assistant, every setting as sent', (ctx) => {
    needsPython(ctx);
    const created = out.created;
    expect(created).toEqual({
      id: expect.stringMatching(/^asst_[0-9A-Za-z]{24}$/),
      object: 'assistant',
      created_at: expect.any(Number),
      name: 'Weather bot',
      description: null,
      model: 'gpt-4o',
      instructions: 'Call get_weather, then answer in one line.',
      tools: [
        { type: 'file_search' },
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: false,
          },
        },
      ],
      tool_resources: {},
      metadata: { team: 'weather' },
      temperature: 0.5,
      top_p: 1,
      response_format: { type: 'json_object' },
      reasoning_effort: 'low',
    });
    expect(out.retrieved).toEqual(created);
    expect(out.updated).toEqual({ ...created, name: null, top_p: 0.5, tools: [] });
    expect(out.deleted).toEqual({ id: created.id, object: 'assistant.deleted', deleted: true });
    expect(out.after_delete).toEqual(notFound(created.id));
  });

  it("another tenant's assistant is NotFoundError on every call, and absent from its list", (ctx) => {
    needsPython(ctx);
    for (const [call, error] of Object.entries(out.intrusions)) expect(error, call).toEqual(notFound(out.created.id));
    expect(out.other_list).toEqual([]);
  });

  it('auto-paginates in both orders, each assistant once', (ctx) => {
    needsPython(ctx);
    const created: string[] = out.paged_created_ids;
    expect(out.auto_desc).toEqual([...created].reverse());
    expect(out.auto_asc).toEqual(created);
    expect(out.first_page).toEqual({ ids: [created[4], created[3]], has_more: true });
    expect(out.second_page).toEqual([created[2], created[1]]);
  });
});
