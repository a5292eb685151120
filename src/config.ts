import { isIP, isIPv6 } from 'node:net';
import { Type, type Static, type TSchema } from 'typebox';
import { readApiKeys } from './auth/key-file.js';
import type { ApiKey } from './auth/key-ring.js';
import { ConfigError } from './config-error.js';
import type { UpstreamConfig } from './upstream/chat-completions.js';
import { compileValidator } from './schemas/compile/validation.js';

const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ minLength: 1, default: './data/threadstore.db' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, default: 2 * 1024 * 1024 }),
  PG_POOL_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  PG_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  PG_STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 60_000 }),
  PG_MAX_WAITING: Type.Integer({ minimum: 0, default: 1000 }),
  PG_MAX_PENDING_BYTES: Type.Integer({ minimum: 0, default: 64 * 1024 * 1024 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  METRICS_PUBLIC: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  API_KEYS: Type.String({ default: '' }),
  API_KEYS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  ALLOW_UNAUTHENTICATED: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  RATE_LIMIT_PER_MINUTE: Type.Optional(Type.Integer({ minimum: 1 })),
  AUTH_FAILURES_PER_MINUTE: Type.Integer({ minimum: 1, default: 20 }),
  CORS_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({ default: '' }),
  SQLITE_SYNCHRONOUS: Type.Union([Type.Literal('normal'), Type.Literal('full')], { default: 'normal' }),
  RUN_EXPIRY_SECONDS: Type.Integer({ minimum: 1, default: 600 }),
  RUN_LEASE_SECONDS: Type.Integer({ minimum: 1, default: 10 }),
  RUN_SHUTDOWN_GRACE_SECONDS: Type.Integer({ minimum: 0, default: 8 }),
  RUNS_PER_TENANT: Type.Integer({ minimum: 1, default: 20 }),
  RUNS_PER_REPLICA: Type.Integer({ minimum: 1, default: 200 }),
  UPSTREAM_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  UPSTREAM_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  UPSTREAM_MODEL_MAP: Type.String({ default: '' }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 60_000 }),
  UPSTREAM_IDLE_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 60_000 }),
  UPSTREAM_MAX_RETRIES: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
});

const INTEGER_SETTINGS = new Set([
  'PORT',
  'BODY_LIMIT',
  'PG_POOL_MAX',
  'PG_STATEMENT_TIMEOUT_MS',
  'PG_STARTUP_TIMEOUT_MS',
  'PG_MAX_WAITING',
  'PG_MAX_PENDING_BYTES',
  'RATE_LIMIT_PER_MINUTE',
  'AUTH_FAILURES_PER_MINUTE',
  'RUN_EXPIRY_SECONDS',
  'RUN_LEASE_SECONDS',
  'RUN_SHUTDOWN_GRACE_SECONDS',
  'RUNS_PER_TENANT',
  'RUNS_PER_REPLICA',
  'UPSTREAM_TIMEOUT_MS',
  'UPSTREAM_IDLE_TIMEOUT_MS',
  'UPSTREAM_MAX_RETRIES',
]);

export type DatabaseConfig =
  | { engine: 'sqlite'; path: string; synchronous: 'normal' | 'full' }
  | {
      engine: 'postgres';
      url: string;
      /** Connections each replica keeps at most. */
      poolMax: number;
      /** Server-side limit on one statement; 0 means none. */
      statementTimeoutMs: number;
      /** How long start-up waits for the database to answer before giving up. */
      startupTimeoutMs: number;
      /** Store calls that may wait for a connection once all are busy; past it: 503 at once. */
      maxWaiting: number;
      /** Request bodies (by Content-Length) a replica holds at once; past it: 503 before reading one more. */
      maxPendingBytes: number;
    };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  bodyLimit: number;
  logLevel: string;
  /** GET /metrics without an API key. */
  metricsPublic: boolean;
  /** Empty: the server is open, one tenant. */
  apiKeys: ApiKey[];
  /** Requests per minute per API key (per client address without keys); undefined: no limit. */
  rateLimitPerMinute: number | undefined;
  /** Requests with an incorrect API key per minute per client address (IPv6: per /64) before 429. */
  authFailuresPerMinute: number;
  /**
   * The proxies whose X-Forwarded-For names the client (what the per-address limits count by): addresses,
   * CIDR blocks or proxy-addr's range names; false: the client is the connection's address.
   */
  trustProxy: string[] | false;
  /** Origins allowed to call from a browser; `['*']` for any; empty: CORS off. */
  corsOrigins: string[];
  /** How long a run may stay unfinished before it expires (`expires_at` = `created_at` + this). */
  runExpirySeconds: number;
  /** How long a replica's lease on a run it executes lasts unless renewed: a stopped replica's runs are taken over after it. */
  runLeaseSeconds: number;
  /** On shutdown, how long runs in flight may finish before they are failed. */
  runShutdownGraceSeconds: number;
  /** Unfinished runs a tenant may have at once; past it run creation answers 429. */
  runsPerTenant: number;
  /** Runs a replica executes at once; past it run creation answers 429. */
  runsPerReplica: number;
  /** The Chat Completions server runs are executed against; undefined without UPSTREAM_BASE_URL. */
  upstream: UpstreamConfig | undefined;
}

