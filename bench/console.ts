// npm run bench:console — the consoles through Vireo against their usual baselines, on one tiny
// lab guest in the same run (needs `bash scripts/lab.sh start`):
//  1. serial throughput: `seq` output through Vireo (backend + browser shell WebSocket bridge, as
//     the renderer gets it) vs `virsh console` (in a pty from script(1)); target >= 0.9x;
//  2. keystroke echo latency (p50/p99) over the same two paths;
//  3. VNC update rate: noVNC in Chromium fed through Vireo's bridge (console.graphics stream over
//     the browser shell's WebSocket) vs the same noVNC through websockify to the guest's VNC port
//     (a Node ws<->TCP proxy stands in, and says so, where websockify is not installed); target >= 1.0x.
// Serial runs alternate between the two sides (the console is exclusive); the two VNC viewers run
// at the same time on the same guest. Ratios are medians of per-round (per-window) ratios, since
// the TCG guest's speed drifts with the host's load. Exit code 1 when a target is missed.
// VIREO_BENCH_ROUNDS (5), VIREO_BENCH_SEQ (100000), VIREO_BENCH_KEYS (200), VIREO_BENCH_VNC_SECONDS (8),
// VIREO_BENCH_ONLY=serial|vnc, VIREO_BENCH_DEBUG=1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { WebSocket, WebSocketServer } from 'ws';
import { type LabGuest, defineGuest, labReady, removeGuest, virsh } from '../electron/test/lab.js';
import { type Backend, createBackend } from '../electron/backend/backend.js';
import { findExecutable } from '../electron/backend/consoles.js';
import { RENDERER_OUT, ensureRendererBuilt } from '../electron/shells/browser/renderer-build.js';
import { type BrowserShell, startBrowserShell } from '../electron/shells/browser/server.js';
import type { ServerMessage } from '../shared/api/protocol.js';
import { decodeStreamFrame, encodeStreamFrame } from '../shared/api/protocol.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.VIREO_BENCH_ROUNDS ?? 5);
const SEQ_LINES = Number(process.env.VIREO_BENCH_SEQ ?? 100_000);
const ECHO_KEYS = Number(process.env.VIREO_BENCH_KEYS ?? 200);
const VNC_SECONDS = Number(process.env.VIREO_BENCH_VNC_SECONDS ?? 8);

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- a text console, either way

/** Bytes from a console with waiting for a pattern (checked on every chunk, no polling delay). */
abstract class TextConsole {
  text = '';
  bytes = 0;
  private waiters: { test: (text: string) => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  protected endedWith: string | null = null;
  /** The console went away (libvirtd restarted, guest gone): waiting is over. */
  protected ended(why: string): void {
    this.endedWith = why;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`console ended: ${why}`));
  }
  protected receive(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.text += chunk.toString('latin1');
    if (this.text.length > 4_000_000) this.text = this.text.slice(-1_000_000);
    if (this.waiters.length === 0) return;
    // Only the new bytes (and a little before them) can complete a pattern: scanning the whole
    // output for each chunk would cost this process, which also runs the backend, O(n^2).
    const tail = this.text.slice(-(chunk.length + 256));
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(tail)) return true;
      w.resolve();
      return false;
    });
  }
  abstract write(text: string): void;
  abstract close(): Promise<void>;
  waitFor(test: (text: string) => boolean, ms: number, what: string): Promise<void> {
    if (test(this.text)) return Promise.resolve();
    if (this.endedWith) return Promise.reject(new Error(`console ended: ${this.endedWith}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`console: no ${what} within ${ms} ms; last output ${JSON.stringify(this.text.slice(-200))}`)), ms);
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }
  /** Enter until a prompt shows. */
  async prompt(): Promise<void> {
    for (let i = 0; i < 60; i++) {
      this.text = '';
      this.write('\r');
      try {
        await this.waitFor((t) => t.includes('tiny# '), 2000, 'prompt');
        return;
      } catch (e) {
        if (this.endedWith) throw e; // gone: no prompt will come
        // booting still
      }
    }
    throw new Error('no shell prompt on the serial console');
  }
}

/** The browser shell's WebSocket API, as the renderer's ws-client speaks it. */
class ShellApi {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; sink?: (b: Buffer) => void; streamId?: number }>();
  private readonly sinks = new Map<number, (b: Buffer) => void>();
  private readonly ends = new Map<number, (why: string) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) {
        const frame = decodeStreamFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (frame) this.sinks.get(frame.streamId)?.(Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength));
        return;
      }
      const message = JSON.parse(data.toString()) as ServerMessage;
      if ('streamEnd' in message) return this.ends.get(message.streamEnd)?.(message.error?.message ?? 'end of stream');
      if (!('id' in message) || typeof message.id !== 'number') return;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if ('error' in message) return p.reject(new Error(message.error.message));
      // Register the sink before anything else is read: the stream's bytes follow at once.
      const result = (message as { result: unknown }).result as { streamId?: number };
      if (p.sink && typeof result?.streamId === 'number') this.sinks.set(result.streamId, p.sink);
      p.resolve(result);
    });
  }
  static connect(shell: BrowserShell): Promise<ShellApi> {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/api?token=${shell.token}`, { headers: { Origin: shell.origin } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ShellApi(ws)));
      ws.once('error', reject);
    });
  }
  private request(message: object, sink?: (b: Buffer) => void): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(sink && { sink }) });
      this.ws.send(JSON.stringify({ id, ...message }));
    });
  }
  call(method: string, params: unknown): Promise<unknown> {
    return this.request({ method, params });
  }
  async openStream(channel: string, params: unknown, sink: (b: Buffer) => void, onEnd: (why: string) => void): Promise<{ write(b: Uint8Array): void; close(): void }> {
    const { streamId } = (await this.request({ openStream: channel, params }, sink)) as { streamId: number };
    this.ends.set(streamId, onEnd);
    return {
      write: (b) => this.ws.send(encodeStreamFrame(streamId, b)),
      close: () => {
        this.sinks.delete(streamId);
        this.ws.send(JSON.stringify({ closeStream: streamId }));
      },
    };
  }
  close(): void {
    this.ws.close();
  }
}

