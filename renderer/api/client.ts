import type { ApiClient } from '../../shared/api/contract.js';
import { API_PATH, TOKEN_PARAM } from '../../shared/api/protocol.js';
import { createElectronClient } from './electron-client.js';
import { type SocketEnd, createWebSocketClient } from './ws-client.js';

const TOKEN_KEY = 'vireo.token';

/**
 * The browser shell hands the token in the URL fragment (never sent over HTTP). It is moved
 * out of the address bar at once, and kept for this tab so a reload still works.
 */
function takeToken(): string {
  // "#token=T", or after a route: "#/vm/c/u/console?token=T" (the route stays).
  const match = /(^#|[?&])token=([^&]*)/.exec(location.hash);
  const fromHash = match ? decodeURIComponent(match[2]!) : null;
  if (match && fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    const rest = location.hash.replace(/([?&])token=[^&]*&?/, '$1').replace(/^#token=[^&]*&?/, '#').replace(/[?&]$/, '');
    history.replaceState(null, '', location.pathname + location.search + (rest === '#' ? '' : rest));
  }
  return fromHash || sessionStorage.getItem(TOKEN_KEY) || '';
}

/** Electron's preload bridge when present, else the browser shell's WebSocket. */
export function createClient(onBackendLost: (end: SocketEnd) => void): ApiClient {
  if (window.vireo) return createElectronClient(window.vireo);
  const url = new URL(API_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set(TOKEN_PARAM, takeToken());
  url.hash = '';
  return createWebSocketClient(url.href, onBackendLost);
}
