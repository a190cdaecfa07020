import { describe, expect, it } from 'vitest';
import { parseVmWindowRoute, vmWindowUrl } from './vm-window.js';

const UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

describe('VM window route', () => {
  it('makes #/vm/<connectionId>/<uuid>/<tab> on the current page, and reads it back', () => {
    const url = vmWindowUrl('demo', UUID, 'console', 'http://127.0.0.1:8080/#token=secret');
    expect(url).toBe(`http://127.0.0.1:8080/#/vm/demo/${UUID}/console`); // no token: the new tab has it in sessionStorage
    expect(parseVmWindowRoute(new URL(url).hash)).toEqual({ connectionId: 'demo', uuid: UUID, tab: 'console' });
    expect(parseVmWindowRoute(`/vm/a%2Fb/${UUID}/details`)).toEqual({ connectionId: 'a/b', uuid: UUID, tab: 'details' });
  });

  it('reads nothing else as a VM route', () => {
    expect(parseVmWindowRoute('#token=abc')).toBeNull();
    expect(parseVmWindowRoute(`#/vm/demo/${UUID}/snapshots`)).toBeNull();
    expect(parseVmWindowRoute('#/vm/demo/not-a-uuid/console')).toBeNull();
    expect(parseVmWindowRoute(`#/vm/%E0%A4%A/${UUID}/console`)).toBeNull();
  });
});
