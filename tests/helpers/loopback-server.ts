import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A node:http server listening on 127.0.0.1 at a port the OS chose. */
export interface LoopbackServer {
  /** Origin of the server, `http://127.0.0.1:<port>`, with no trailing slash. */
  origin: string;
  /** The TCP port the OS gave the server. */
  port: number;
  /**
   * Stops accepting connections, destroys every open socket (so a request that is never
   * answered does not keep the server alive) and resolves once the server is closed.
   * Calling it again resolves at once. Never rejects.
   */
  close(): Promise<void>;
}

/**
 * Handles one request. It must answer (or deliberately not answer) the request itself; a
 * returned promise that rejects is answered with 500 when no response was started yet.
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Starts a real node:http server on 127.0.0.1, port 0 (any free port), that tracks its sockets
 * so that {@link LoopbackServer.close} can end them all.
 *
 * @param handler Called for every request.
 * @returns The listening server.
 * @throws Error when the server cannot listen (e.g. no loopback interface).
 */
export async function listenOnLoopback(handler: RequestHandler): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`internal error: ${String(error)}`);
      });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
