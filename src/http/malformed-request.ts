import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError, headersTooLarge, requestTimedOut } from '../errors.js';
import { newRequestId } from '../ids.js';

/**
 * Answers a request Node's parser refused before routing (headers too large, too slow, malformed) with the
 * envelope, on the raw socket. Installed as Fastify's `clientErrorHandler` option.
 */
export function rejectMalformedRequest(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
  if (!socket.writable) return socket.destroy(error);
  const requestId = newRequestId();
  this.log.info({ reqId: requestId, code: error.code }, 'request refused before routing');
  const [status, reason, apiError] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', headersTooLarge()]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', requestTimedOut()]
        : [400, 'Bad Request', new ApiError(400, 'Bad request.')];
  const body = JSON.stringify(apiError.toBody());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
