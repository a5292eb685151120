import { itemIdOf } from '../engine/item-row.js';
import type { ItemViews, Metadata, NewItem } from '../types.js';

/** A thread's row as the statements read it. */
export interface ThreadRow {
  seq: number;
  id: string;
  position: number;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

/** A thread's metadata pairs for the index, JSON-encoded (PostgreSQL's text cannot hold U+0000): keys, values. */
export function pairArrays(metadata: Metadata): [string[], string[]] {
  const entries = Object.entries(metadata);
  return [entries.map(([key]) => JSON.stringify(key)), entries.map(([, value]) => JSON.stringify(value))];
}

/** The columns of new items as arrays, for the statements that unnest them. */
export const itemColumns = (items: NewItem[], views: ItemViews) => ({
  ids: items.map((item) => itemIdOf(item, views)),
  types: items.map((item) => item.type),
  roles: items.map((item) => item.role),
  bodies: items.map((item) => (item.item === null ? null : JSON.stringify(item.item))),
  contents: items.map((item) => JSON.stringify(item.content)),
  attachments: items.map((item) => JSON.stringify(item.attachments)),
  metadata: items.map((item) => JSON.stringify(item.metadata)),
  statuses: items.map((item) => item.status),
});
