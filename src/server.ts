import closeWithGrace from 'close-with-grace';
import { buildApp, REDACTED_LOG_PATHS } from './app.js';
import { ConfigError, loadConfig } from './config.js';

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = readConfig();
const app = await buildApp(config, {
  logger: {
    level: config.logLevel,
    redact: REDACTED_LOG_PATHS,
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty' } } : {}),
  },
});

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'closing');
  await app.close();
});

if (config.apiKeys.length === 0) {
  app.log.warn('no API keys configured: the API is open to anyone who can reach it, as one tenant (set API_KEYS to require keys)');
}
await app.listen({ port: config.port, host: config.host });
