import { describe, expect, it } from 'vitest';
import { LINUX_KEYS, MAX_SEND_KEYS, SEND_KEY_PRESETS, describeKeys, isConsoleBusy, keyNameOf, parseKeyCombo } from './console.js';

describe('send-key combinations', () => {
  it('parses friendly and Linux names', () => {
    expect(parseKeyCombo('Ctrl+Alt+F3')).toEqual({ ok: true, keys: ['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_F3'] });
    expect(parseKeyCombo(' shift + printscreen ')).toEqual({ ok: true, keys: ['KEY_LEFTSHIFT', 'KEY_SYSRQ'] });
    expect(parseKeyCombo('KEY_LEFTMETA+l')).toEqual({ ok: true, keys: ['KEY_LEFTMETA', 'KEY_L'] });
    expect(parseKeyCombo('altgr+7')).toEqual({ ok: true, keys: ['KEY_RIGHTALT', 'KEY_7'] });
    expect(parseKeyCombo('Ctrl+/')).toEqual({ ok: true, keys: ['KEY_LEFTCTRL', 'KEY_SLASH'] });
  });

  it('says what is wrong with a combination', () => {
    expect(parseKeyCombo('')).toEqual({ ok: false, error: 'Type keys joined by +, e.g. Ctrl+Alt+F3' });
    expect(parseKeyCombo('ctrl++')).toEqual({ ok: false, error: '"ctrl++" has an empty key between two +' });
    expect(parseKeyCombo('ctrl+hyper')).toEqual({ ok: false, error: 'Unknown key "hyper"' });
    expect(parseKeyCombo('ctrl+control')).toEqual({ ok: false, error: '"control" appears twice' });
    const many = 'a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q';
    expect(parseKeyCombo(many)).toEqual({ ok: false, error: `At most ${MAX_SEND_KEYS} keys at once` });
  });

  it('names keys back for the menu', () => {
    expect(describeKeys(['KEY_LEFTCTRL', 'KEY_LEFTALT', 'KEY_DELETE'])).toBe('Ctrl+Alt+Del');
    expect(describeKeys(['KEY_LEFTCTRL', 'KEY_L'])).toBe('Ctrl+L');
    expect(describeKeys(['KEY_SYSRQ'])).toBe('PrintScreen');
    expect(describeKeys(['KEY_F12'])).toBe('F12');
  });

  it('has virt-manager presets whose keys all exist', () => {
    expect(SEND_KEY_PRESETS.map((p) => p.label)).toEqual([
      'Ctrl+Alt+Backspace',
      'Ctrl+Alt+Del',
      ...Array.from({ length: 12 }, (_, i) => `Ctrl+Alt+F${i + 1}`),
      'PrintScreen',
    ]);
    for (const p of SEND_KEY_PRESETS) {
      for (const k of p.keys) expect(LINUX_KEYS[k]).toBeGreaterThan(0);
      expect(describeKeys(p.keys)).toBe(p.label);
    }
    expect(keyNameOf('nope')).toBeNull();
  });
});

describe('isConsoleBusy', () => {
  it("recognises libvirt's active console session error only", () => {
    expect(isConsoleBusy({ code: 'VIR_ERR_OPERATION_FAILED', message: 'operation failed: Active console session exists for this domain' })).toBe(true);
    expect(isConsoleBusy({ code: 'VIR_ERR_OPERATION_FAILED', message: 'something else' })).toBe(false);
    expect(isConsoleBusy({ code: 'internal', message: 'Active console session exists' })).toBe(false);
  });
});