class VireoConsole extends TextConsole {
  private handle!: { write(b: Uint8Array): void; close(): void };
  static async open(api: ShellApi, uuid: string): Promise<VireoConsole> {
    const c = new VireoConsole();
    c.handle = await api.openStream(
      'console.serial',
      { connectionId: 'launch', uuid, force: true },
      (b) => c.receive(b),
      (why) => c.ended(why),
    );
    return c;
  }
  write(text: string): void {
    this.handle.write(Buffer.from(text, 'latin1'));
  }
  async close(): Promise<void> {
    this.handle.close();
    await sleep(200); // libvirt releases the console
  }
}

class VirshConsole extends TextConsole {
  private child!: ChildProcess;
  static async open(name: string): Promise<VirshConsole> {
    const c = new VirshConsole();
    // virsh console needs a terminal: script(1) gives it a pty.
    c.child = spawn('script', ['-qfec', `virsh -c qemu:///system console ${name} --force`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    c.child.stdout!.on('data', (b: Buffer) => c.receive(b));
    c.child.once('exit', (code) => c.ended(`virsh console exited (${code}): ${c.text.slice(-120)}`));
    await c.waitFor((t) => t.includes('Escape character'), 20_000, 'virsh console banner');
    return c;
  }
  write(text: string): void {
    this.child.stdin!.write(Buffer.from(text, 'latin1'));
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.write('\x1d'); // virsh's escape: Ctrl+]
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 3000);
    await exited;
    clearTimeout(timer);
    await sleep(200);
  }
}

async function throughput(con: TextConsole): Promise<{ ms: number; bytes: number }> {
  await con.prompt();
  const tag = randomBytes(3).toString('hex');
  con.text = '';
  const bytes0 = con.bytes;
  const t0 = performance.now();
  con.write(`seq 1 ${SEQ_LINES}; echo END-$((1+1))-${tag}\r`);
  await con.waitFor((t) => t.includes(`END-2-${tag}`), 300_000, 'end of the output');
  const ms = performance.now() - t0;
  const bytes = con.bytes - bytes0;
  if (!con.text.includes(`\n${SEQ_LINES}\r`)) throw new Error('the output is incomplete');
  return { ms, bytes };
}

async function echoLatency(con: TextConsole): Promise<number[]> {
  await con.prompt();
  await sleep(300);
  const out: number[] = [];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < ECHO_KEYS; i++) {
    const ch = letters[i % letters.length]!;
    con.text = '';
    const t0 = performance.now();
    con.write(ch);
    await con.waitFor((t) => t.includes(ch), 5000, `echo of ${ch}`);
    out.push(performance.now() - t0);
    con.text = '';
    con.write('\x7f'); // erase it again: the line stays empty
    await con.waitFor((t) => t.includes('\b'), 5000, 'echo of backspace');
  }
  return out;
}

