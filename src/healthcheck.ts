/**
 * The container's HEALTHCHECK: exits 0 when GET /health on this machine's server answers 200, else 1.
 * Node, not curl: slim images have no curl. Reads the same PORT as the server.
 */
const port = process.env.PORT || '8080';

try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
