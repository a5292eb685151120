import type { ScriptedTurn, SeenRequest } from './scripted-upstream.mjs';

/**
 * A model for SDK tests, decided by the prompt: after tool outputs it reports them; asked about the weather it
 * calls `get_weather` (twice, in parallel, for "Paris and Rome"); otherwise it greets.
 */
export function scriptedModel(request: SeenRequest): ScriptedTurn {
  const messages = request.body.messages;
  const last = messages.at(-1)!;
  if (last.role === 'tool') {
    const outputs = messages.filter((m) => m.role === 'tool').map((m) => m.content);
    return { text: ['Weather: ', outputs.join(', ')] };
  }
  const asked = typeof last.content === 'string' ? last.content : '';
  if (/Paris and Rome/.test(asked)) {
    return {
      toolCalls: [
        { name: 'get_weather', arguments: ['{"city":', '"Paris"}'] },
        { name: 'get_weather', arguments: ['{"city":"Rome"}'] },
      ],
    };
  }
  if (/weather/i.test(asked)) return { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Paris"}'] }] };
  return { text: ['Hello', ' from', ' the model'] };
}