export { ConfigError };

type Settings = Static<typeof ConfigSchema>;

function parseDatabaseUrl(url: string, settings: Settings): DatabaseConfig {
  const synchronous = settings.SQLITE_SYNCHRONOUS;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return {
      engine: 'postgres',
      url,
      poolMax: settings.PG_POOL_MAX,
      statementTimeoutMs: settings.PG_STATEMENT_TIMEOUT_MS,
      startupTimeoutMs: settings.PG_STARTUP_TIMEOUT_MS,
      maxWaiting: settings.PG_MAX_WAITING,
      maxPendingBytes: settings.PG_MAX_PENDING_BYTES,
    };
  }
  if (url === ':memory:' || url === 'sqlite::memory:') return { engine: 'sqlite', path: ':memory:', synchronous };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new ConfigError(`DATABASE_URL: '${url}' names no file; use sqlite:<path> or :memory:`);
    return { engine: 'sqlite', path, synchronous };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(
      `DATABASE_URL: unsupported scheme in '${url}'; use a file path, sqlite:<path>, :memory: or postgres://…`,
    );
  }
  return { engine: 'sqlite', path: url, synchronous };
}

/** What a setting accepts, in words: one line per bad setting instead of one per failed schema branch. */
function expectation(schema: TSchema): string {
  const s = schema as {
    anyOf?: { const: unknown }[];
    type?: string;
    minimum?: number;
    maximum?: number;
    minLength?: number;
  };
  if (s.anyOf) return `one of ${s.anyOf.map((branch) => branch.const).join(', ')}`;
  if (s.type === 'integer') {
    return s.maximum === undefined
      ? `an integer of at least ${s.minimum}`
      : `an integer from ${s.minimum} to ${s.maximum}`;
  }
  return 'a non-empty string';
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/** proxy-addr's names for ranges: 127/8 and ::1, 169.254/16 and fe80::/10, 10/8, 172.16/12, 192.168/16 and fc00::/7. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string): string[] | false {
  if (value === '') return false;
  const proxies = value.split(',').map((proxy) => proxy.trim());
  const bad = proxies.find((proxy) => {
    if (PROXY_RANGES.has(proxy)) return false;
    const [address = '', bits, ...rest] = proxy.split('/');
    const max = isIPv6(address) ? 128 : 32;
    return (
      isIP(address) === 0 || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))
    );
  });
  if (bad !== undefined) {
    throw new ConfigError(
      `TRUST_PROXY must be comma-separated proxy addresses, CIDR blocks, loopback, linklocal or uniquelocal, got '${bad}'`,
    );
  }
  return proxies;
}

/** A URL as it may appear in an error line: user name and password replaced. */
function withoutCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

function parseModelMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of value.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    const [name, model] = [entry.slice(0, equals).trim(), entry.slice(equals + 1).trim()];
    if (equals === -1 || name === '' || model === '') {
      throw new ConfigError(`UPSTREAM_MODEL_MAP must be comma-separated name=model pairs, got '${entry.trim()}'`);
    }
    if (Object.hasOwn(map, name)) throw new ConfigError(`UPSTREAM_MODEL_MAP names '${name}' twice`);
    map[name] = model;
  }
  return map;
}

