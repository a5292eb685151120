import type Database from 'better-sqlite3';

/**
 * Migration 011's columns, added only where missing: a database rolled back to an older version (the
 * migration tests do) migrates again without failing on a column it already has. Runs before the
 * migration's SQL, which indexes them.
 */
export function addRunLeaseColumns(db: Database.Database): void {
  const columns = new Set((db.pragma('table_info(runs)') as { name: string }[]).map((column) => column.name));
  if (!columns.has('owner')) db.exec('ALTER TABLE runs ADD COLUMN owner TEXT');
  if (!columns.has('lease_until')) db.exec('ALTER TABLE runs ADD COLUMN lease_until INTEGER');
}
