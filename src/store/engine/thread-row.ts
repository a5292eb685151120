import type { ThreadRecord } from '../records.js';

/** The columns of a thread row that make its API object, JSON kept as text. Both engines store it so. */
export interface ThreadColumns {
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

export function toThread(row: ThreadColumns): ThreadRecord {
  return {
    id: row.id,
    object: 'thread',
    created_at: row.created_at,
    tool_resources: JSON.parse(row.tool_resources),
    metadata: JSON.parse(row.metadata),
  };
}
