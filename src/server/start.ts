/**
 * Bind the HTTP app to a port. `close()` stops accepting, lets in-flight requests finish (bounded
 * by `drainTimeoutMs`), commits pending webhook rows and stops background work; the caller closes
 * the runtime afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError, errorMessage } from '../runtime/errors.js';
import { createHttpApp, type HttpApp, type HttpAppOptions } from './app.js';
import type { HttpRuntime } from './ports.js';

export interface StartServerOptions extends HttpAppOptions {
  port: number;
  host: string;
  /** Longest wait for in-flight requests on close (default 8000 ms). */
  drainTimeoutMs?: number;
  /** Whole request (headers and body) must arrive within this (default 30 s): 408 beyond. */
  requestTimeoutMs?: number;
  /** Headers must arrive within this (default 15 s): 408 beyond. */
  headersTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  app: HttpApp;
  server: Server;
  close(): Promise<void>;
}

/** What a request node's parser refused gets: 408 for a timeout, 431 for oversized headers, else 400. */
export function clientErrorAnswer(code: string | undefined): [string, string, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return ['408 Request Timeout', 'request_timeout', 'the request was not received in time'];
  if (code === 'HPE_HEADER_OVERFLOW')
    return [
      '431 Request Header Fields Too Large',
      'headers_too_large',
      'the request headers are larger than the server accepts',
    ];
  return ['400 Bad Request', 'bad_request', 'malformed HTTP request'];
}

export async function startServer(runtime: HttpRuntime, options: StartServerOptions): Promise<RunningServer> {
  const app = createHttpApp(runtime, options);
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      headersTimeout: options.headersTimeoutMs ?? 15_000,
      keepAliveTimeout: 5_000,
      // How often node looks for requests past those timeouts.
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(100, Math.floor((options.headersTimeoutMs ?? 15_000) / 4)),
      ),
    },
    app.handle,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const [status, code, message] = clientErrorAnswer(error.code);
    if (
      socket.writable &&
      !(socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
    ) {
      const body = JSON.stringify({ code, message });
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else socket.destroy();
  });

  await app.start();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UserError(`Port ${options.port} on ${options.host} is already in use`, {
        nextStep: 'Stop the process using it (another `caio serve` or console?), or set PORT to a free port.',
        code: 'port_in_use',
      });
    }
    throw new UserError(`Cannot listen on ${options.host}:${options.port}: ${errorMessage(error)}`, {
      nextStep: 'Check HOST and PORT.',
      code: 'listen_failed',
    });
  }

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;

  const close = () =>
    (closing ??= (async () => {
      app.endStreams();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const poll = setInterval(() => server.closeIdleConnections(), 50);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, options.drainTimeoutMs ?? 8000);
      });
      await Promise.race([drained, deadline]);
      clearInterval(poll);
      clearTimeout(timer);
      await app.close();
    })());

  return { url: `http://${host}:${address.port}`, port: address.port, app, server, close };
}
