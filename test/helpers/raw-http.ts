import { request as httpRequest, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The local port of the socket it came over: equal ports on one agent mean a reused connection. */
  localPort: number | undefined;
  reusedSocket: boolean;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  /** Written as is; omit for a request with no body. */
  body?: string | Buffer;
  agent?: Agent;
}

/** One request through Node's own HTTP client: only the headers given here are sent (plus Host). */
export function send(baseURL: string, { method, path, headers = {}, body, agent }: RawRequest): Promise<RawResponse> {
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers, agent: agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            localPort: req.socket?.localPort,
            reusedSocket: req.reusedSocket,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * Writes bytes to a fresh TCP connection and reads until the server closes it or `until` says the answer
 * is complete. For requests Node's client would not send, or would send differently.
 */
export function sendBytes(baseURL: string, bytes: string, until?: (received: string) => boolean): Promise<string> {
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let received = '';
    const finish = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (until?.(received)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset the connection right after answering a request it refused.
      if (received !== '' && error.code === 'ECONNRESET') finish();
      else reject(error);
    });
  });
}

/** Splits a raw HTTP/1.1 response with a Content-Length body into its parts. */
export function parseRawResponse(raw: string) {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = raw.slice(0, headerEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(headerEnd + 4);
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
