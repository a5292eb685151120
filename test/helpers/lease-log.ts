import { withClient } from './postgres.js';

/**
 * One change of a run's lease holder: a claim or a run created held (`to` set), a release (`to` null) or a
 * takeover (both set).
 */
export interface LeaseChange {
  runId: string;
  from: string | null;
  to: string | null;
  /** When it was written, in milliseconds since the epoch (the database's clock: the machine's). */
  at: number;
}

/**
 * Records in the test database, with a trigger on `runs.owner`, every change of a run's lease holder (in
 * order for each run: its row lock makes them take turns): which replica held which run when another was killed, and who took it from whom,
 * without racing the sweeps for a snapshot. Call it once the servers have migrated the database.
 */
export async function recordLeaseChanges(databaseUrl: string): Promise<{ read(): Promise<LeaseChange[]> }> {
  await withClient(databaseUrl, (client) =>
    client.query(`
      CREATE TABLE lease_changes (
        seq bigserial PRIMARY KEY, run_id text NOT NULL, from_owner text, to_owner text,
        at double precision NOT NULL DEFAULT extract(epoch FROM clock_timestamp()) * 1000
      );
      CREATE FUNCTION log_lease_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO lease_changes (run_id, from_owner, to_owner)
            VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.owner END, NEW.owner);
          RETURN NEW;
        END $$;
      CREATE TRIGGER lease_changes AFTER UPDATE OF owner ON runs
        FOR EACH ROW WHEN (OLD.owner IS DISTINCT FROM NEW.owner) EXECUTE FUNCTION log_lease_change();
      CREATE TRIGGER lease_changes_at_create AFTER INSERT ON runs
        FOR EACH ROW WHEN (NEW.owner IS NOT NULL) EXECUTE FUNCTION log_lease_change();
    `),
  );
  return {
    read: () =>
      withClient(databaseUrl, async (client) => {
        const { rows } = await client.query<LeaseChange>(
          'SELECT run_id AS "runId", from_owner AS "from", to_owner AS "to", at FROM lease_changes ORDER BY seq',
        );
        return rows;
      }),
  };
}
