import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url);

/**
 * Docker Compose's interpolation of `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}` and `$$`, as compose applies it to a file before it starts anything:
 * a required variable that is missing throws with compose's message.
 */
export function interpolate(text: string, shell: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name, colon, kind, word, bare) => {
      if (whole === '$$') return '$';
      if (bare !== undefined) return shell[bare] ?? '';
      const value = shell[name];
      const missing = value === undefined || (colon === ':' && value === '');
      if (kind === '-') return missing ? word : value!;
      if (kind === '?' && missing) throw new Error(`required variable ${name} is missing a value: ${word}`);
      return value ?? '';
    },
  );
}

/** Compose interpolates the parsed file's strings, so `${X:-false}` stays the string "false". */
function interpolateValues(value: unknown, shell: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, shell);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, shell));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateValues(item, shell)]));
  }
  return value;
}

/** The `ENV` of the Dockerfile's runtime stage: what every container starts with before compose's environment. */
export function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(new URL('Dockerfile', ROOT), 'utf8');
  const lines = dockerfile.split('\n');
  const runtime = lines.slice(lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true));
  const env: Record<string, string> = {};
  for (const line of runtime.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, ...value] = pair.split('=');
      env[key!] = value.join('=');
    }
  }
  return env;
}

/** Each threadstore service of a compose file (those built from this repository) with its environment as a container would see it. */
export function composeServices(file: string, shell: Record<string, string | undefined>) {
  const compose = interpolateValues(parse(readFileSync(new URL(file, ROOT), 'utf8')), shell) as {
    services: Record<string, { build?: string; init?: boolean; environment?: Record<string, string> }>;
  };
  return Object.entries(compose.services)
    .filter(([, service]) => service.build === '.')
    .map(([name, service]) => ({ name, init: service.init, env: { ...imageEnvironment(), ...service.environment } }));
}