// ---------------------------------------------------------------- VNC

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

/** websockify to the VNC port, or a Node ws<->TCP proxy when websockify is not installed. */
async function startWebsockify(vncPort: number): Promise<{ port: number; name: string; stop(): void }> {
  const port = await freePort();
  if (findExecutable('websockify')) {
    const child = spawn('websockify', [`127.0.0.1:${port}`, `127.0.0.1:${vncPort}`], { stdio: 'ignore' });
    await waitForPort(port);
    return { port, name: 'websockify', stop: () => child.kill('SIGTERM') };
  }
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  wss.on('connection', (ws) => {
    const tcp = net.connect(vncPort, '127.0.0.1');
    tcp.setNoDelay(true);
    tcp.on('data', (b) => ws.send(b));
    ws.on('message', (b: Buffer) => tcp.write(b));
    tcp.on('close', () => ws.close());
    ws.on('close', () => tcp.destroy());
  });
  await waitForPort(port);
  return { port, name: 'node ws-tcp proxy (websockify not installed)', stop: () => wss.close() };
}

/** Serves the bench page for the websockify side (the browser shell serves the Vireo side). */
async function staticServer(dir: string): Promise<{ server: Server; port: number }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = join(dir, new URL(req.url ?? '/', 'http://x').pathname.replace(/\.\.+/g, ''));
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path)
      .on('error', () => res.end())
      .pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

async function buildPage(dir: string): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['renderer/views/vm/console/bench-page.ts'],
    outfile: join(dir, 'bench.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'bench.css'), 'body { margin: 0 } #screen { width: 1280px; height: 800px }\n');
  writeFileSync(join(dir, 'bench.html'), '<!doctype html><html><head><link rel="stylesheet" href="bench.css"><script type="module" src="bench.js"></script></head><body><div id="screen"></div></body></html>\n');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench</title>\n');
}

interface Counters {
  updates: number;
  bytes: number;
  connected: boolean;
  error: string | null;
  rtts: number[];
}

interface VncPage {
  counters(): Promise<Counters>;
  close(): Promise<void>;
}

/** A bench page with noVNC connected and past its first full-screen update. */
async function openVncPage(browser: import('playwright-core').Browser, url: string): Promise<VncPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (process.env.VIREO_BENCH_DEBUG) {
    page.on('console', (m) => console.log(`[page] ${m.type()}: ${m.text()}`));
    page.on('response', (r) => r.status() >= 400 && console.log(`[page] ${r.status()} ${r.url()}`));
  }
  await page.goto(url);
  const counters = () => page.evaluate(() => ({ ...(globalThis as unknown as { benchCounters: Counters }).benchCounters }));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const c = await counters().catch(() => null);
    if (c?.error) throw new Error(c.error);
    if (c?.connected && c.updates > 0) break;
    if (Date.now() > deadline) throw new Error(`noVNC did not connect: ${JSON.stringify(c)}`);
    await sleep(100);
  }
  return { counters, close: () => page.close() };
}

/**
 * Both viewers at once on the same guest (the VNC server serves each client on its own), so
 * both see the same guest activity and the same host load; rates per window of VNC_SECONDS.
 */
async function vncRates(vireo: VncPage, base: VncPage): Promise<{ vireo: { ups: number; bps: number; rtts: number[] }; base: { ups: number; bps: number; rtts: number[] } }> {
  const [v0, b0] = await Promise.all([vireo.counters(), base.counters()]);
  const t0 = performance.now();
  await sleep(VNC_SECONDS * 1000);
  const [v1, b1] = await Promise.all([vireo.counters(), base.counters()]);
  const s = (performance.now() - t0) / 1000;
  const rate = (a: Counters, b: Counters) => ({ ups: (b.updates - a.updates) / s, bps: (b.bytes - a.bytes) / s, rtts: b.rtts.slice(a.rtts.length) });
  return { vireo: rate(v0, v1), base: rate(b0, b1) };
}

