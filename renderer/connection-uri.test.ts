import { describe, expect, it } from 'vitest';
import { buildUri } from './connection-uri.js';
import { nameList, percent, rate, stateLabel, version } from './format.js';

describe('add-connection URIs', () => {
  it('builds local and SSH URIs as virt-manager does', () => {
    expect(buildUri({ hypervisor: 'qemu-system', ssh: false, user: '', host: '' })).toBe('qemu:///system');
    expect(buildUri({ hypervisor: 'qemu-session', ssh: false, user: 'x', host: 'y' })).toBe('qemu:///session');
    expect(buildUri({ hypervisor: 'qemu-system', ssh: true, user: 'root', host: '127.0.0.1:2222' })).toBe('qemu+ssh://root@127.0.0.1:2222/system');
    expect(buildUri({ hypervisor: 'lxc', ssh: true, user: '', host: 'kvm1' })).toBe('lxc+ssh://kvm1/');
    expect(buildUri({ hypervisor: 'qemu-system', ssh: true, user: 'root', host: '' })).toBeNull();
    expect(buildUri({ hypervisor: 'qemu-system', ssh: true, user: 'root', host: 'a/b' })).toBeNull();
  });
});

describe('formatting', () => {
  it('writes states, versions and figures', () => {
    expect(stateLabel({ state: 'shutoff', hasManagedSave: true })).toBe('Saved');
    expect(stateLabel({ state: 'shutoff', hasManagedSave: false })).toBe('Shut off');
    expect(version(9_000_000)).toBe('9.0.0');
    expect(version(7_002_022)).toBe('7.2.22');
    expect(percent(null)).toBe('–');
    expect(percent(3.14)).toBe('3.1 %');
    expect(rate(1536)).toBe('1.5 KiB/s');
    expect(nameList(['a', 'b', 'c', 'd', 'e'])).toBe('"a", "b", "c" and 2 more');
  });
});
