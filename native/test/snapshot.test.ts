// Snapshot calls against libvirt's test driver (fresh in-memory state per open). Each test
// defines its own domain, so tests do not depend on order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, loadBinding } from '../index.js';
import { badArg, failure } from './support.js';

const lv = loadBinding();

const snapXml = (name: string, description = '') =>
  `<domainsnapshot><name>${name}</name>${description ? `<description>${description}</description>` : ''}</domainsnapshot>`;

describe('snapshots (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  // A running domain of our own.
  async function domain(name: string, start = true): Promise<string> {
    await lv.domainDefine(conn, `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os></domain>`);
    if (start) await lv.domainCreate(conn, name);
    return name;
  }

  it('starts with no snapshots and no current one', async () => {
    const d = await domain('snap-empty');
    expect(await lv.snapshotList(conn, d)).toEqual([]);
    expect(await lv.snapshotCurrent(conn, d)).toBeNull();
  });

  it('creates snapshots and lists them with parent and current, parents first', async () => {
    const d = await domain('snap-tree');
    expect(await lv.snapshotCreate(conn, d, snapXml('s1', 'first'))).toBe('s1');
    expect(await lv.snapshotCurrent(conn, d)).toBe('s1');
    // Without a name libvirt generates one (the creation time).
    const anon = await lv.snapshotCreate(conn, d, '<domainsnapshot/>');
    expect(anon).toMatch(/^\d+$/);
    expect(await lv.snapshotCreate(conn, d, snapXml('s3'), { atomic: true, live: true })).toBe('s3');
    expect(await lv.snapshotList(conn, d)).toEqual([
      { name: 's1', parent: null, current: false },
      { name: anon, parent: 's1', current: false },
      { name: 's3', parent: anon, current: true },
    ]);
    expect(await lv.snapshotCurrent(conn, d)).toBe('s3');
  });

  it('halts the domain when asked', async () => {
    const d = await domain('snap-halt');
    await lv.snapshotCreate(conn, d, snapXml('h'), { halt: true });
    expect(await lv.domainGetState(conn, d)).toMatchObject({ stateName: 'shutoff', reasonName: 'from_snapshot' });
  });

  it('copies libvirt errors on create', async () => {
    const d = await domain('snap-create-errors');
    await lv.snapshotCreate(conn, d, snapXml('dup'));
    expect((await failure(lv.snapshotCreate(conn, d, snapXml('dup')))).code).toBe('VIR_ERR_OPERATION_FAILED');
    expect((await failure(lv.snapshotCreate(conn, d, '<domainsnapshot'))).code).toBe('VIR_ERR_XML_DETAIL');
    // Schema validation only when asked: without it the unknown element is ignored.
    const bogus = '<domainsnapshot><name>bogus</name><bogus/></domainsnapshot>';
    expect((await failure(lv.snapshotCreate(conn, d, bogus, { validate: true }))).code).toBe('VIR_ERR_XML_INVALID_SCHEMA');
    expect(await lv.snapshotCreate(conn, d, bogus)).toBe('bogus');
    // The test driver has no disk-only or metadata-less snapshots: the flags reach it and are refused.
    const diskOnly = await failure(lv.snapshotCreate(conn, d, snapXml('d'), { diskOnly: true }));
    expect(diskOnly.code).toBe('VIR_ERR_INVALID_ARG');
    expect(diskOnly.message).toMatch(/unsupported flags \(0x10\)/);
    expect((await failure(lv.snapshotCreate(conn, d, snapXml('n'), { noMetadata: true }))).message).toMatch(/\(0x4\)/);
    expect((await failure(lv.snapshotCreate(conn, 'no-such-domain', snapXml('x')))).code).toBe('VIR_ERR_NO_DOMAIN');
    expect((await lv.snapshotList(conn, d)).map((s) => s.name)).toEqual(['dup', 'bogus']);
  });

  it('returns snapshot XML', async () => {
    const d = await domain('snap-xml');
    await lv.snapshotCreate(conn, d, snapXml('x1', 'described'));
    const xml = await lv.snapshotGetXML(conn, d, 'x1');
    expect(xml).toMatch(/^<domainsnapshot>/);
    expect(xml).toContain('<name>x1</name>');
    expect(xml).toContain('<description>described</description>');
    expect(xml).toContain('<state>running</state>');
    expect(await lv.snapshotGetXML(conn, d, 'x1', { secure: true })).toContain('<name>x1</name>');
    expect((await failure(lv.snapshotGetXML(conn, d, 'nope'))).code).toBe('VIR_ERR_NO_DOMAIN_SNAPSHOT');
  });

  it('reverts to a snapshot, running or paused', async () => {
    const d = await domain('snap-revert');
    await lv.snapshotCreate(conn, d, snapXml('running-point'));
    await lv.snapshotCreate(conn, d, snapXml('off-point'), { halt: true });
    expect((await lv.domainGetState(conn, d)).stateName).toBe('shutoff');
    expect(await lv.snapshotCurrent(conn, d)).toBe('off-point');

    await expect(lv.snapshotRevert(conn, d, 'running-point')).resolves.toBeUndefined();
    expect(await lv.domainGetState(conn, d)).toMatchObject({ stateName: 'running', reasonName: 'from_snapshot' });
    expect(await lv.snapshotCurrent(conn, d)).toBe('running-point');

    await lv.snapshotRevert(conn, d, 'off-point', { paused: true });
    expect(await lv.domainGetState(conn, d)).toMatchObject({ stateName: 'paused', reasonName: 'from_snapshot' });
    await lv.snapshotRevert(conn, d, 'running-point', { running: true, force: true });
    expect((await lv.domainGetState(conn, d)).stateName).toBe('running');

    expect((await failure(lv.snapshotRevert(conn, d, 'nope'))).code).toBe('VIR_ERR_NO_DOMAIN_SNAPSHOT');
  });

  it('deletes snapshots, their children, or only their children', async () => {
    const d = await domain('snap-delete');
    for (const n of ['a', 'b', 'c']) await lv.snapshotCreate(conn, d, snapXml(n));
    // Deleting the current leaf makes its parent current.
    await expect(lv.snapshotDelete(conn, d, 'c')).resolves.toBeUndefined();
    expect(await lv.snapshotCurrent(conn, d)).toBe('b');
    await lv.snapshotDelete(conn, d, 'a', { childrenOnly: true });
    expect(await lv.snapshotList(conn, d)).toEqual([{ name: 'a', parent: null, current: true }]);
    // The test driver cannot delete only metadata: the flag reaches it and is refused.
    const meta = await failure(lv.snapshotDelete(conn, d, 'a', { metadataOnly: true }));
    expect(meta.code).toBe('VIR_ERR_INVALID_ARG');
    expect(meta.message).toMatch(/\(0x2\)/);
    await lv.snapshotCreate(conn, d, snapXml('a2'));
    await lv.snapshotDelete(conn, d, 'a', { children: true });
    expect(await lv.snapshotList(conn, d)).toEqual([]);
    expect(await lv.snapshotCurrent(conn, d)).toBeNull();
    expect((await failure(lv.snapshotDelete(conn, d, 'a'))).code).toBe('VIR_ERR_NO_DOMAIN_SNAPSHOT');
  });

  it('rejects unknown domains with VIR_ERR_NO_DOMAIN', async () => {
    // Thunks: each promise is created only when awaited, so none rejects unhandled.
    for (const call of [
      () => lv.snapshotList(conn, 'no-such-domain'),
      () => lv.snapshotCurrent(conn, 'no-such-domain'),
      () => lv.snapshotGetXML(conn, 'no-such-domain', 's'),
      () => lv.snapshotRevert(conn, 'no-such-domain', 's'),
      () => lv.snapshotDelete(conn, 'no-such-domain', 's'),
    ]) {
      expect((await failure(call())).code).toBe('VIR_ERR_NO_DOMAIN');
    }
  });

  it('rejects bad arguments without calling libvirt', async () => {
    const d = await domain('snap-args');
    await lv.snapshotCreate(conn, d, snapXml('keep'));
    await expect(lv.snapshotList(conn, '')).rejects.toMatchObject(badArg);
    await expect(lv.snapshotList({} as ConnectionHandle, d)).rejects.toMatchObject(badArg);
    await expect(lv.snapshotCurrent(conn, 7 as never)).rejects.toMatchObject(badArg);
    await expect(lv.snapshotCreate(conn, d, '')).rejects.toMatchObject(badArg);
    await expect(lv.snapshotCreate(conn, d, snapXml('x'), { halt: 'yes' } as never)).rejects.toMatchObject(badArg);
    await expect(lv.snapshotGetXML(conn, d, '')).rejects.toMatchObject(badArg);
    await expect(lv.snapshotGetXML(conn, d, null as never)).rejects.toMatchObject(badArg);
    await expect(lv.snapshotRevert(conn, d, 'keep', { running: true, paused: true })).rejects.toMatchObject(badArg);
    await expect(lv.snapshotDelete(conn, d, 'keep', { children: true, childrenOnly: true })).rejects.toMatchObject(badArg);
    await expect(lv.snapshotDelete(conn, d, 'keep', { metadataOnly: 1 } as never)).rejects.toMatchObject(badArg);
    expect(await lv.snapshotList(conn, d)).toEqual([{ name: 'keep', parent: null, current: true }]);
  });
});
