// Keyboard helpers of the graphical console: typing text as key presses (a US layout, as
// QEMU's scancode path expects) and the Ctrl+Alt combination that releases the keyboard.

/** X11 keysyms noVNC sends with the key's DOM code (QEMU maps the code to a scancode). */
export const XK = {
  Shift_L: 0xffe1,
  Return: 0xff0d,
  Tab: 0xff09,
  BackSpace: 0xff08,
} as const;

export interface KeyStroke {
  keysym: number;
  /** KeyboardEvent.code of the key on a US layout. */
  code: string;
  shift: boolean;
}

const UNSHIFTED: Record<string, string> = {
  ' ': 'Space', '-': 'Minus', '=': 'Equal', '[': 'BracketLeft', ']': 'BracketRight', '\\': 'Backslash',
  ';': 'Semicolon', "'": 'Quote', ',': 'Comma', '.': 'Period', '/': 'Slash', '`': 'Backquote',
};
const SHIFTED: Record<string, string> = {
  '!': 'Digit1', '@': 'Digit2', '#': 'Digit3', $: 'Digit4', '%': 'Digit5', '^': 'Digit6', '&': 'Digit7', '*': 'Digit8',
  '(': 'Digit9', ')': 'Digit0', _: 'Minus', '+': 'Equal', '{': 'BracketLeft', '}': 'BracketRight', '|': 'Backslash',
  ':': 'Semicolon', '"': 'Quote', '<': 'Comma', '>': 'Period', '?': 'Slash', '~': 'Backquote',
};

/** The key press that types `ch` on a US keyboard, or null when it has none. */
export function strokeFor(ch: string): KeyStroke | null {
  if (ch === '\n' || ch === '\r') return { keysym: XK.Return, code: 'Enter', shift: false };
  if (ch === '\t') return { keysym: XK.Tab, code: 'Tab', shift: false };
  if (ch.length !== 1) return null;
  const cp = ch.charCodeAt(0);
  if (ch >= 'a' && ch <= 'z') return { keysym: cp, code: `Key${ch.toUpperCase()}`, shift: false };
  if (ch >= 'A' && ch <= 'Z') return { keysym: cp, code: `Key${ch}`, shift: true };
  if (ch >= '0' && ch <= '9') return { keysym: cp, code: `Digit${ch}`, shift: false };
  if (UNSHIFTED[ch]) return { keysym: cp, code: UNSHIFTED[ch], shift: false };
  if (SHIFTED[ch]) return { keysym: cp, code: SHIFTED[ch], shift: true };
  return null;
}

/** The strokes for a text ("\r\n" is one Enter); `skipped` counts characters without a key. */
export function strokesFor(text: string): { strokes: KeyStroke[]; skipped: number } {
  const strokes: KeyStroke[] = [];
  let skipped = 0;
  for (const ch of text.replace(/\r\n/g, '\n')) {
    const stroke = strokeFor(ch);
    if (stroke) strokes.push(stroke);
    else skipped++;
  }
  return { strokes, skipped };
}

type Modifier = 'ctrl' | 'alt';
const modifierOf = (key: string): Modifier | null => (key === 'Control' ? 'ctrl' : key === 'Alt' || key === 'AltGraph' ? 'alt' : null);

/**
 * Ctrl+Alt pressed together and released with no other key in between releases the keyboard
 * grab (virt-manager's default). Ctrl+Alt+Del and other combinations still reach the guest.
 */
export class ReleaseCombo {
  private readonly down = new Set<Modifier>();
  private armed = false;
  private spoiled = false;

  keydown(key: string): void {
    const m = modifierOf(key);
    if (m) {
      this.down.add(m);
      if (this.down.size === 2) this.armed = true;
    } else if (this.down.size > 0) {
      this.spoiled = true;
    }
  }

  /** True when this key-up completes the release combination. */
  keyup(key: string): boolean {
    const m = modifierOf(key);
    let fire = false;
    if (m) {
      fire = this.armed && !this.spoiled;
      this.down.delete(m);
    }
    if (fire) this.spoiled = true; // the other modifier's key-up must not fire again
    if (this.down.size === 0) {
      this.armed = false;
      this.spoiled = false;
    }
    return fire;
  }

  reset(): void {
    this.down.clear();
    this.armed = false;
    this.spoiled = false;
  }
}
