import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../../shared/api/protocol.js';
import { decodeStreamFrame, encodeStreamFrame } from '../../../shared/api/protocol.js';
import { type Backend, createBackend } from '../../backend/backend.js';
import { fakeBinding } from '../../test/fake-binding.js';
import { type BrowserShell, startBrowserShell } from './server.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
let dir: string;
let backend: Backend;
let shell: BrowserShell;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vireo-shell-'));
  const staticRoot = join(dir, 'www');
  await mkdir(staticRoot);
  await writeFile(join(staticRoot, 'index.html'), '<!doctype html><title>Vireo</title>');
  await writeFile(join(dir, 'secret.txt'), 'outside the static root');
  backend = createBackend({ binding: fakeBinding().binding, configDir: join(dir, 'config'), detected: [] });
  // An echo stream stands in for the consoles until they exist: it checks the framing both ways.
  backend.streams['console.serial'] = async (_params, toClient) => ({
    write: (bytes) => toClient.data(new Uint8Array([...new TextEncoder().encode('echo:'), ...bytes])),
    close: () => toClient.end(null),
  });
  // A declared channel without a handler (the last test checks 'not-implemented' with it).
  delete backend.streams['console.graphics'];
  shell = await startBrowserShell({ backend, staticRoot });
});

afterAll(async () => {
  await shell.close();
  await backend.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Opens /api with the given token and Origin; resolves with the socket or the HTTP status of the refusal. */
function connect(options: { token?: string; origin?: string }): Promise<WebSocket | number> {
  const url = new URL('/api', shell.origin.replace('http', 'ws'));
  if (options.token !== undefined) url.searchParams.set('token', options.token);
  const ws = new WebSocket(url, options.origin === undefined ? {} : { headers: { Origin: options.origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, where: (m: ServerMessage) => boolean = () => true): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (!where(message)) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

async function call(ws: WebSocket, id: number, method: string, params?: unknown): Promise<ServerMessage> {
  const reply = nextMessage(ws, (m) => 'id' in m && m.id === id);
  ws.send(JSON.stringify({ id, method, params }));
  return reply;
}

describe('browser shell', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token in the fragment', () => {
    expect(shell.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shell.url).toBe(`${shell.origin}/#token=${shell.token}`);
    expect(shell.token).toMatch(/^[\w-]{43}$/);
  });

  it('serves the renderer with a strict CSP and nothing outside its folder', async () => {
    const res = await fetch(`${shell.origin}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${shell.port}`);
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${shell.origin}/..%2Fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${shell.origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses the API without the token or with a wrong one (401)', async () => {
    expect(await connect({ origin: shell.origin })).toBe(401);
    expect(await connect({ origin: shell.origin, token: 'guess' })).toBe(401);
    expect(await connect({ origin: shell.origin, token: `${shell.token.slice(0, -1)}x` })).toBe(401);
  });

  it('refuses the API to other origins, even with the token (403)', async () => {
    expect(await connect({ token: shell.token, origin: 'http://evil.example' })).toBe(403);
    expect(await connect({ token: shell.token, origin: `http://localhost:${shell.port}` })).toBe(403);
    expect(await connect({ token: shell.token })).toBe(403);
  });

  it('answers calls with the right token and origin, invalid ones with a structured error', async () => {
    const ws = await connect({ token: shell.token, origin: shell.origin });
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    const list = await call(ws, 1, 'connections.list');
    expect(list).toMatchObject({ id: 1, result: { items: [{ id: 'demo', uri: 'test:///default' }] } });
    const invalid = await call(ws, 2, 'stats.setConfig', { intervalMs: 50 });
    expect(invalid).toMatchObject({ id: 2, error: { code: 'invalid-input', issues: [{ path: ['intervalMs'], message: 'intervalMs must be at least 1000' }] } });
    const unknown = await call(ws, 3, 'shell.exec', { cmd: 'id' });
    expect(unknown).toMatchObject({ id: 3, error: { code: 'unknown-method' } });
    const garbage = nextMessage(ws);
    ws.send('not json');
    expect(await garbage).toMatchObject({ id: null, error: { code: 'invalid-input' } });
    ws.close();
  });

  it('carries stream bytes in frames prefixed with the stream id', async () => {
    const ws = await connect({ token: shell.token, origin: shell.origin });
    if (typeof ws === 'number') throw new Error(`refused with ${ws}`);
    const opened = nextMessage(ws, (m) => 'id' in m && m.id === 'open-1');
    ws.send(JSON.stringify({ id: 'open-1', openStream: 'console.serial', params: { connectionId: 'demo', uuid: TEST_UUID } }));
    const reply = await opened;
    if (!('result' in reply)) throw new Error(JSON.stringify(reply));
    const { streamId } = reply.result as { streamId: number };
    const echoed = new Promise<string>((resolve) =>
      ws.once('message', (data: Buffer) => {
        const frame = decodeStreamFrame(new Uint8Array(data));
        resolve(`${frame?.streamId}:${new TextDecoder().decode(frame?.bytes)}`);
      }),
    );
    ws.send(encodeStreamFrame(streamId, new TextEncoder().encode('ls\r')));
    expect(await echoed).toBe(`${streamId}:echo:ls\r`);
    const ended = nextMessage(ws, (m) => 'streamEnd' in m);
    ws.send(JSON.stringify({ closeStream: streamId }));
    expect(await ended).toEqual({ streamEnd: streamId, error: null });
    const notYet = await new Promise<ServerMessage>((resolve) => {
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())));
      ws.send(JSON.stringify({ id: 9, openStream: 'console.graphics', params: { connectionId: 'demo', uuid: TEST_UUID } }));
    });
    expect(notYet).toMatchObject({ id: 9, error: { code: 'not-implemented' } });
    ws.close();
  });
});
