import { Type, type Static } from 'typebox';
import { IdParam, Metadata } from '../schemas/common.js';
import { MessageObject } from '../schemas/messages.js';
import { ToolResources } from '../schemas/threads.js';
import { compileValidator } from '../validation.js';

/**
 * One line of an export: a thread object with its tenant and all its messages, oldest first,
 * ids and timestamps as stored.
 */
export const ExportLine = Type.Object({
  id: IdParam('thread'),
  object: Type.Literal('thread'),
  created_at: Type.Integer(),
  tool_resources: ToolResources,
  metadata: Metadata,
  tenant: Type.String(),
  messages: Type.Array(Type.Object({ ...MessageObject.properties, id: IdParam('msg') })),
});

export type ExportLine = Static<typeof ExportLine>;

const validate = compileValidator(ExportLine, { coerceStrings: false });

/** Parses and checks one line; the error names the field the way the API's errors do. */
export function parseExportLine(text: string): { line: ExportLine } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON' };
  }
  const result = validate(value);
  if ('error' in result) {
    const { param, message } = result.error;
    // Some of the API's messages (a bad enum value) do not name the field; on a long line it matters.
    return { error: param === null || message.includes(`'${param}'`) ? message : `${param}: ${message}` };
  }
  const line = result.value as ExportLine;
  const stray = line.messages.find((message) => message.thread_id !== line.id);
  if (stray) return { error: `message '${stray.id}' names thread '${stray.thread_id}', not '${line.id}'` };
  return { line };
}
