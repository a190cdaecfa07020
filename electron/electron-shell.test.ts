// The Electron shell as bundled (main.cjs, preload.cjs) with the real backend behind it: only the
// Electron runtime is a stand-in (its binary cannot be downloaded here), recording windows,
// session hooks and IPC handlers, and passing IPC between the real preload and the real main
// bundle. Checks the security settings (contextIsolation, sandbox, no nodeIntegration, CSP,
// permissions, navigation), that every contract method has its handler and reaches the backend
// through the preload, that other frames are refused, VM windows, and stream errors.
import Module from 'node:module';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../scripts/build.mjs';
import { type VireoBridge, ipcChannels } from '../shared/api/bridge.js';
import { methodNames } from '../shared/api/contract.js';
import { contentSecurityPolicy } from './csp.js';
import { until } from './test/backend-harness.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

type Listener = (...args: unknown[]) => unknown;

/** Just enough of an Electron webContents / frame / BrowserWindow for main.ts. */
class StandInContents {
  static next = 1;
  readonly id = StandInContents.next++;
  readonly mainFrame: { url: string };
  readonly sent: Array<{ channel: string; message: unknown }> = [];
  private readonly handlers = new Map<string, Listener[]>();
  constructor(url: string) {
    this.mainFrame = { url };
  }
  send(channel: string, message: unknown) {
    this.sent.push({ channel, message });
  }
  isDestroyed() {
    return false;
  }
  once(event: string, listener: Listener) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
  }
}

class StandInWindow {
  static all: StandInWindow[] = [];
  readonly webContents: StandInContents;
  loaded: { file: string; hash: string | undefined } | null = null;
  focused = 0;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    this.webContents = new StandInContents('');
    StandInWindow.all.push(this);
  }
  static getAllWindows() {
    return StandInWindow.all;
  }
  loadFile(file: string, options?: { hash?: string }) {
    this.loaded = { file, hash: options?.hash };
    this.webContents.mainFrame.url = `${pathToFileURL(file).href}${options?.hash ? `#${options.hash}` : ''}`;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {
    this.focused++;
  }
  once() {}
}

/** Electron's MessagePortMain ({data} events) on a Node MessagePort. */
const portMain = (port: MessagePort) => ({
  postMessage: (message: unknown) => port.postMessage(message),
  on: (event: string, listener: Listener) => (event === 'message' ? port.on('message', (data: unknown) => listener({ data })) : port.on(event, listener)),
  start: () => port.start(),
  close: () => port.close(),
});

const invokeHandlers = new Map<string, Listener>();
const onHandlers = new Map<string, Listener>();
const hooks: { headers?: Listener; permission?: Listener; appEvents: Map<string, Listener[]> } = { appEvents: new Map() };
const rendererListeners = new Map<string, Listener[]>();
let exposed: VireoBridge | undefined;
/** Which window's frame the preload's IPC comes from (tests switch it to play another frame). */
let senderFrame: () => { sender: StandInContents; senderFrame: { url: string } };

const standInElectron = {
  app: {
    isPackaged: false,
    whenReady: () => Promise.resolve(),
    on: (event: string, listener: Listener) => hooks.appEvents.set(event, [...(hooks.appEvents.get(event) ?? []), listener]),
    quit: () => undefined,
  },
  BrowserWindow: StandInWindow,
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (listener: Listener) => (hooks.headers = listener) },
      setPermissionRequestHandler: (listener: Listener) => (hooks.permission = listener),
    },
  },
  ipcMain: {
    handle: (channel: string, listener: Listener) => invokeHandlers.set(channel, listener),
    on: (channel: string, listener: Listener) => onHandlers.set(channel, listener),
  },
  // The preload's side: calls go straight to main's handlers, as from the window's top frame.
  contextBridge: { exposeInMainWorld: (key: string, api: VireoBridge) => key === 'vireo' && (exposed = api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      const handler = invokeHandlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler({ ...senderFrame(), ports: [] }, ...args);
    },
    postMessage: (channel: string, message: unknown, ports: MessagePort[]) => onHandlers.get(channel)?.({ ...senderFrame(), ports: ports.map(portMain) }, message),
    on: (channel: string, listener: Listener) => rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]),
    removeListener: () => undefined,
  },
};

