import { describe, expect, it } from 'vitest';
import { actionsFor } from './vm-actions.js';

const labels = (state: Parameters<typeof actionsFor>[0]) => actionsFor(state).map((a) => a.label);

describe('VM actions by state', () => {
  it('offers what virt-manager offers', () => {
    expect(labels('running')).toEqual(['Pause', 'Shut down', 'Reboot', 'Force off']);
    expect(labels('paused')).toEqual(['Resume', 'Force off']);
    expect(labels('shutoff')).toEqual(['Start']);
  });
});
