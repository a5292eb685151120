import { beforeAll, expect, it } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { preparePythonSdk, pythonScript, runPython } from '../helpers/python-sdk.js';

/*
 * The official Python SDK (openai 3, where pip can install it) runs
 * test/sdk/python/conversations_roundtrip.py against a listening server. Without python3, venv or PyPI it skips.
 */

let skipReason: string | undefined;
let out: Record<string, any>;

beforeAll(async () => {
  const sdk = await preparePythonSdk(3);
  if ('skip' in sdk) {
    skipReason = sdk.skip;
    return;
  }
  const server = await startTestServer();
  try {
    out = JSON.parse(await runPython(sdk.python, pythonScript('conversations_roundtrip.py'), [server.baseURLv1]));
  } finally {
    await server.close();
  }
}, 420_000);

it('every Conversations operation through openai-python, with auto-pagination both ways', (ctx) => {
  if (skipReason) ctx.skip(`Python SDK unavailable: ${skipReason}`);
  const { created } = out;
  expect(created).toEqual({
    id: expect.stringMatching(/^conv_[0-9a-f]{48}$/),
    object: 'conversation',
    created_at: expect.any(Number),
    metadata: { topic: 'demo' },
  });
  expect(out.retrieved).toEqual(created);
  expect(out.updated).toEqual({ ...created, metadata: { topic: 'x' } });
  expect(out.added.map((item: { type: string }) => item.type)).toEqual([
    'reasoning',
    'function_call',
    'function_call_output',
    'message',
  ]);
  expect(out.added[3]).toMatchObject({
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: 'Done.', annotations: [], logprobs: [] }],
  });
  expect(out.ascending).toHaveLength(5);
  expect(out.descending).toEqual([...out.ascending].reverse());
  expect(out.retrieved_item).toEqual(out.added[1]);
  expect(out.after_item_delete).toEqual(out.updated);
  expect(out.thread_messages).toEqual(['user']);
  expect(out.deleted).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
  expect(out.missing).toEqual({
    status: 404,
    body: {
      message: `Conversation with id '${created.id}' not found.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
});
