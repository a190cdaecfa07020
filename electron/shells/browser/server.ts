// The browser shell: the built renderer over HTTP plus the API over one WebSocket at /api.
// Only a page of our own origin that knows this launch's token gets the API: any local page
// or process could otherwise drive libvirt through us.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve as resolvePath, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { API_PATH, TOKEN_PARAM } from '../../../shared/api/protocol.js';
import type { Backend } from '../../backend/backend.js';
import { contentSecurityPolicy } from '../../csp.js';
import { bridgeWebSocket } from './ws-bridge.js';

export interface BrowserShellOptions {
  backend: Backend;
  /** The built renderer (index.html and assets/). */
  staticRoot: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
}

export interface BrowserShell {
  /** Address to open, with the token in the fragment (never sent to the server in requests). */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export async function startBrowserShell({ backend, staticRoot, host = '127.0.0.1', port = 0 }: BrowserShellOptions): Promise<BrowserShell> {
  const root = resolvePath(staticRoot);
  const token = randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostInUrl}:${boundPort}`;
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy([`ws://${hostInUrl}:${boundPort}`]),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };

  server.on('request', (req, res) => {
    serveStatic(root, headers, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
      console.warn(`Vireo: serving ${req.url} failed: ${(e as Error).message}`);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== API_PATH) return refuse(socket, 404, 'Not Found');
    // Browsers always send Origin on WebSocket requests; a foreign page's origin is refused.
    if (req.headers.origin !== origin) return refuse(socket, 403, 'Forbidden');
    if (!sameSecret(url.searchParams.get(TOKEN_PARAM) ?? '', token)) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => bridgeWebSocket(ws, backend));
  });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    port: boundPort,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function serveStatic(root: string, headers: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  const info = file.startsWith(root + sep) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    // Hashed asset names never change content; index.html must always be fresh.
    'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
