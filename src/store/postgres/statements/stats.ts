// The PostgreSQL statement of the metrics gauges' counts.
export const SQL = {
  // Exact counts for the metrics gauges: a scan, off the event loop, at most once per METRICS_COUNT_TTL (metrics/plugin.ts).
  stats: `SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM messages) AS messages,
    (SELECT count(*) FROM assistants) AS assistants`,
};
