import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ minLength: 1, default: './data/threadstore.db' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, default: 2 * 1024 * 1024 }),
  PG_POOL_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  PG_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  PG_STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 60_000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
});

const INTEGER_SETTINGS = new Set(['PORT', 'BODY_LIMIT', 'PG_POOL_MAX', 'PG_STATEMENT_TIMEOUT_MS', 'PG_STARTUP_TIMEOUT_MS']);

export type DatabaseConfig =
  | { engine: 'sqlite'; path: string }
  | {
      engine: 'postgres';
      url: string;
      /** Connections each replica keeps at most. */
      poolMax: number;
      /** Server-side limit on one statement; 0 means none. */
      statementTimeoutMs: number;
      /** How long start-up waits for the database to answer before giving up. */
      startupTimeoutMs: number;
    };

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  bodyLimit: number;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Settings = Static<typeof ConfigSchema>;

function parseDatabaseUrl(url: string, settings: Settings): DatabaseConfig {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return {
      engine: 'postgres',
      url,
      poolMax: settings.PG_POOL_MAX,
      statementTimeoutMs: settings.PG_STATEMENT_TIMEOUT_MS,
      startupTimeoutMs: settings.PG_STARTUP_TIMEOUT_MS,
    };
  }
  if (url === ':memory:' || url === 'sqlite::memory:') return { engine: 'sqlite', path: ':memory:' };
  if (url.startsWith('sqlite:')) return { engine: 'sqlite', path: url.slice('sqlite:'.length).replace(/^\/\//, '') };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new ConfigError(`DATABASE_URL: unsupported scheme in '${url}'; use a file path, sqlite:<path>, :memory: or postgres://…`);
  }
  return { engine: 'sqlite', path: url };
}

/** Reads the settings from the environment once; a bad value stops start-up with a message naming it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = INTEGER_SETTINGS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const problems = errors.map((e) => `${e.instancePath.slice(1) || 'config'} ${e.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const settings = withDefaults as Settings;
  return {
    port: settings.PORT,
    host: settings.HOST,
    database: parseDatabaseUrl(settings.DATABASE_URL, settings),
    bodyLimit: settings.BODY_LIMIT,
    logLevel: settings.LOG_LEVEL,
  };
}
