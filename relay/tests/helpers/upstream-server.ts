/**
 * A node:http "upstream" for proxy tests, on any loopback address (127.0.0.1, 127.0.0.2, ...)
 * at an OS-chosen port, that records the requests it gets and can end every socket on close.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the upstream received. */
export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** A listening upstream. */
export interface UpstreamServer {
  /** `http://<host>:<port>`. */
  origin: string;
  port: number;
  /** Requests received so far, in order. */
  requests: SeenRequest[];
  /** Closes the server and destroys its sockets. Never rejects. */
  close(): Promise<void>;
}

/**
 * Starts an upstream on `host` (default 127.0.0.1).
 * @throws Error when it cannot listen.
 */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, host = '127.0.0.1'): Promise<UpstreamServer> {
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    Promise.resolve()
      .then(() => handler(req, res))
      .catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
