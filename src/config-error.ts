/** A setting, or a database, the program cannot use: its message says what to do. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
