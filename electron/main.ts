// Electron shell (bundled to dist/electron/main.cjs): one locked-down window on the built
// renderer, and IPC handlers derived from the API contract that all go through ApiSession's
// validating dispatch. Everything else lives in electron/backend.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type IpcMainEvent, type IpcMainInvokeEvent, BrowserWindow, app, ipcMain, session } from 'electron';
import { ipcChannels, parseVmWindowRoute, vmWindowRoute } from '../shared/api/bridge.js';
import { methodNames } from '../shared/api/contract.js';
import { type Backend, createBackend } from './backend/backend.js';
import { ApiSession } from './backend/session.js';
import { serveStreamPort } from './backend/stream-port.js';
import { contentSecurityPolicy } from './csp.js';

// Bundled next to preload.cjs in dist/electron; the renderer is built into dist/renderer.
const PRELOAD = join(__dirname, 'preload.cjs');
const RENDERER_INDEX = join(__dirname, '..', 'renderer', 'index.html');
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;

/** One ApiSession per renderer window, keyed by its webContents id. */
const sessions = new Map<number, ApiSession>();

/** Only our own page's top frame may use the API (never an iframe or a page navigated elsewhere). */
function sessionOf(event: IpcMainEvent | IpcMainInvokeEvent): ApiSession | undefined {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame || frame.url.split('#')[0] !== RENDERER_URL) return undefined;
  return sessions.get(event.sender.id);
}

function registerIpc(): void {
  for (const method of methodNames) {
    ipcMain.handle(ipcChannels.call(method), (event, params: unknown) => {
      const apiSession = sessionOf(event);
      if (!apiSession) return { ok: false, error: { code: 'internal', message: 'IPC from an unknown frame' } };
      return apiSession.call(method, params);
    });
  }
  ipcMain.on(ipcChannels.openStream, (event, request: { channel?: unknown; params?: unknown } | undefined) => {
    const [port] = event.ports;
    const apiSession = sessionOf(event);
    if (!port) return;
    if (!apiSession) return port.close();
    // dispatchStream checks the channel name and validates the params.
    void serveStreamPort(apiSession, port, String(request?.channel), request?.params);
  });
}

function lockDownSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] } });
  });
  // The renderer needs no camera, notifications, geolocation...
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/** VM windows by their route: one per VM and tab kind, brought forward when asked again. */
const vmWindows = new Map<string, BrowserWindow>();

/** Manager window: "Open console" / "Open details" ask for a VM's own window (renderer/vm-window.ts). */
function registerVmWindows(backend: Backend): void {
  ipcMain.handle(ipcChannels.openVmWindow, (event, request: unknown) => {
    if (!sessionOf(event)) return;
    const r = (request ?? {}) as { connectionId?: unknown; uuid?: unknown; tab?: unknown };
    // Checked by re-parsing the route it makes: only a well-formed VM route opens a window.
    const wanted = typeof r.connectionId === 'string' && typeof r.uuid === 'string' && (r.tab === 'console' || r.tab === 'details')
      ? parseVmWindowRoute(vmWindowRoute({ connectionId: r.connectionId, uuid: r.uuid, tab: r.tab }))
      : null;
    if (!wanted) return;
    const route = vmWindowRoute(wanted);
    const open = vmWindows.get(route);
    if (open && !open.isDestroyed()) {
      if (open.isMinimized()) open.restore();
      open.focus();
      return;
    }
    const window = createWindow(backend, route);
    vmWindows.set(route, window);
    window.once('closed', () => vmWindows.delete(route));
  });
}

function createWindow(backend: Backend, route?: string): BrowserWindow {
  const window = new BrowserWindow({
    width: route ? 1024 : 1200,
    height: 800,
    title: 'Vireo',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  const contents = window.webContents;
  const apiSession = new ApiSession(backend, (message) => {
    if (!contents.isDestroyed()) contents.send(ipcChannels.event, message);
  });
  sessions.set(contents.id, apiSession);
  contents.once('destroyed', () => {
    sessions.delete(contents.id);
    apiSession.dispose();
  });
  void window.loadFile(RENDERER_INDEX, route ? { hash: route } : undefined);
  return window;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(app.isPackaged ? 1 : 2), options: { connect: { type: 'string' } }, strict: false });
  const launchUri = typeof values.connect === 'string' ? values.connect : undefined;
  await app.whenReady();
  lockDownSession();
  const backend = createBackend({ launchUri });
  registerIpc();
  registerVmWindows(backend);
  createWindow(backend);
  void backend.start();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(backend);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => void backend.dispose());
}

void main();
