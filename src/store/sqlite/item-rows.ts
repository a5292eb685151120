import type { ItemStatus } from '../records.js';
import type { ItemRecord } from '../types.js';

/**
 * An item row as an array, in ITEM_COLUMNS order: better-sqlite3 builds arrays faster than
 * objects, which shows in lists of many rows.
 */
export type ItemRow = [
  seq: number,
  id: string,
  created_at: number,
  type: string,
  role: string,
  item: string | null,
  content: string,
  attachments: string,
  metadata: string,
  status: ItemStatus,
  incomplete_details: string | null,
  completed_at: number | null,
  incomplete_at: number | null,
  assistant_id: string | null,
  run_id: string | null,
];

export const ITEM_COLUMNS = `seq, id, created_at, type, role, item, content, attachments, metadata, status,
  incomplete_details, completed_at, incomplete_at, assistant_id, run_id`;

/** An item row as the record the views read. */
export function toRecord(row: ItemRow): ItemRecord {
  const [
    ,
    id,
    created_at,
    type,
    role,
    item,
    content,
    attachments,
    metadata,
    status,
    incomplete_details,
    completed_at,
    incomplete_at,
    assistant_id,
    run_id,
  ] = row;
  return {
    id,
    created_at,
    type,
    role,
    item: item === null ? null : JSON.parse(item),
    content: JSON.parse(content),
    status,
    incomplete_details: incomplete_details === null ? null : JSON.parse(incomplete_details),
    completed_at,
    incomplete_at,
    assistant_id,
    run_id,
    attachments: JSON.parse(attachments),
    metadata: JSON.parse(metadata),
  };
}