/**
 * Keystroke echo in the real VM window: the serial console's xterm.js in Chromium. Timed in the
 * page, from the keydown event to the echoed character drawn in the terminal's DOM.
 */
async function browserEchoLatency(browser: import('playwright-core').Browser, url: string, keys: number): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // tsx keeps function names with a helper the functions handed to the page would call.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  try {
    await page.goto(url);
    const select = page.getByTestId('console-select');
    const connect = page.getByRole('button', { name: 'Connect' });
    await select.or(connect).first().waitFor({ timeout: 30_000 });
    if (await connect.isVisible()) await connect.click();
    await select.selectOption('serial:0');
    const terminal = page.locator('.console-layer.active .xterm');
    await terminal.click();
    // The line the cursor is on, as drawn.
    const cursorLine = () =>
      page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { parentElement: { textContent: string | null } | null } | null } }).document;
        return doc.querySelector('.console-layer.active .xterm-rows .xterm-cursor')?.parentElement?.textContent ?? '';
      });
    for (let i = 0; i < 60 && !(await cursorLine()).includes('tiny#'); i++) {
      await page.keyboard.press('Enter');
      await sleep(500);
    }
    // In the page: stamp each keydown, resolve when the cursor line shows the expected end.
    await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown> & {
        document: {
          addEventListener(t: string, f: () => void, capture: boolean): void;
          querySelector(s: string): { parentElement: { textContent: string | null } | null } | null;
        };
      };
      g.benchKeyAt = 0;
      g.document.addEventListener('keydown', () => (g.benchKeyAt = performance.now()), true);
      const MO = (g as unknown as { MutationObserver: new (f: () => void) => { observe(n: unknown, o: object): void; disconnect(): void } }).MutationObserver;
      g.benchUntil = (test: (line: string) => boolean) =>
        new Promise<number>((resolve) => {
          const rows = g.document.querySelector('.console-layer.active .xterm-rows');
          const check = () => {
            const drawn = (g.document.querySelector('.console-layer.active .xterm-rows .xterm-cursor')?.parentElement?.textContent ?? '').replace(/\s+$/, '');
            if (!test(drawn)) return false;
            resolve(performance.now() - (g.benchKeyAt as number));
            return true;
          };
          if (check()) return;
          const observer = new MO(() => {
            if (check()) observer.disconnect();
          });
          observer.observe(rows, { childList: true, subtree: true, characterData: true });
        });
    });
    const out: number[] = [];
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      const ch = letters[i % letters.length]!;
      const shown = page.evaluate((c) => (globalThis as unknown as { benchUntil(t: (l: string) => boolean): Promise<number> }).benchUntil((l) => l.endsWith(`# ${c}`)), ch);
      await page.keyboard.press(ch);
      out.push(await shown);
      const erased = page.evaluate(() => (globalThis as unknown as { benchUntil(t: (l: string) => boolean): Promise<number> }).benchUntil((l) => l.endsWith('#')));
      await page.keyboard.press('Backspace');
      await erased;
    }
    return out;
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------- main

const kib = (x: number) => `${(x / 1024).toFixed(0)} KiB/s`;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function line(label: string, vireo: string, base: string, ratio: number, target: number, higherIsBetter = true): boolean {
  const ok = higherIsBetter ? ratio >= target : ratio <= target;
  console.log(`${label.padEnd(30)} Vireo ${vireo.padStart(16)}   baseline ${base.padStart(16)}   ratio ${ratio.toFixed(2)}x (target ${higherIsBetter ? '>=' : '<='} ${target}x) ${ok ? 'ok' : 'MISSED'}`);
  return ok;
}

