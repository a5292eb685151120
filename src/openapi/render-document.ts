import type { FastifyInstance } from 'fastify';

const HEADER = '# Generated from the route schemas by `npm run openapi`; do not edit by hand.\n';

/** The committed openapi.yaml, byte for byte: what `npm run openapi` writes and the drift test compares. */
export function renderDocument(app: FastifyInstance): string {
  return HEADER + app.swagger({ yaml: true });
}