describe('the Electron shell (bundled main and preload; Electron itself a stand-in)', () => {
  let dir: string;
  let restore: () => void;
  let manager: StandInWindow;
  let vireo: VireoBridge;
  const previous = { config: process.env.XDG_CONFIG_HOME, native: process.env.VIREO_NATIVE_PATH };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vireo-electron-'));
    await buildElectron(join(dir, 'electron'));
    process.env.XDG_CONFIG_HOME = join(dir, 'config');
    process.env.VIREO_NATIVE_PATH = join(process.cwd(), 'native', 'build', 'Release', 'vireo_libvirt.node');
    // CommonJS's module loader (what the bundles' require('electron') goes through), private API.
    const load = Reflect.get(Module, '_load') as (request: string, ...rest: unknown[]) => unknown;
    Reflect.set(Module, '_load', (request: string, ...rest: unknown[]) => (request === 'electron' ? standInElectron : load(request, ...rest)));
    restore = () => Reflect.set(Module, '_load', load);
    const requireHere = Module.createRequire(import.meta.url);
    requireHere(join(dir, 'electron', 'main.cjs'));
    await until(() => StandInWindow.all.length === 1, 10_000, 'the manager window');
    manager = StandInWindow.all[0]!;
    senderFrame = () => ({ sender: manager.webContents, senderFrame: manager.webContents.mainFrame });
    requireHere(join(dir, 'electron', 'preload.cjs'));
    vireo = exposed!;
  });

  afterAll(async () => {
    restore?.();
    for (const listener of hooks.appEvents.get('will-quit') ?? []) listener();
    process.env.XDG_CONFIG_HOME = previous.config;
    process.env.VIREO_NATIVE_PATH = previous.native;
    await rm(dir, { recursive: true, force: true });
  });

  it('opens one locked-down window on the built renderer', () => {
    expect(manager.options.webPreferences).toEqual({
      preload: join(dir, 'electron', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(existsSync(manager.options.webPreferences.preload as string)).toBe(true);
    expect(manager.loaded).toEqual({ file: join(dir, 'renderer', 'index.html'), hash: undefined });
  });

  it('sets the CSP on every response, refuses permissions, navigation, webviews and new windows', () => {
    let headers: unknown;
    hooks.headers!({ responseHeaders: { 'X-Other': ['kept'] } }, (response: unknown) => (headers = response));
    expect(headers).toEqual({ responseHeaders: { 'X-Other': ['kept'], 'Content-Security-Policy': [contentSecurityPolicy()] } });
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-(inline|eval)/);
    let granted: unknown;
    hooks.permission!(null, 'media', (allowed: boolean) => (granted = allowed));
    expect(granted).toBe(false);

    const contentsHandlers = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    for (const listener of hooks.appEvents.get('web-contents-created') ?? []) {
      listener({}, { on: (event: string, handler: Listener) => contentsHandlers.set(event, handler), setWindowOpenHandler: (handler: Listener) => (openHandler = handler) });
    }
    for (const event of ['will-navigate', 'will-attach-webview']) {
      let prevented = false;
      contentsHandlers.get(event)!({ preventDefault: () => (prevented = true) });
      expect({ event, prevented }).toEqual({ event, prevented: true });
    }
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('has an IPC handler for every method of the contract, and the preload exposes only the bridge', () => {
    expect(new Set(invokeHandlers.keys())).toEqual(new Set([...methodNames.map(ipcChannels.call), ipcChannels.openVmWindow]));
    expect([...onHandlers.keys()]).toEqual([ipcChannels.openStream]);
    expect(Object.keys(vireo).toSorted()).toEqual(['call', 'on', 'openStream', 'openVmWindow']);
  });

  it('calls reach the real backend through the preload; params are validated; unknown methods refused', async () => {
    const listed = await vireo.call('connections.list', undefined);
    expect(listed).toMatchObject({ ok: true, value: { items: expect.arrayContaining([expect.objectContaining({ id: 'demo' })]) } });
    await expect.poll(async () => (await vireo.call('domains.list', { connectionId: 'demo' })).ok).toBe(true);
    const vms = await vireo.call('domains.list', { connectionId: 'demo' });
    expect(vms.ok && vms.value.items.map((vm) => vm.uuid)).toContain(TEST_UUID);
    expect(await vireo.call('domains.start', { connectionId: 5 } as never)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await vireo.call('no.such.method' as never, undefined)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    // Backend events go to the window's webContents on the event channel.
    expect(manager.webContents.sent.some(({ channel }) => channel === ipcChannels.event)).toBe(true);
  });

  it('refuses IPC from any frame but its own page', async () => {
    const own = senderFrame;
    try {
      senderFrame = () => ({ sender: manager.webContents, senderFrame: { url: 'https://evil.example/' } });
      expect(await vireo.call('connections.list', undefined)).toEqual({ ok: false, error: { code: 'internal', message: 'IPC from an unknown frame' } });
      await vireo.openVmWindow({ connectionId: 'demo', uuid: TEST_UUID, tab: 'console' });
      expect(StandInWindow.all).toHaveLength(1);
    } finally {
      senderFrame = own;
    }
  });

  it('opens a VM window once per VM and tab, brings it forward when asked again, and ignores bad requests', async () => {
    await vireo.openVmWindow({ connectionId: 'demo', uuid: TEST_UUID, tab: 'console' });
    expect(StandInWindow.all).toHaveLength(2);
    const vmWindow = StandInWindow.all[1]!;
    expect(vmWindow.loaded).toEqual({ file: join(dir, 'renderer', 'index.html'), hash: `/vm/demo/${TEST_UUID}/console` });
    expect(vmWindow.options.webPreferences).toEqual(manager.options.webPreferences);
    await vireo.openVmWindow({ connectionId: 'demo', uuid: TEST_UUID.toUpperCase(), tab: 'console' });
    expect(StandInWindow.all).toHaveLength(2);
    expect(vmWindow.focused).toBe(1);
    await vireo.openVmWindow({ connectionId: 'demo', uuid: 'not-a-uuid', tab: 'console' });
    await vireo.openVmWindow({ connectionId: 'demo', uuid: TEST_UUID, tab: 'shell' as never });
    expect(StandInWindow.all).toHaveLength(2);
  });

  it('opens streams over a MessagePort: a refusal comes back as the stream’s outcome', async () => {
    const sink = { data: () => undefined, end: () => undefined };
    expect(await vireo.openStream('console.serial', { connectionId: 'demo' } as never, sink)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    // libvirt's test driver has no consoles: its refusal crosses the port as the outcome.
    expect(await vireo.openStream('console.serial', { connectionId: 'demo', uuid: TEST_UUID }, sink)).toMatchObject({ ok: false, error: { code: 'VIR_ERR_NO_SUPPORT' } });
  });
});
