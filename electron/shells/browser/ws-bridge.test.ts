// Backpressure through the browser shell's WebSocket: a stream whose client stops reading is
// paused at its source (StreamHandle.pause) and resumed once the client reads again, with no
// byte lost or reordered.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../../shared/api/protocol.js';
import { decodeStreamFrame } from '../../../shared/api/protocol.js';
import { type Backend, createBackend } from '../../backend/backend.js';
import { fakeBinding } from '../../test/fake-binding.js';
import { type BrowserShell, startBrowserShell } from './server.js';

const CHUNK = 64 * 1024;
const TOTAL = 48 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir: string;
let backend: Backend;
let shell: BrowserShell;
const calls: string[] = [];
let produced = 0;
let producedAtPause = -1;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vireo-flow-'));
  await mkdir(join(dir, 'www'));
  await writeFile(join(dir, 'www', 'index.html'), '<!doctype html>');
  backend = createBackend({ binding: fakeBinding().binding, configDir: join(dir, 'config'), detected: [] });
  // A source as fast as memory: numbered chunks until TOTAL, honouring pause/resume.
  backend.streams['console.serial'] = async (_params, toClient) => {
    const state = { paused: false, closed: false };
    const pump = () => {
      while (!state.paused && !state.closed && produced < TOTAL) {
        const chunk = new Uint8Array(CHUNK);
        new DataView(chunk.buffer).setUint32(0, produced / CHUNK);
        produced += CHUNK;
        toClient.data(chunk);
        if (produced % (1024 * 1024) === 0) return void setImmediate(pump); // let the socket drain
      }
      if (produced >= TOTAL && !state.closed) toClient.end(null);
    };
    setImmediate(pump);
    return {
      write: () => undefined,
      close: () => {
        state.closed = true;
      },
      pause: () => {
        calls.push('pause');
        if (producedAtPause < 0) producedAtPause = produced;
        state.paused = true;
      },
      resume: () => {
        calls.push('resume');
        state.paused = false;
        setImmediate(pump);
      },
    };
  };
  shell = await startBrowserShell({ backend, staticRoot: join(dir, 'www') });
});

afterAll(async () => {
  await shell.close();
  await backend.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('stream backpressure over the WebSocket bridge', () => {
  it('pauses the source while the client does not read, resumes it after, and loses nothing', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/api?token=${shell.token}`, { headers: { Origin: shell.origin } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let streamId = -1;
    let received = 0;
    let nextChunk = 0;
    const stream = { ended: false };
    let outOfOrder = 0;
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if ('result' in m) streamId = (m.result as { streamId: number }).streamId;
        if ('streamEnd' in m) stream.ended = true;
        return;
      }
      const frame = decodeStreamFrame(new Uint8Array(data));
      if (!frame || frame.streamId !== streamId) return;
      if (frame.bytes.byteLength === CHUNK && new DataView(frame.bytes.buffer, frame.bytes.byteOffset).getUint32(0) !== nextChunk) outOfOrder++;
      nextChunk++;
      received += frame.bytes.byteLength;
    });
    ws.send(JSON.stringify({ id: 1, openStream: 'console.serial', params: { connectionId: 'demo', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' } }));
    // Stop reading at once: the kernel's buffers fill, then the bridge's, then the source pauses.
    ws.pause();
    // The source pauses (and may resume while the kernel's buffers still take bytes) until it
    // stays paused: then nothing more is produced.
    let stalled = 0;
    let last = -1;
    for (let i = 0; i < 400 && stalled < 10; i++) {
      await sleep(25);
      stalled = calls.at(-1) === 'pause' && produced === last ? stalled + 1 : 0;
      last = produced;
    }
    expect(calls.at(-1)).toBe('pause');
    // What piled up: the kernel's socket buffers plus about 1 MiB in the bridge, not the stream.
    expect(produced).toBeLessThan(TOTAL / 2);
    expect(producedAtPause).toBeGreaterThan(0);
    const pausesBefore = calls.length;
    ws.resume();
    for (let i = 0; i < 400 && !stream.ended; i++) await sleep(25);
    expect(stream.ended).toBe(true);
    expect(calls[pausesBefore]).toBe('resume');
    expect(received).toBe(TOTAL);
    expect(outOfOrder).toBe(0);
    ws.close();
  });
});