async function main(): Promise<void> {
  if (!labReady()) throw new Error('the libvirt lab is not up: bash scripts/lab.sh start');
  const dir = mkdtempSync(join(tmpdir(), 'vireo-bench-console-'));
  let guest: LabGuest | undefined;
  let backend: Backend | undefined;
  let shell: BrowserShell | undefined;
  let api: ShellApi | undefined;
  const cleanups: (() => unknown)[] = [];
  try {
    guest = defineGuest({ prefix: 'vireo-bench' });
    const name = guest.name;
    process.once('exit', () => removeGuest(name)); // even when a cleanup below hangs
    virsh('start', guest.name);
    backend = createBackend({ launchUri: 'qemu:///system', detected: [], configDir: join(dir, 'config') });
    mkdirSync(join(dir, 'www'));
    await buildPage(join(dir, 'www'));
    // Where the time of an update goes: from a request reaching the backend to the reply's
    // first bytes leaving it (libvirt's socket and QEMU), measured around the real handler.
    const turnaround: number[] = [];
    const graphics = backend.streams['console.graphics']!;
    backend.streams['console.graphics'] = async (params, toClient, context) => {
      let requestAt: number | null = null;
      const handle = await graphics(
        params,
        {
          data: (bytes) => {
            if (requestAt !== null) turnaround.push(performance.now() - requestAt);
            requestAt = null;
            toClient.data(bytes);
          },
          end: (error) => toClient.end(error),
        },
        context,
      );
      return {
        ...handle,
        pause: () => {
          if (process.env.VIREO_BENCH_DEBUG) console.log(`[bench] graphics stream paused (transport backpressure) at ${performance.now().toFixed(0)}`);
          handle.pause?.();
        },
        resume: () => {
          if (process.env.VIREO_BENCH_DEBUG) console.log(`[bench] graphics stream resumed at ${performance.now().toFixed(0)}`);
          handle.resume?.();
        },
        write: (bytes) => {
          if (bytes[0] === 3 && requestAt === null) requestAt = performance.now();
          handle.write(bytes);
        },
      };
    };
    shell = await startBrowserShell({ backend, staticRoot: join(dir, 'www') });
    await backend.start();
    api = await ShellApi.connect(shell);
    const browser = await chromium.launch({
      executablePath: process.env.VIREO_CHROMIUM ?? '/usr/bin/chromium',
      // Two pages render at once: neither may be throttled as a background page.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-renderer-backgrounding',
        '--disable-background-timer-throttling',
        '--disable-backgrounding-occluded-windows',
      ],
    });
    cleanups.push(() => browser.close());
    // The real renderer, for the keystroke echo in the VM window.
    await ensureRendererBuilt();
    const appShell = await startBrowserShell({ backend, staticRoot: RENDERER_OUT });
    cleanups.push(() => appShell.close());
    const cpu = execFileSync('nproc', { encoding: 'utf8' }).trim();
    console.log(`Vireo console bench: tiny guest ${guest.name} (TCG), ${cpu} host CPUs, ${ROUNDS} rounds per side, alternating; ratios are medians of per-round ratios`);

    // 1 + 2: serial (VIREO_BENCH_ONLY=vnc skips it, =serial skips the VNC part)
    const only = process.env.VIREO_BENCH_ONLY;
    const tv: number[] = [];
    const tb: number[] = [];
    const lv: number[] = [];
    const lb: number[] = [];
    let bytes = 0;
    for (let r = 0; r < (only === 'vnc' ? 0 : ROUNDS); r++) {
      const v = await VireoConsole.open(api, guest.uuid);
      const vt = await throughput(v);
      bytes = vt.bytes;
      tv.push(vt.bytes / (vt.ms / 1000));
      lv.push(...(await echoLatency(v)));
      await v.close();
      const b = await VirshConsole.open(guest.name);
      const bt = await throughput(b);
      // Both rates of the same output, in the guest's bytes (as Vireo delivered them), so that
      // what the terminal on virsh's side does to them cannot count.
      tb.push(vt.bytes / (bt.ms / 1000));
      if (process.env.VIREO_BENCH_DEBUG) console.log(`[bench] round ${r}: Vireo ${vt.bytes} B in ${vt.ms.toFixed(0)} ms, virsh ${bt.bytes} B in ${bt.ms.toFixed(0)} ms`);
      lb.push(...(await echoLatency(b)));
      await b.close();
    }
    const results: boolean[] = [];
    if (only !== 'vnc') {
      console.log(`serial: \`seq 1 ${SEQ_LINES}\` (${(bytes / 1024).toFixed(0)} KiB), ${ECHO_KEYS} keystrokes per round; baseline: virsh console in a pty`);
      // Each Vireo round against the virsh round right after it (the guest's speed drifts with the host's load).
      results.push(line('serial throughput', kib(median(tv)), kib(median(tb)), median(tv.map((v, i) => v / tb[i]!)), 0.9));
      console.log(`${'keystroke echo p50'.padEnd(30)} Vireo ${ms(percentile(lv, 50)).padStart(16)}   baseline ${ms(percentile(lb, 50)).padStart(16)}`);
      console.log(`${'keystroke echo p99'.padEnd(30)} Vireo ${ms(percentile(lv, 99)).padStart(16)}   baseline ${ms(percentile(lb, 99)).padStart(16)}`);
      const le = await browserEchoLatency(browser, `${appShell.origin}/#/vm/launch/${guest.uuid}/console?token=${appShell.token}`, ECHO_KEYS);
      console.log(`keystroke echo in the VM window (key down in Chromium to the echo drawn by xterm.js), ${le.length} keys: p50 ${ms(percentile(le, 50))}, p99 ${ms(percentile(le, 99))}`);
    }

    if (only === 'serial') {
      if (!results.every(Boolean)) process.exitCode = 1;
      return;
    }

    // 3: VNC. Keep tty1 busy: text scrolling on the framebuffer console changes the screen all the time.
    const load = await VireoConsole.open(api, guest.uuid);
    await load.prompt();
    load.write('while :; do cat /proc/interrupts /proc/meminfo; done > /dev/tty1 &\r');
    await sleep(1000);
    const display = virsh('vncdisplay', guest.name).trim(); // "127.0.0.1:0"
    const vncPort = 5900 + Number(display.slice(display.lastIndexOf(':') + 1));
    const proxy = await startWebsockify(vncPort);
    cleanups.push(() => proxy.stop());
    const www = await staticServer(join(dir, 'www'));
    cleanups.push(() => www.server.close());

    const debug = process.env.VIREO_BENCH_DEBUG ? '&debug=1' : '';
    const vireoUrl = `${shell.origin}/bench.html#mode=vireo&token=${shell.token}&uuid=${guest.uuid}&connection=launch${debug}`;
    const baseUrl = `http://127.0.0.1:${www.port}/bench.html#mode=websockify&port=${proxy.port}`;
    const uv: number[] = [];
    const ub: number[] = [];
    const bv: number[] = [];
    const bb: number[] = [];
    const rv: number[] = [];
    const rb: number[] = [];
    const vireoPage = await openVncPage(browser, vireoUrl);
    const basePage = await openVncPage(browser, baseUrl);
    await sleep(1500); // past the first full-screen updates
    for (let r = 0; r < ROUNDS * 2; r++) {
      const { vireo, base } = await vncRates(vireoPage, basePage);
      uv.push(vireo.ups);
      bv.push(vireo.bps);
      rv.push(...vireo.rtts);
      ub.push(base.ups);
      bb.push(base.bps);
      rb.push(...base.rtts);
    }
    await vireoPage.close();
    await basePage.close();
    console.log(`VNC: two noVNC viewers in Chromium at once, ${ROUNDS * 2} windows of ${VNC_SECONDS} s while tty1 scrolls; baseline: noVNC through ${proxy.name}`);
    const fmt = (xs: number[]) => `${median(xs).toFixed(1)}/s`;
    // Both viewers share each window's conditions: the median of the per-window ratios.
    const ratios = uv.map((v, i) => v / (ub[i] || Number.NaN)).filter(Number.isFinite);
    results.push(line('VNC framebuffer updates', fmt(uv), fmt(ub), median(ratios), 1.0));
    console.log(`${'VNC bytes received'.padEnd(30)} Vireo ${kib(median(bv)).padStart(16)}   baseline ${kib(median(bb)).padStart(16)}`);
    console.log(`${'VNC update request -> reply p50'.padEnd(30)} Vireo ${ms(percentile(rv, 50)).padStart(16)}   baseline ${ms(percentile(rb, 50)).padStart(16)}`);
    console.log(`  of which in the backend (request in -> reply out, QEMU included) p50 ${ms(percentile(turnaround, 50))}`);
    console.log(`  per-window updates/s: Vireo ${uv.map((x) => x.toFixed(1)).join(', ')}; baseline ${ub.map((x) => x.toFixed(1)).join(', ')}`);
    await load.close();
    if (!results.every(Boolean)) process.exitCode = 1;
  } finally {
    for (const c of cleanups.toReversed()) await Promise.resolve(c()).catch(() => undefined);
    api?.close();
    await shell?.close();
    await backend?.dispose();
    if (guest) removeGuest(guest.name);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
