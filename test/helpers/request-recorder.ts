import type { IncomingHttpHeaders, Server } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  status: number;
}

/**
 * Records what arrives on a listening server's socket and the status it answered, by listening beside the
 * app on Node's own `request` event: it reads headers only, never the body, so the app runs untouched.
 */
export function recordRequests(server: Server) {
  const requests: RecordedRequest[] = [];
  server.on('request', (req, res) => {
    res.on('finish', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, status: res.statusCode });
    });
  });
  return {
    requests,
    clear() {
      requests.length = 0;
    },
  };
}
