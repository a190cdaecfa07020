import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, isLibvirtError, loadBinding } from '../index.js';
import { noDaemon } from './support.js';

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

describe('authentication (test driver with an <auth> section)', () => {
  // The test driver asks for a user name and a passphrase when its node file has <auth>.
  const dir = mkdtempSync(join(tmpdir(), 'vireo-auth-'));
  const file = join(dir, 'node.xml');
  writeFileSync(
    file,
    "<node><auth><user password='s3cret'>alice</user></auth><domain type='test'><name>authvm</name><memory>1024</memory><os><type>hvm</type></os></domain></node>",
  );
  const uri = `test://${file}`;

  it('answers libvirt\'s credential requests from the options', async () => {
    const conn = await lv.open(uri, { username: 'alice', password: 's3cret' });
    expect((await lv.connectInfo(conn)).alive).toBe(true);
    await lv.close(conn);
  });

  it('says when credentials were requested but not supplied', async () => {
    await expect(lv.open(uri)).rejects.toMatchObject({ code: 'VIR_ERR_AUTH_FAILED', message: expect.stringMatching(/credentials were requested but not supplied/) });
  });

  it('rejects a wrong password with VIR_ERR_AUTH_FAILED', async () => {
    await expect(lv.open(uri, { username: 'alice', password: 'wrong' })).rejects.toMatchObject({ code: 'VIR_ERR_AUTH_FAILED' });
  });

  it('opens read-only connections that refuse changes', async () => {
    const conn = await lv.open('test:///default', { readOnly: true });
    await expect(lv.domainSuspend(conn, 'test')).rejects.toMatchObject({ code: 'VIR_ERR_OPERATION_DENIED' });
    await lv.close(conn);
  });
});

describe.skipIf(noDaemon)('domain capabilities', () => {
  it('reads them from the lab daemon, and the test driver says it has none', async () => {
    const qemu = await lv.open('qemu:///system');
    const xml = await lv.getDomainCapabilities(qemu, { virtType: 'qemu', arch: 'x86_64' });
    await lv.close(qemu);
    expect(xml).toMatch(/^<domainCapabilities>/);
    expect(xml).toMatch(/<domain>qemu<\/domain>/);
    const test = await lv.open('test:///default');
    await expect(lv.getDomainCapabilities(test)).rejects.toMatchObject({ code: 'VIR_ERR_NO_SUPPORT' });
    await lv.close(test);
  });
});
