// What the backend tells the renderer about a VM's consoles (consoles.info), the screenshot it
// takes, and the key names the send-key menu uses. Plain data, no Node or DOM.
import type { ApiError } from './error.js';
import type { VmState } from './vm.js';

/** One <graphics> element of the domain, by its position (virDomainOpenGraphicsFD's idx). */
export interface GraphicsConsoleInfo {
  index: number;
  /** 'vnc', 'spice', 'rdp', 'sdl', 'egl-headless', 'dbus'... as libvirt writes it. */
  type: string;
  /** The device has a password (passwd attribute): the viewer must ask for it. */
  passwordRequired: boolean;
  /** Where it listens while the guest runs (live XML); null when unknown or not listening on TCP. */
  address: string | null;
  port: number | null;
  tlsPort: number | null;
  /** A UNIX socket listen, when it listens on one. */
  socket: string | null;
}

/** A character device virDomainOpenConsole can attach to (or why it cannot). */
export interface SerialConsoleInfo {
  /** The devName for virDomainOpenConsole: the device alias ('serial0', 'console1'); null while the guest is off. */
  devName: string | null;
  kind: 'serial' | 'console' | 'parallel' | 'channel';
  /** Target type: 'isa-serial', 'virtio', 'serial', 'pci-serial'... */
  targetType: string | null;
  port: number | null;
  /** Source type: 'pty', 'file', 'tcp', 'unix', 'null'... */
  sourceType: string;
  /** What a user reads in the device menu: "Serial 1", "Text console (virtio) 1". */
  label: string;
  /** null when it can be opened; else why not (only PTY devices can). */
  unavailable: string | null;
}

/** How graphics bytes reach Vireo from this connection. */
export type GraphicsTransport =
  /** virDomainOpenGraphicsFD: a socket handed over by libvirt (local connections). */
  | 'fd'
  /** `ssh -W address:port` to the host of a qemu+ssh:// connection (libvirt cannot pass FDs over SSH). */
  | 'ssh'
  /** A TCP connection to the graphics port on the remote host (qemu+tls/tcp). */
  | 'tcp';

export interface ConsoleInfo {
  connectionId: string;
  uuid: string;
  name: string;
  state: VmState;
  graphics: GraphicsConsoleInfo[];
  serials: SerialConsoleInfo[];
  graphicsTransport: GraphicsTransport;
  /** The external viewer for graphics Vireo does not show (SPICE). */
  externalViewer: { command: string; available: boolean };
}

/** consoles.screenshot: always PNG (QEMU's PPM is converted in the backend). */
export interface ConsoleScreenshot {
  mimeType: 'image/png';
  width: number;
  height: number;
  /** The PNG file, base64 (the browser shell's WebSocket carries JSON). */
  dataBase64: string;
}

/** libvirt's "Active console session exists for this domain": another client (virsh console, another window) holds the console. */
export function isConsoleBusy(error: Pick<ApiError, 'code' | 'message'>): boolean {
  return error.code === 'VIR_ERR_OPERATION_FAILED' && /active console session/i.test(error.message);
}

// ---- keys for virDomainSendKey (Linux input event codes, codeset 'linux')

