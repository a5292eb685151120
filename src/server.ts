import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { reloadApiKeys } from './auth/key-reload.js';
import { loggerOptions } from './http/logger.js';

/** A setting or a database the server cannot use: one line saying what to do, exit code 1. */
function refuseToStart(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    refuseToStart(error);
  }
}

const config = readConfig();
const app = await buildApp(config, { logger: loggerOptions(config.logLevel, 'stdout') }).catch(refuseToStart);

// SIGHUP reloads the API keys (below) instead of closing, as supervisors and `docker kill -s HUP` expect.
closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close();
});

if (config.apiKeys.length === 0) {
  app.log.warn(
    'no API keys configured: the API is open to anyone who can reach it, as one tenant (set API_KEYS to require keys)',
  );
}
process.on('SIGHUP', () => reloadApiKeys(app.keys, process.env, app.log));
await app.listen({ port: config.port, host: config.host });
