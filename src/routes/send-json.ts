import type { FastifyReply } from 'fastify';

/**
 * Answers with JSON text made earlier (an item's stored answer, or a page stitched from them): with the
 * content type set, Fastify sends a string as it is, without the route's response serializer.
 */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