/** Linux KEY_* codes of the keys the send-key menu and custom sequences can name. */
export const LINUX_KEYS: Readonly<Record<string, number>> = {
  KEY_ESC: 1,
  KEY_1: 2, KEY_2: 3, KEY_3: 4, KEY_4: 5, KEY_5: 6, KEY_6: 7, KEY_7: 8, KEY_8: 9, KEY_9: 10, KEY_0: 11,
  KEY_MINUS: 12, KEY_EQUAL: 13, KEY_BACKSPACE: 14, KEY_TAB: 15,
  KEY_Q: 16, KEY_W: 17, KEY_E: 18, KEY_R: 19, KEY_T: 20, KEY_Y: 21, KEY_U: 22, KEY_I: 23, KEY_O: 24, KEY_P: 25,
  KEY_LEFTBRACE: 26, KEY_RIGHTBRACE: 27, KEY_ENTER: 28, KEY_LEFTCTRL: 29,
  KEY_A: 30, KEY_S: 31, KEY_D: 32, KEY_F: 33, KEY_G: 34, KEY_H: 35, KEY_J: 36, KEY_K: 37, KEY_L: 38,
  KEY_SEMICOLON: 39, KEY_APOSTROPHE: 40, KEY_GRAVE: 41, KEY_LEFTSHIFT: 42, KEY_BACKSLASH: 43,
  KEY_Z: 44, KEY_X: 45, KEY_C: 46, KEY_V: 47, KEY_B: 48, KEY_N: 49, KEY_M: 50,
  KEY_COMMA: 51, KEY_DOT: 52, KEY_SLASH: 53, KEY_RIGHTSHIFT: 54, KEY_KPASTERISK: 55, KEY_LEFTALT: 56, KEY_SPACE: 57,
  KEY_CAPSLOCK: 58,
  KEY_F1: 59, KEY_F2: 60, KEY_F3: 61, KEY_F4: 62, KEY_F5: 63, KEY_F6: 64, KEY_F7: 65, KEY_F8: 66, KEY_F9: 67, KEY_F10: 68,
  KEY_NUMLOCK: 69, KEY_SCROLLLOCK: 70, KEY_F11: 87, KEY_F12: 88,
  KEY_RIGHTCTRL: 97, KEY_SYSRQ: 99, KEY_RIGHTALT: 100,
  KEY_HOME: 102, KEY_UP: 103, KEY_PAGEUP: 104, KEY_LEFT: 105, KEY_RIGHT: 106, KEY_END: 107, KEY_DOWN: 108,
  KEY_PAGEDOWN: 109, KEY_INSERT: 110, KEY_DELETE: 111, KEY_PAUSE: 119, KEY_LEFTMETA: 125, KEY_RIGHTMETA: 126, KEY_MENU: 139,
};

/** libvirt's VIR_DOMAIN_SEND_KEY_MAX_KEYS. */
export const MAX_SEND_KEYS = 16;

export type LinuxKeyName = keyof typeof LINUX_KEYS & string;

/** Friendly spellings in custom sequences ("Ctrl+Alt+F3", "Shift+PrintScreen"), lower case. */
const KEY_ALIASES: Readonly<Record<string, string>> = {
  ctrl: 'KEY_LEFTCTRL', control: 'KEY_LEFTCTRL', lctrl: 'KEY_LEFTCTRL', rctrl: 'KEY_RIGHTCTRL',
  alt: 'KEY_LEFTALT', lalt: 'KEY_LEFTALT', ralt: 'KEY_RIGHTALT', altgr: 'KEY_RIGHTALT',
  shift: 'KEY_LEFTSHIFT', lshift: 'KEY_LEFTSHIFT', rshift: 'KEY_RIGHTSHIFT',
  super: 'KEY_LEFTMETA', meta: 'KEY_LEFTMETA', win: 'KEY_LEFTMETA', windows: 'KEY_LEFTMETA',
  del: 'KEY_DELETE', delete: 'KEY_DELETE', ins: 'KEY_INSERT', insert: 'KEY_INSERT',
  esc: 'KEY_ESC', escape: 'KEY_ESC', enter: 'KEY_ENTER', return: 'KEY_ENTER', tab: 'KEY_TAB', space: 'KEY_SPACE',
  backspace: 'KEY_BACKSPACE', bksp: 'KEY_BACKSPACE',
  printscreen: 'KEY_SYSRQ', print: 'KEY_SYSRQ', prtsc: 'KEY_SYSRQ', sysrq: 'KEY_SYSRQ',
  pause: 'KEY_PAUSE', break: 'KEY_PAUSE', menu: 'KEY_MENU',
  home: 'KEY_HOME', end: 'KEY_END', pageup: 'KEY_PAGEUP', pgup: 'KEY_PAGEUP', pagedown: 'KEY_PAGEDOWN', pgdn: 'KEY_PAGEDOWN',
  up: 'KEY_UP', down: 'KEY_DOWN', left: 'KEY_LEFT', right: 'KEY_RIGHT',
  capslock: 'KEY_CAPSLOCK', numlock: 'KEY_NUMLOCK', scrolllock: 'KEY_SCROLLLOCK',
  '-': 'KEY_MINUS', '=': 'KEY_EQUAL', '[': 'KEY_LEFTBRACE', ']': 'KEY_RIGHTBRACE', ';': 'KEY_SEMICOLON',
  "'": 'KEY_APOSTROPHE', '`': 'KEY_GRAVE', '\\': 'KEY_BACKSLASH', ',': 'KEY_COMMA', '.': 'KEY_DOT', '/': 'KEY_SLASH',
};