/**
 * The upstream, when UPSTREAM_BASE_URL is set. The key, and a base URL with a user name or password in it,
 * are non-enumerable properties: a config logged, serialized, inspected or spread does not show them.
 */
function parseUpstream(settings: Settings, env: NodeJS.ProcessEnv): UpstreamConfig | undefined {
  const base = settings.UPSTREAM_BASE_URL;
  if (base === undefined) {
    const orphan = [
      'UPSTREAM_API_KEY',
      'UPSTREAM_MODEL_MAP',
      'UPSTREAM_TIMEOUT_MS',
      'UPSTREAM_IDLE_TIMEOUT_MS',
      'UPSTREAM_MAX_RETRIES',
    ].find((key) => env[key] !== undefined && env[key] !== '');
    if (orphan !== undefined) throw new ConfigError(`${orphan} is set but UPSTREAM_BASE_URL is not`);
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {}
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError(
      `UPSTREAM_BASE_URL must be an http:// or https:// URL without query, e.g. http://127.0.0.1:11434/v1, got '${withoutCredentials(base)}'`,
    );
  }
  const upstream: UpstreamConfig = {
    baseUrl: base.replace(/\/+$/, ''),
    modelMap: parseModelMap(settings.UPSTREAM_MODEL_MAP),
    connectTimeoutMs: settings.UPSTREAM_TIMEOUT_MS,
    idleTimeoutMs: settings.UPSTREAM_IDLE_TIMEOUT_MS,
    maxRetries: settings.UPSTREAM_MAX_RETRIES,
  };
  if (settings.UPSTREAM_API_KEY !== undefined) {
    Object.defineProperty(upstream, 'apiKey', { value: settings.UPSTREAM_API_KEY, enumerable: false });
  }
  if (url.username !== '' || url.password !== '') Object.defineProperty(upstream, 'baseUrl', { enumerable: false });
  return upstream;
}

const isValid = (schema: TSchema, value: unknown) =>
  'value' in compileValidator(schema as Record<string, unknown>, { coerceStrings: false })(value);

/** Reads the settings from the environment once; a bad value stops start-up with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '')
      raw[key] = INTEGER_SETTINGS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  // The route validators check each setting: `typebox/value` would add a third of a second to start-up.
  const withDefaults = Object.fromEntries(
    Object.entries(ConfigSchema.properties).map(([key, schema]) => [
      key,
      raw[key] ?? (schema as { default?: unknown }).default,
    ]),
  );
  const problems = Object.entries(ConfigSchema.properties)
    .filter(([key, schema]) => withDefaults[key] !== undefined && !isValid(schema, withDefaults[key]))
    .map(([key, schema]) => `${key} must be ${expectation(schema)}, got '${env[key]}'`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  const settings = withDefaults as Settings;
  const apiKeys = readApiKeys(env);
  if (apiKeys.length === 0 && !isLoopback(settings.HOST) && settings.ALLOW_UNAUTHENTICATED !== 'true') {
    throw new ConfigError(
      `Refusing to listen on ${settings.HOST} without API keys: anyone who can reach it could read and write every thread. ` +
        'Set API_KEYS (comma-separated keys, tenant:key to group them) or API_KEYS_FILE (one per line), ' +
        'or set ALLOW_UNAUTHENTICATED=true if the network in front of it does the authentication.',
    );
  }
  return {
    port: settings.PORT,
    host: settings.HOST,
    database: parseDatabaseUrl(settings.DATABASE_URL, settings),
    bodyLimit: settings.BODY_LIMIT,
    logLevel: settings.LOG_LEVEL,
    metricsPublic: settings.METRICS_PUBLIC === 'true',
    apiKeys,
    rateLimitPerMinute: settings.RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: settings.AUTH_FAILURES_PER_MINUTE,
    trustProxy: parseTrustProxy(settings.TRUST_PROXY),
    corsOrigins: settings.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    runExpirySeconds: settings.RUN_EXPIRY_SECONDS,
    runLeaseSeconds: settings.RUN_LEASE_SECONDS,
    runShutdownGraceSeconds: settings.RUN_SHUTDOWN_GRACE_SECONDS,
    runsPerTenant: settings.RUNS_PER_TENANT,
    runsPerReplica: settings.RUNS_PER_REPLICA,
    upstream: parseUpstream(settings, env),
  };
}
