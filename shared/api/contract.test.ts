import { describe, expect, it } from 'vitest';
import { contract, isMethodName, methodNames } from './contract.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';

/** The messages a schema gives for `input`, keyed by path. */
function issues(schema: { safeParse(input: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
}

describe('contract schemas', () => {
  const { methods, streams } = contract;

  it('accept valid params and apply defaults', () => {
    expect(methods['connections.add'].input.parse({ uri: ' qemu+ssh://root@host/system ' })).toEqual({ uri: 'qemu+ssh://root@host/system', autoconnect: false });
    expect(methods['domains.start'].input.parse({ connectionId: 'demo', uuid: TEST_UUID })).toEqual({ connectionId: 'demo', uuid: TEST_UUID });
    expect(streams['console.serial'].input.parse({ connectionId: 'demo', uuid: TEST_UUID })).toMatchObject({ device: null });
  });

  it('reject a URI that is not a libvirt URI', () => {
    expect(issues(methods['connections.add'].input, { uri: 'system' })).toEqual({
      uri: 'uri must be a libvirt URI such as qemu:///system or qemu+ssh://user@host/system',
    });
    expect(issues(methods['connections.add'].input, { uri: 42 })).toEqual({ uri: 'uri must be a string' });
  });

  it('reject a malformed UUID and a missing connection id', () => {
    expect(issues(methods['domains.destroy'].input, { uuid: 'test' })).toEqual({
      connectionId: 'connectionId must be a string',
      uuid: 'uuid must look like 6695eb01-f6a4-8304-79aa-97f2502e193f',
    });
  });

  it('reject unknown keys, so a typo never passes silently', () => {
    const found = issues(methods['domains.shutdown'].input, { connectionId: 'demo', uuid: TEST_UUID, acpii: true });
    expect(Object.values(found).join()).toMatch(/acpii/);
  });

  it('reject flags that are not booleans', () => {
    expect(issues(methods['domains.shutdown'].input, { connectionId: 'demo', uuid: TEST_UUID, acpi: 'yes' })).toEqual({ acpi: 'must be true or false' });
  });

  it('bound the stats interval to 1-10 s in whole milliseconds', () => {
    const schema = methods['stats.setConfig'].input;
    expect(issues(schema, { intervalMs: 999 })).toEqual({ intervalMs: 'intervalMs must be at least 1000' });
    expect(issues(schema, { intervalMs: 10_001 })).toEqual({ intervalMs: 'intervalMs must be at most 10000' });
    expect(issues(schema, { intervalMs: 1500.5 })).toEqual({ intervalMs: 'intervalMs must be a whole number of milliseconds' });
    expect(schema.parse({ intervalMs: 1000 })).toEqual({ intervalMs: 1000 });
  });

  it('know only their own method names, not inherited properties', () => {
    expect(methodNames).toContain('domains.list');
    expect(isMethodName('domains.list')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName('__proto__')).toBe(false);
  });
});
