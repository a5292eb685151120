import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { StoreOverloaded } from '../store-errors.js';

export interface StoreLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface PostgresOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  startupTimeoutMs: number;
  /** Callers that may queue for a connection; one more is refused (see `createPool`). */
  maxWaiting: number;
  log?: StoreLog;
}

const INT8 = 20;

/** `bigint` columns as numbers: ours (Unix seconds, positions, row numbers) stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Statement names by text: the store's statements are a fixed set, so this stays small. */
const statementNames = new Map<string, string>();
/** Past this many distinct texts a statement goes unnamed, so no caller can grow the map (or a connection's cache) without end. */
const MAX_NAMED_STATEMENTS = 500;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `threadstore_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * A connection that prepares every statement with parameters under a name, the first time it runs it:
 * later runs on that connection skip PostgreSQL's parse and plan (a plan it may keep generic after five
 * runs, when that costs no more than planning each). Statements without parameters (BEGIN, COMMIT,
 * migrations) go as they are.
 */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this forwards them all
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values)) {
      const name = statementName(config);
      if (name !== undefined) return super.query({ name, text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

/** host:port/database, never the password: what the logs name. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** Every connection is in use and `maxWaiting` callers already queue for one: another would be refused. */
export const isSaturated = (pool: pg.Pool, options: PostgresOptions) =>
  pool.idleCount === 0 && pool.totalCount >= options.poolMax && pool.waitingCount >= options.maxWaiting;

export function createPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: options.url,
    max: options.poolMax,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  // An idle connection that the server drops emits here; without a listener the process would crash.
  pool.on('error', (error) => options.log?.warn({ err: error.message }, 'PostgreSQL connection lost'));
  // Back-pressure: pg's own queue has no bound, and each waiter holds its request's body. When the
  // database is slow, a caller past `maxWaiting` is refused at once (pool.query connects through here too).
  const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
  pool.connect = ((callback?: (error: Error) => void) => {
    if (!isSaturated(pool, options)) return connect(callback);
    if (callback === undefined) return Promise.reject(new StoreOverloaded());
    process.nextTick(callback, new StoreOverloaded());
  }) as typeof pool.connect;
  return pool;
}

/** A single connection without a statement timeout, for migrations. */
export function createClient(options: PostgresOptions): pg.Client {
  return new pg.Client({ connectionString: options.url, connectionTimeoutMillis: 10_000, types });
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a database that is away, starting, shutting down, full, or too slow:
 * class 08 (connection exception), 57P01-03 (shutdown, crash, cannot connect now),
 * 53300 (too many connections), 57014 (statement timeout).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** Whether an error means "the database cannot answer now" rather than a fault in the request or the code. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) {
    return true;
  }
  // node-postgres reports a lost or refused connection with plain messages and no code; a request still
  // running while the server closes finds the pool already ended, and the server is unavailable to it too.
  return /Connection terminated|timeout exceeded when trying to connect|connection error|not queryable|pool after calling end/i.test(
    error.message,
  );
}

/** Retries until the database answers, logging each wait; gives up after `startupTimeoutMs`. */
export async function waitForDatabase(pool: pg.Pool, options: PostgresOptions): Promise<void> {
  const database = describeUrl(options.url);
  const deadline = Date.now() + options.startupTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      options.log?.info({ database }, 'connected to PostgreSQL');
      return;
    } catch (error) {
      if (!isUnavailable(error) || Date.now() >= deadline) {
        throw new Error(`PostgreSQL at ${database} is not usable: ${(error as Error).message}`, { cause: error });
      }
      options.log?.warn({ database, attempt, err: (error as Error).message }, 'waiting for PostgreSQL');
      await sleep(Math.min(250 * attempt, 2_000));
    }
  }
}
