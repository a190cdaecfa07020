import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, isLibvirtError, loadBinding } from '../index.js';

const lv = loadBinding();

describe('connections (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  it('reports the connection and host', async () => {
    const info = await lv.connectInfo(conn);
    expect(info.uri).toBe('test:///default');
    expect(info.hypervisor).toBe('TEST');
    expect(info.libVersion).toBe(lv.libvirtVersion);
    expect(info.alive).toBe(true);
    const node = await lv.nodeInfo(conn);
    expect(node.cpus).toBeGreaterThan(0);
    expect(node.memoryKiB).toBeGreaterThan(0);
  });

  it('returns capabilities XML', async () => {
    expect(await lv.getCapabilities(conn)).toMatch(/^<capabilities>/);
  });

  it('rejects a bad URI with libvirt code, domain and symbolic name', async () => {
    const err = await lv.open('test:///nonexistent/file.xml').catch((e: unknown) => e);
    expect(isLibvirtError(err)).toBe(true);
    if (!isLibvirtError(err)) return;
    expect(err.code).toMatch(/^VIR_ERR_/);
    expect(err.virCode).toBeGreaterThan(0);
    expect(err.virDomainName).toMatch(/^VIR_FROM_/);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('rejects calls on a closed connection without crashing', async () => {
    const c = await lv.open('test:///default');
    await lv.close(c);
    await expect(lv.nodeInfo(c)).rejects.toThrow(/closed/);
  });

  it('turns a throwing options getter into a rejection, not a synchronous throw', async () => {
    const opts = {
      get readOnly(): boolean {
        throw new Error('getter boom');
      },
    };
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = lv.open('test:///default', opts);
    }).not.toThrow();
    await expect(promise).rejects.toThrow('getter boom');
  });

  it('rejects NUL characters in string options', async () => {
    await expect(lv.getDomainCapabilities(conn, { arch: 'x86\u000064' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('rejects a non-connection argument with ERR_INVALID_ARG', async () => {
    await expect(lv.connectInfo({} as ConnectionHandle)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
