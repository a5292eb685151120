import type { Response as InjectResponse } from 'light-my-request';
import { expect } from 'vitest';
import type { RunObject } from '../../src/schemas/runs.js';
import { buildTestApp, type TestApp } from './app.js';
import { type ScriptedTurn, type ScriptedUpstream, startScriptedUpstream } from './scripted-upstream.mjs';

type Script = Parameters<typeof startScriptedUpstream>[0];

export interface RunsApp extends TestApp {
  upstream: ScriptedUpstream;
  call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: object,
    headers?: Record<string, string>,
  ): Promise<InjectResponse>;
  /** POSTs that must answer 200; their JSON. */
  ok(url: string, payload?: object, headers?: Record<string, string>): Promise<any>;
  get(url: string, headers?: Record<string, string>): Promise<any>;
  /** Polls the run until its status is one of `statuses` (5 s at most). */
  waitFor(
    threadId: string,
    runId: string,
    statuses: RunObject['status'][],
    headers?: Record<string, string>,
  ): Promise<RunObject>;
}

/** An app whose runs execute on a scripted Chat Completions upstream (closed with the app). */
export async function startRunsApp(
  script: Script | ScriptedTurn[],
  env: Record<string, string> = {},
): Promise<RunsApp> {
  const upstream = await startScriptedUpstream(script);
  const t = await buildTestApp({ UPSTREAM_BASE_URL: upstream.url, ...env });
  const call: RunsApp['call'] = (method, url, payload, headers = {}) =>
    t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const ok: RunsApp['ok'] = async (url, payload, headers) => {
    const res = await call('POST', url, payload ?? {}, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const get: RunsApp['get'] = async (url, headers) => {
    const res = await call('GET', url, undefined, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const waitFor: RunsApp['waitFor'] = async (threadId, runId, statuses, headers) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const run: RunObject = await get(`/v1/threads/${threadId}/runs/${runId}`, headers);
      if (statuses.includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.status}, not ${statuses.join('|')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const closeApp = t.close.bind(t);
  return Object.assign(t, {
    upstream,
    call,
    ok,
    get,
    waitFor,
    async close() {
      await closeApp();
      await upstream.close();
    },
  });
}

/** An SSE body as its events, in order. */
export function parseEvents(body: string): { event: string; data: any }[] {
  return body
    .split('\n\n')
    .filter((frame) => frame.startsWith('event: '))
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const data = dataLine!.slice('data: '.length);
      return { event: eventLine!.slice('event: '.length), data: data === '[DONE]' ? data : JSON.parse(data) };
    });
}

export const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
