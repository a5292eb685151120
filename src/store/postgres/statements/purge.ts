// The PostgreSQL statements of the background purge of deleted threads.
import { PURGING_TENANT } from '../../engine/thread-purge.js';

export const SQL = {
  threadsToPurge: `SELECT seq FROM threads WHERE tenant = '${PURGING_TENANT}' ORDER BY seq`,
  purgeMessages: `DELETE FROM messages WHERE thread_seq = $1 AND position IN (
      SELECT position FROM messages WHERE thread_seq = $1 ORDER BY position LIMIT $2)`,
  // Tombstone ids are unique per thread only: the thread's own are matched by (thread_seq, id).
  purgeMessageTombstones: `DELETE FROM deleted_messages WHERE (thread_seq, id) IN (
      SELECT thread_seq, id FROM deleted_messages WHERE thread_seq = $1 LIMIT $2)`,
  deletePurgedThread: `DELETE FROM threads WHERE seq = $1 AND tenant = '${PURGING_TENANT}'`,
};
