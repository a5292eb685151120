import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** The levels at which a logger writes `info` lines. */
const WRITES_INFO = new Set(['info', 'debug', 'trace']);

/**
 * One log line per request, when it completes: id, method, route, status and time.
 * Never the body or headers, so message content and API keys stay out of the log.
 */
export class RequestLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply) {
    // Checked first: at `warn` (the default) a successful request costs no line built and thrown away.
    if (!error && !WRITES_INFO.has(reply.log.level)) return;
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url ?? null,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