export const isLinuxKeyName = (name: string): name is LinuxKeyName => Object.hasOwn(LINUX_KEYS, name);

/** One key of a custom sequence: "F3", "ctrl", "KEY_SYSRQ", "a", "7". null when unknown. */
export function keyNameOf(token: string): LinuxKeyName | null {
  const t = token.trim();
  if (!t) return null;
  if (isLinuxKeyName(t.toUpperCase())) return t.toUpperCase() as LinuxKeyName;
  const alias = KEY_ALIASES[t.toLowerCase()];
  if (alias) return alias as LinuxKeyName;
  const plain = `KEY_${t.toUpperCase()}`;
  return isLinuxKeyName(plain) ? plain : null;
}

/**
 * Parses a custom combination of keys pressed together, joined by '+': "Ctrl+Alt+F3",
 * "Shift+PrintScreen", "KEY_LEFTMETA+L". Keys are named as in KEY_ALIASES, by their Linux
 * KEY_* name, or by their letter/digit; '+' itself is the separator (send "Shift+=" for it).
 */
export function parseKeyCombo(text: string): { ok: true; keys: LinuxKeyName[] } | { ok: false; error: string } {
  const tokens = text.split('+').map((t) => t.trim());
  if (tokens.every((t) => t === '')) return { ok: false, error: 'Type keys joined by +, e.g. Ctrl+Alt+F3' };
  if (tokens.some((t) => t === '')) return { ok: false, error: `"${text}" has an empty key between two +` };
  const keys: LinuxKeyName[] = [];
  for (const token of tokens) {
    const key = keyNameOf(token);
    if (!key) return { ok: false, error: `Unknown key "${token}"` };
    if (keys.includes(key)) return { ok: false, error: `"${token}" appears twice` };
    keys.push(key);
  }
  if (keys.length > MAX_SEND_KEYS) return { ok: false, error: `At most ${MAX_SEND_KEYS} keys at once` };
  return { ok: true, keys };
}

/** A combination as the menu shows it: ['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_F1'] -> "Ctrl+Alt+F1". */
export function describeKeys(keys: readonly string[]): string {
  const names: Record<string, string> = {
    KEY_LEFTCTRL: 'Ctrl', KEY_RIGHTCTRL: 'Right Ctrl', KEY_LEFTALT: 'Alt', KEY_RIGHTALT: 'AltGr',
    KEY_LEFTSHIFT: 'Shift', KEY_RIGHTSHIFT: 'Right Shift', KEY_LEFTMETA: 'Super', KEY_RIGHTMETA: 'Right Super',
    KEY_DELETE: 'Del', KEY_BACKSPACE: 'Backspace', KEY_SYSRQ: 'PrintScreen', KEY_ESC: 'Esc',
  };
  return keys.map((k) => names[k] ?? (k.startsWith('KEY_') ? k.slice(4).charAt(0) + k.slice(5).toLowerCase() : k)).join('+');
}

/** The send-key menu, as virt-manager has it. */
export const SEND_KEY_PRESETS: readonly { label: string; keys: readonly LinuxKeyName[] }[] = [
  { label: 'Ctrl+Alt+Backspace', keys: ['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_BACKSPACE'] },
  { label: 'Ctrl+Alt+Del', keys: ['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_DELETE'] },
  ...Array.from({ length: 12 }, (_, i) => ({
    label: `Ctrl+Alt+F${i + 1}`,
    keys: ['KEY_LEFTCTRL', 'KEY_LEFTALT', `KEY_F${i + 1}` as LinuxKeyName] as const,
  })),
  { label: 'PrintScreen', keys: ['KEY_SYSRQ'] },
];
