// Domain calls against libvirt's test driver. test:///default starts with one running
// persistent domain, "test"; each open of it gets its own fresh in-memory state, so this
// file opens its own. Most tests define their own domain so they do not depend on order.
//
// The test driver does not implement everything: device attach/detach/update, job stats
// and abort answer VIR_ERR_NO_SUPPORT, migration VIR_ERR_ARGUMENT_UNSUPPORTED, and several
// flags VIR_ERR_INVALID_ARG ("unsupported flags (0x…)"). Those tests assert the exact code,
// which still proves the argument parsing, the call, and the error copying.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionHandle, drainBatch, loadBinding } from '../index.js';
import { badArg, failure } from './support.js';

const lv = loadBinding();
const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
// libvirt's VIR_ERR_INTERNAL_ERROR. The test driver reports "already running" and "not
// paused" with it; compared by number, not name (see the report on virterror_names.inc).
const VIR_ERR_INTERNAL_ERROR = 1;

function domainXml(name: string, extra = ''): string {
  return `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os>${extra}</domain>`;
}


describe('domains (test driver)', () => {
  let conn: ConnectionHandle;
  beforeAll(async () => {
    conn = await lv.open('test:///default');
  });
  afterAll(async () => {
    await lv.close(conn);
  });

  async function define(name: string, extra = ''): Promise<string> {
    const ref = await lv.domainDefine(conn, domainXml(name, extra));
    return ref.name;
  }
  const state = (key: string) => lv.domainGetState(conn, key);
  const listedNames = async (opts: Parameters<typeof lv.listAllDomains>[1]) =>
    (await drainBatch(await lv.listAllDomains(conn, opts))).map((d) => d.name);

  describe('listAllDomains', () => {
    it('lists all domains as plain refs in a batch', async () => {
      await define('list-inactive');
      const batch = await lv.listAllDomains(conn);
      expect(batch.length).toBeGreaterThanOrEqual(2);
      const all = await drainBatch(batch, 1);
      expect(all).toHaveLength(batch.length);
      expect(batch.next(10)).toEqual([]);
      const test = all.find((d) => d.name === 'test');
      expect(test).toEqual({ name: 'test', uuid: TEST_UUID, id: expect.any(Number) });
      expect(test!.id).toBeGreaterThan(0);
      const inactive = all.find((d) => d.name === 'list-inactive');
      expect(inactive?.id).toBe(-1);
      expect(inactive?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('filters by active/inactive/persistent/transient', async () => {
      await define('list-filter');
      const active = await listedNames({ active: true });
      const inactive = await listedNames({ inactive: true });
      expect(active).toContain('test');
      expect(active).not.toContain('list-filter');
      expect(inactive).toContain('list-filter');
      expect(inactive).not.toContain('test');
      expect(await listedNames({ persistent: true })).toContain('list-filter');
      expect(await listedNames({ transient: true })).not.toContain('list-filter');
    });

    it('rejects bad options', async () => {
      await expect(lv.listAllDomains(conn, { active: 'yes' } as never)).rejects.toMatchObject(badArg);
      await expect(lv.listAllDomains(conn, 5 as never)).rejects.toMatchObject(badArg);
      await expect(lv.listAllDomains({} as ConnectionHandle)).rejects.toMatchObject(badArg);
    });
  });

  describe('domainLookup', () => {
    it('finds a domain by name and by UUID', async () => {
      const byName = await lv.domainLookup(conn, 'test');
      const byUuid = await lv.domainLookup(conn, TEST_UUID);
      expect(byName).toEqual(byUuid);
      expect(byName.uuid).toBe(TEST_UUID);
    });

    it('rejects an unknown domain with VIR_ERR_NO_DOMAIN', async () => {
      const err = await failure(lv.domainLookup(conn, 'no-such-domain'));
      expect(err.code).toBe('VIR_ERR_NO_DOMAIN');
      expect(err.virDomainName).toBe('VIR_FROM_TEST');
      // A UUID nobody has falls back to a name lookup, which fails the same way.
      expect((await failure(lv.domainLookup(conn, '00000000-0000-0000-0000-000000000000'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('rejects bad keys and closed connections without calling libvirt', async () => {
      await expect(lv.domainLookup(conn, '')).rejects.toMatchObject(badArg);
      await expect(lv.domainLookup(conn, 42 as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainLookup(conn, 'a\u0000b')).rejects.toMatchObject(badArg);
      const closed = await lv.open('test:///default');
      await lv.close(closed);
      await expect(lv.domainLookup(closed, 'test')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG', message: /closed/ });
    });
  });

  describe('domainDefine / domainUndefine', () => {
    it('defines a persistent, inactive domain', async () => {
      const ref = await lv.domainDefine(conn, domainXml('def-a'));
      expect(ref).toMatchObject({ name: 'def-a', id: -1 });
      expect(await lv.domainIsPersistent(conn, ref.uuid)).toBe(true);
      expect((await state('def-a')).stateName).toBe('shutoff');
    });

    it('validates against the schema only when asked', async () => {
      const xml = domainXml('def-bogus', '<bogus/>');
      const err = await failure(lv.domainDefine(conn, xml, { validate: true }));
      expect(err.code).toBe('VIR_ERR_XML_INVALID_SCHEMA');
      await expect(lv.domainLookup(conn, 'def-bogus')).rejects.toMatchObject({ code: 'VIR_ERR_NO_DOMAIN' });
      // Without validation libvirt ignores the unknown element.
      expect((await lv.domainDefine(conn, xml)).name).toBe('def-bogus');
    });

    it('rejects malformed XML and bad arguments', async () => {
      expect((await failure(lv.domainDefine(conn, '<domain'))).code).toBe('VIR_ERR_XML_DETAIL');
      await expect(lv.domainDefine(conn, '')).rejects.toMatchObject(badArg);
      await expect(lv.domainDefine(conn, null as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainDefine(conn, domainXml('x'), { validate: 1 } as never)).rejects.toMatchObject(badArg);
    });

    it('undefines an inactive domain', async () => {
      await define('undef-a');
      await expect(lv.domainUndefine(conn, 'undef-a')).resolves.toBeUndefined();
      expect((await failure(lv.domainLookup(conn, 'undef-a'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await failure(lv.domainUndefine(conn, 'undef-a'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('makes a running domain transient', async () => {
      await define('undef-running');
      await lv.domainCreate(conn, 'undef-running');
      await lv.domainUndefine(conn, 'undef-running');
      expect(await lv.domainIsPersistent(conn, 'undef-running')).toBe(false);
      expect((await state('undef-running')).stateName).toBe('running');
      await lv.domainDestroy(conn, 'undef-running');
      expect((await failure(lv.domainLookup(conn, 'undef-running'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('passes the undefine flags', async () => {
      await define('undef-flags');
      // Snapshot metadata blocks a plain undefine; snapshotsMetadata removes it.
      await lv.snapshotCreate(conn, 'undef-flags', '<domainsnapshot><name>s</name></domainsnapshot>');
      expect((await failure(lv.domainUndefine(conn, 'undef-flags'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      // The test driver has no NVRAM: the flag reaches it and is refused.
      const nvram = await failure(lv.domainUndefine(conn, 'undef-flags', { nvram: true }));
      expect(nvram.code).toBe('VIR_ERR_INVALID_ARG');
      expect(nvram.message).toMatch(/unsupported flags \(0x4\)/);
      await lv.domainUndefine(conn, 'undef-flags', { snapshotsMetadata: true });
      expect((await failure(lv.domainLookup(conn, 'undef-flags'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('rejects contradictory undefine options', async () => {
      await expect(lv.domainUndefine(conn, 'test', { nvram: true, keepNvram: true })).rejects.toMatchObject(badArg);
      await expect(lv.domainUndefine(conn, 'test', { tpm: true, keepTpm: true })).rejects.toMatchObject(badArg);
      expect(await lv.domainIsPersistent(conn, 'test')).toBe(true);
    });
  });

  describe('lifecycle', () => {
    it('starts, suspends, resumes, reboots and shuts down, as domainGetState shows', async () => {
      await define('life');
      expect(await state('life')).toMatchObject({ state: 5, stateName: 'shutoff' });
      await expect(lv.domainCreate(conn, 'life')).resolves.toBeUndefined();
      expect(await state('life')).toEqual({ state: 1, stateName: 'running', reason: 1, reasonName: 'booted' });
      expect((await lv.domainLookup(conn, 'life')).id).toBeGreaterThan(0);

      const again = await failure(lv.domainCreate(conn, 'life'));
      expect(again.virCode).toBe(VIR_ERR_INTERNAL_ERROR);
      expect(again.message).toMatch(/already running/);

      await lv.domainSuspend(conn, 'life');
      expect(await state('life')).toMatchObject({ stateName: 'paused', reasonName: 'user' });
      expect((await failure(lv.domainSuspend(conn, 'life'))).message).toMatch(/not running/);

      await lv.domainResume(conn, 'life');
      expect(await state('life')).toMatchObject({ stateName: 'running', reasonName: 'unpaused' });
      expect((await failure(lv.domainResume(conn, 'life'))).message).toMatch(/not paused/);

      // A reboot shows as a fresh boot in the test driver.
      await lv.domainReboot(conn, 'life');
      expect(await state('life')).toMatchObject({ stateName: 'running', reasonName: 'booted' });
      await lv.domainSuspend(conn, 'life');
      await lv.domainResume(conn, 'life');
      await lv.domainReboot(conn, 'life', { acpi: true, agent: true });
      expect(await state('life')).toMatchObject({ stateName: 'running', reasonName: 'booted' });

      await lv.domainShutdown(conn, 'life');
      expect(await state('life')).toMatchObject({ stateName: 'shutoff', reason: 1, reasonName: 'shutdown' });
      expect((await lv.domainLookup(conn, 'life')).id).toBe(-1);
    });

    it('passes the start and shutdown flags', async () => {
      await define('life-flags');
      // The test driver takes no start flags: refusing them proves they were passed.
      const paused = await failure(lv.domainCreate(conn, 'life-flags', { paused: true }));
      expect(paused.code).toBe('VIR_ERR_INVALID_ARG');
      expect(paused.message).toMatch(/unsupported flags \(0x1\)/);
      expect((await failure(lv.domainCreate(conn, 'life-flags', { forceBoot: true }))).message).toMatch(/\(0x8\)/);
      await lv.domainCreate(conn, 'life-flags');
      const acpi = await failure(lv.domainShutdown(conn, 'life-flags', { acpi: true }));
      expect(acpi.code).toBe('VIR_ERR_INVALID_ARG');
      expect(acpi.message).toMatch(/\(0x1\)/);
      expect((await failure(lv.domainShutdown(conn, 'life-flags', { agent: true }))).message).toMatch(/\(0x2\)/);
      expect((await state('life-flags')).stateName).toBe('running');
    });

    it('destroys a running domain and refuses to destroy an inactive one', async () => {
      await define('life-destroy');
      await lv.domainCreate(conn, 'life-destroy');
      await expect(lv.domainDestroy(conn, 'life-destroy', { graceful: true })).resolves.toBeUndefined();
      expect(await state('life-destroy')).toEqual({ state: 5, stateName: 'shutoff', reason: 2, reasonName: 'destroyed' });
      expect((await failure(lv.domainDestroy(conn, 'life-destroy'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      // The test driver reports these as internal errors, not VIR_ERR_OPERATION_INVALID.
      const shutdown = await failure(lv.domainShutdown(conn, 'life-destroy'));
      expect(shutdown.virCode).toBe(VIR_ERR_INTERNAL_ERROR);
      expect(shutdown.message).toMatch(/not running/);
      expect((await failure(lv.domainSuspend(conn, 'life-destroy'))).message).toMatch(/not running/);
      expect((await failure(lv.domainReboot(conn, 'life-destroy'))).code).toBe('VIR_ERR_OPERATION_INVALID');
    });

    it('resets a running domain only', async () => {
      await define('life-reset');
      expect((await failure(lv.domainReset(conn, 'life-reset'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      await lv.domainCreate(conn, 'life-reset');
      await expect(lv.domainReset(conn, 'life-reset')).resolves.toBeUndefined();
      expect((await state('life-reset')).stateName).toBe('running');
    });

    it('rejects lifecycle calls on unknown domains and bad options', async () => {
      for (const call of [lv.domainCreate, lv.domainShutdown, lv.domainReboot, lv.domainReset, lv.domainDestroy, lv.domainSuspend, lv.domainResume]) {
        expect((await failure(call(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
        await expect(call(conn, '')).rejects.toMatchObject(badArg);
      }
      await expect(lv.domainCreate(conn, 'test', { paused: 'no' } as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainShutdown(conn, 'test', { acpi: 1 } as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainDestroy(conn, 'test', [] as never)).rejects.toMatchObject(badArg);
      expect((await state('test')).stateName).toBe('running');
    });
  });

  describe('managed save', () => {
    it('saves, reports and removes the managed save image', async () => {
      await define('ms');
      await lv.domainCreate(conn, 'ms');
      expect(await lv.domainHasManagedSave(conn, 'ms')).toBe(false);
      await expect(lv.domainManagedSave(conn, 'ms', { bypassCache: true })).resolves.toBeUndefined();
      expect(await state('ms')).toMatchObject({ stateName: 'shutoff', reasonName: 'saved' });
      expect(await lv.domainHasManagedSave(conn, 'ms')).toBe(true);
      // The image blocks a plain undefine.
      expect((await failure(lv.domainUndefine(conn, 'ms'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      await expect(lv.domainManagedSaveRemove(conn, 'ms')).resolves.toBeUndefined();
      expect(await lv.domainHasManagedSave(conn, 'ms')).toBe(false);
    });

    it('restores from the image on start, and undefine can take the image along', async () => {
      await define('ms-restore');
      await lv.domainCreate(conn, 'ms-restore');
      await lv.domainManagedSave(conn, 'ms-restore', { paused: true });
      await lv.domainCreate(conn, 'ms-restore');
      expect((await state('ms-restore')).stateName).toBe('running');
      expect(await lv.domainHasManagedSave(conn, 'ms-restore')).toBe(false);
      await lv.domainManagedSave(conn, 'ms-restore');
      await lv.domainUndefine(conn, 'ms-restore', { managedSave: true });
      expect((await failure(lv.domainLookup(conn, 'ms-restore'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('refuses to save an inactive domain and contradictory options', async () => {
      await define('ms-inactive');
      expect((await failure(lv.domainManagedSave(conn, 'ms-inactive'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      await expect(lv.domainManagedSave(conn, 'ms-inactive', { running: true, paused: true })).rejects.toMatchObject(badArg);
      expect((await failure(lv.domainHasManagedSave(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await failure(lv.domainManagedSaveRemove(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });
  });

  describe('XML, info, state, autostart, persistence', () => {
    it('returns the domain XML with flags', async () => {
      await define('xml-a');
      const xml = await lv.domainGetXML(conn, 'xml-a');
      expect(xml).toMatch(/^<domain type='test'>/);
      expect(xml).toContain('<name>xml-a</name>');
      expect(await lv.domainGetXML(conn, 'xml-a', { inactive: true, secure: true, migratable: true })).toContain('<name>xml-a</name>');
      // The test driver has no CPU model to update: the flag reaches it and is refused.
      const err = await failure(lv.domainGetXML(conn, 'xml-a', { updateCpu: true }));
      expect(err.code).toBe('VIR_ERR_INVALID_ARG');
      expect(err.message).toMatch(/\(0x4\)/);
      expect((await failure(lv.domainGetXML(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('returns the interface addresses by lease, agent or ARP (the test driver makes one up), and rejects other sources', async () => {
      for (const source of ['lease', 'agent', 'arp'] as const) {
        expect(await lv.domainInterfaceAddresses(conn, 'test', source)).toEqual([{ name: 'testnet0', hwaddr: 'aa:bb:cc:dd:ee:ff', addrs: [{ type: 'ipv4', addr: '192.168.122.3', prefix: 24 }] }]);
      }
      await expect(lv.domainInterfaceAddresses(conn, 'test', 'dns' as never)).rejects.toMatchObject(badArg);
      expect((await failure(lv.domainInterfaceAddresses(conn, 'no-such-domain', 'lease'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('passes block resizes to the driver (the test driver has none) and rejects bad arguments', async () => {
      expect((await failure(lv.domainBlockResize(conn, 'test', 'vda', 1 << 30))).code).toBe('VIR_ERR_NO_SUPPORT');
      await expect(lv.domainBlockResize(conn, 'test', '', 1 << 30)).rejects.toMatchObject(badArg);
      await expect(lv.domainBlockResize(conn, 'test', 'vda', -1)).rejects.toMatchObject(badArg);
    });

    it('returns domain info', async () => {
      const info = await lv.domainGetInfo(conn, 'test');
      expect(info).toMatchObject({ state: 1, stateName: 'running' });
      expect(info.maxMemKiB).toBeGreaterThanOrEqual(info.memoryKiB);
      expect(info.nrVirtCpu).toBeGreaterThan(0);
      expect(info.cpuTimeNs).toBeGreaterThan(0);
      await define('info-a');
      expect(await lv.domainGetInfo(conn, 'info-a')).toMatchObject({ state: 5, stateName: 'shutoff', maxMemKiB: 1024, memoryKiB: 1024, nrVirtCpu: 1 });
      expect((await failure(lv.domainGetInfo(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('returns the state of the preloaded domain', async () => {
      expect(await state(TEST_UUID)).toMatchObject({ state: 1, stateName: 'running', reason: expect.any(Number), reasonName: expect.any(String) });
      expect((await failure(state('no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('gets and sets autostart', async () => {
      await define('auto-a');
      expect(await lv.domainGetAutostart(conn, 'auto-a')).toBe(false);
      await expect(lv.domainSetAutostart(conn, 'auto-a', true)).resolves.toBeUndefined();
      expect(await lv.domainGetAutostart(conn, 'auto-a')).toBe(true);
      await lv.domainSetAutostart(conn, 'auto-a', false);
      expect(await lv.domainGetAutostart(conn, 'auto-a')).toBe(false);
      await expect(lv.domainSetAutostart(conn, 'auto-a', 'yes' as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainSetAutostart(conn, 'auto-a', undefined as never)).rejects.toMatchObject(badArg);
      expect((await failure(lv.domainGetAutostart(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('renames an inactive domain, keeping its UUID; refuses a running one and a taken name', async () => {
      await define('rename-a');
      const before = await lv.domainLookup(conn, 'rename-a');
      const renamed = await lv.domainRename(conn, 'rename-a', 'rename-b');
      expect(renamed).toEqual({ name: 'rename-b', uuid: before.uuid, id: -1 });
      expect((await lv.domainLookup(conn, before.uuid)).name).toBe('rename-b');
      expect((await failure(lv.domainLookup(conn, 'rename-a'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await failure(lv.domainRename(conn, 'rename-b', 'test'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      expect((await failure(lv.domainRename(conn, 'test', 'renamed-test'))).code).toBe('VIR_ERR_OPERATION_INVALID');
      expect((await failure(lv.domainRename(conn, 'no-such-domain', 'x'))).code).toBe('VIR_ERR_NO_DOMAIN');
      await expect(lv.domainRename(conn, 'rename-b', '')).rejects.toMatchObject(badArg);
      await expect(lv.domainRename(conn, 'rename-b', 7 as never)).rejects.toMatchObject(badArg);
    });

    it('tells persistent from transient domains', async () => {
      await define('transient');
      await lv.domainCreate(conn, 'transient');
      expect(await lv.domainIsPersistent(conn, 'transient')).toBe(true);
      await lv.domainUndefine(conn, 'transient');
      expect(await lv.domainIsPersistent(conn, 'transient')).toBe(false);
      expect((await failure(lv.domainIsPersistent(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await failure(lv.domainSetAutostart(conn, 'no-such-domain', true))).code).toBe('VIR_ERR_NO_DOMAIN');
    });
  });

  describe('memory and vCPUs', () => {
    it('sets live memory on a running domain', async () => {
      await lv.domainSetMemory(conn, 'test', 4096, { live: true });
      expect((await lv.domainGetInfo(conn, 'test')).memoryKiB).toBe(4096);
      const err = await failure(lv.domainSetMemory(conn, 'test', 1e12, { live: true }));
      expect(err.code).toBe('VIR_ERR_INVALID_ARG');
      expect(err.message).toMatch(/higher than max/);
      expect((await failure(lv.domainSetMemory(conn, 'test', 2048, { live: true, maximum: true }))).code).toBe('VIR_ERR_OPERATION_INVALID');
    });

    it('sets the maximum memory in the config, as the XML shows', async () => {
      await define('mem-a');
      await lv.domainSetMemory(conn, 'mem-a', 8192, { config: true, maximum: true });
      expect((await lv.domainGetInfo(conn, 'mem-a')).maxMemKiB).toBe(8192);
      expect(await lv.domainGetXML(conn, 'mem-a', { inactive: true })).toMatch(/<memory unit='KiB'>8192<\/memory>/);
    });

    it('rejects bad memory sizes without calling libvirt', async () => {
      for (const kib of [-1, 1.5, Number.NaN, '1024', null]) {
        await expect(lv.domainSetMemory(conn, 'test', kib as never)).rejects.toMatchObject(badArg);
      }
      await expect(lv.domainSetMemory(conn, 'test', 1024, { maximum: 'yes' } as never)).rejects.toMatchObject(badArg);
    });

    it('sets vCPU counts', async () => {
      await define('vcpu-a');
      await lv.domainSetVcpus(conn, 'vcpu-a', 4, { config: true, maximum: true });
      await lv.domainSetVcpus(conn, 'vcpu-a', 3, { config: true });
      expect((await lv.domainGetInfo(conn, 'vcpu-a')).nrVirtCpu).toBe(3);
      expect(await lv.domainGetXML(conn, 'vcpu-a', { inactive: true })).toMatch(/<vcpu placement='static' current='3'>4<\/vcpu>/);
      const over = await failure(lv.domainSetVcpus(conn, 'vcpu-a', 1000, { config: true, maximum: true }));
      expect(over.code).toBe('VIR_ERR_INVALID_ARG');
      // The test driver has no guest agent: the flag reaches it and is refused.
      expect((await failure(lv.domainSetVcpus(conn, 'test', 1, { guest: true }))).message).toMatch(/\(0x8\)/);
    });

    it('rejects bad vCPU counts without calling libvirt', async () => {
      for (const count of [0, -2, 2 ** 32, 1.5, 'two']) {
        await expect(lv.domainSetVcpus(conn, 'test', count as never)).rejects.toMatchObject(badArg);
      }
      expect((await lv.domainGetInfo(conn, 'test')).nrVirtCpu).toBeGreaterThan(0);
    });
  });

  describe('devices', () => {
    const disk = "<disk type='file' device='disk'><source file='/tmp/vireo-x.img'/><target dev='vdb' bus='virtio'/></disk>";

    it('reaches the driver for attach, detach and update (the test driver has none)', async () => {
      await define('dev-a');
      for (const [call, fn] of [
        [lv.domainAttachDevice, 'virDomainAttachDeviceFlags'],
        [lv.domainDetachDevice, 'virDomainDetachDeviceFlags'],
        [lv.domainUpdateDevice, 'virDomainUpdateDeviceFlags'],
      ] as const) {
        const err = await failure(call(conn, 'dev-a', disk, { config: true }));
        expect(err.code).toBe('VIR_ERR_NO_SUPPORT');
        expect(err.message).toContain(fn);
        expect((await failure(call(conn, 'test', disk))).code).toBe('VIR_ERR_NO_SUPPORT');
        expect((await failure(call(conn, 'no-such-domain', disk))).code).toBe('VIR_ERR_NO_DOMAIN');
        await expect(call(conn, 'dev-a', '')).rejects.toMatchObject(badArg);
        await expect(call(conn, 'dev-a', undefined as never)).rejects.toMatchObject(badArg);
        await expect(call(conn, 'dev-a', disk, { live: 'true' } as never)).rejects.toMatchObject(badArg);
      }
      await expect(lv.domainUpdateDevice(conn, 'dev-a', disk, { force: 1 } as never)).rejects.toMatchObject(badArg);
      expect(await lv.domainGetXML(conn, 'dev-a', { inactive: true })).not.toContain('vdb');
    });
  });

  describe('metadata', () => {
    const ns = 'https://vireo.example/ns/1';

    it('reads null when unset, then sets, reads and removes title and description', async () => {
      await define('meta-a');
      expect(await lv.domainGetMetadata(conn, 'meta-a', 'title', null)).toBeNull();
      expect(await lv.domainGetMetadata(conn, 'meta-a', 'description', null)).toBeNull();
      await expect(lv.domainSetMetadata(conn, 'meta-a', 'title', 'My VM', null, null)).resolves.toBeUndefined();
      await lv.domainSetMetadata(conn, 'meta-a', 'description', 'line 1\nline 2', null, null, { config: true });
      expect(await lv.domainGetMetadata(conn, 'meta-a', 'title', null)).toBe('My VM');
      expect(await lv.domainGetMetadata(conn, 'meta-a', 'description', null, { config: true })).toBe('line 1\nline 2');
      expect(await lv.domainGetXML(conn, 'meta-a')).toContain('<title>My VM</title>');
      await lv.domainSetMetadata(conn, 'meta-a', 'title', null, null, null);
      expect(await lv.domainGetMetadata(conn, 'meta-a', 'title', null)).toBeNull();
    });

    it('sets, reads and removes a namespaced element', async () => {
      await define('meta-el');
      expect(await lv.domainGetMetadata(conn, 'meta-el', 'element', ns)).toBeNull();
      await lv.domainSetMetadata(conn, 'meta-el', 'element', '<vm group="lab"/>', 'vireo', ns);
      expect(await lv.domainGetMetadata(conn, 'meta-el', 'element', ns)).toBe('<vm group="lab"/>');
      expect(await lv.domainGetXML(conn, 'meta-el')).toContain(`<vireo:vm xmlns:vireo="${ns}" group="lab"/>`);
      expect(await lv.domainGetMetadata(conn, 'meta-el', 'element', 'https://vireo.example/other')).toBeNull();
      await lv.domainSetMetadata(conn, 'meta-el', 'element', null, null, ns);
      expect(await lv.domainGetMetadata(conn, 'meta-el', 'element', ns)).toBeNull();
      expect((await failure(lv.domainSetMetadata(conn, 'meta-el', 'element', '<vm', 'vireo', ns))).code).toBe('VIR_ERR_XML_DETAIL');
    });

    it('copies libvirt errors: live metadata of an inactive domain, unknown domain', async () => {
      await define('meta-inactive');
      expect((await failure(lv.domainGetMetadata(conn, 'meta-inactive', 'title', null, { live: true }))).code).toBe('VIR_ERR_OPERATION_INVALID');
      expect((await failure(lv.domainSetMetadata(conn, 'meta-inactive', 'title', 't', null, null, { live: true }))).code).toBe('VIR_ERR_OPERATION_INVALID');
      expect((await failure(lv.domainGetMetadata(conn, 'no-such-domain', 'title', null))).code).toBe('VIR_ERR_NO_DOMAIN');
    });

    it('rejects bad metadata arguments without calling libvirt', async () => {
      await expect(lv.domainGetMetadata(conn, 'test', 'nonsense' as never, null)).rejects.toMatchObject(badArg);
      await expect(lv.domainGetMetadata(conn, 'test', 'element', null)).rejects.toMatchObject(badArg);
      await expect(lv.domainGetMetadata(conn, 'test', 'title', ns)).rejects.toMatchObject(badArg);
      await expect(lv.domainGetMetadata(conn, 'test', 'title', null, { live: true, config: true })).rejects.toMatchObject(badArg);
      await expect(lv.domainSetMetadata(conn, 'test', 'element', '<a/>', null, ns)).rejects.toMatchObject(badArg);
      await expect(lv.domainSetMetadata(conn, 'test', 'element', '<a/>', 'p', null)).rejects.toMatchObject(badArg);
      await expect(lv.domainSetMetadata(conn, 'test', 'title', 'two\nlines', null, null)).rejects.toMatchObject(badArg);
      await expect(lv.domainSetMetadata(conn, 'test', 'description', 'd', 'p', ns)).rejects.toMatchObject(badArg);
      await expect(lv.domainSetMetadata(conn, 'test', 'title', 5 as never, null, null)).rejects.toMatchObject(badArg);
      expect(await lv.domainGetMetadata(conn, 'test', 'description', null)).toBeNull();
    });
  });

  describe('send-key', () => {
    it('sends keys to a running domain', async () => {
      await expect(lv.domainSendKey(conn, 'test', 'linux', 50, [29, 56, 111])).resolves.toBeUndefined();
      await expect(lv.domainSendKey(conn, 'test', 'qnum', 0, Array.from({ length: 16 }, () => 0x1d))).resolves.toBeUndefined();
    });

    it('copies libvirt errors: inactive domain, keycode outside the set', async () => {
      await define('key-inactive');
      expect((await failure(lv.domainSendKey(conn, 'key-inactive', 'linux', 10, [29]))).code).toBe('VIR_ERR_OPERATION_INVALID');
      const err = await failure(lv.domainSendKey(conn, 'test', 'linux', 10, [60000]));
      expect(err.virCode).toBe(VIR_ERR_INTERNAL_ERROR);
      expect(err.message).toMatch(/invalid keycode 60000/);
    });

    it('validates codeset, hold time and keycodes', async () => {
      await expect(lv.domainSendKey(conn, 'test', 'dvorak', 10, [1])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, [])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, Array.from({ length: 17 }, () => 30))).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, [-1])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, [0x10000])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, ['a'] as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', -5, [30])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 3_600_000, [30])).rejects.toMatchObject(badArg);
      await expect(lv.domainSendKey(conn, 'test', 'linux', 10, 30 as never)).rejects.toMatchObject(badArg);
    });
  });

  describe('jobs and migration', () => {
    it('reaches the driver for job stats and abort (the test driver has none)', async () => {
      for (const opts of [undefined, { completed: true }]) {
        const err = await failure(lv.domainGetJobStats(conn, 'test', opts));
        expect(err.code).toBe('VIR_ERR_NO_SUPPORT');
        expect(err.message).toContain('virDomainGetJobStats');
      }
      const abort = await failure(lv.domainAbortJob(conn, 'test'));
      expect(abort.code).toBe('VIR_ERR_NO_SUPPORT');
      expect(abort.message).toContain('virDomainAbortJob');
      expect((await failure(lv.domainGetJobStats(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await failure(lv.domainAbortJob(conn, 'no-such-domain'))).code).toBe('VIR_ERR_NO_DOMAIN');
      await expect(lv.domainGetJobStats(conn, 'test', { completed: 'yes' } as never)).rejects.toMatchObject(badArg);
    });

    it('reaches the driver for migration, direct and peer-to-peer (the test driver refuses both)', async () => {
      const direct = await failure(lv.domainMigrate(conn, 'test', 'test:///default', { live: true, migrateUri: 'tcp://127.0.0.1:49152' }));
      expect(direct.code).toBe('VIR_ERR_ARGUMENT_UNSUPPORTED');
      expect(direct.message).toMatch(/direct migration/);
      const p2p = await failure(
        lv.domainMigrate(conn, 'test', 'test:///default', { peer2peer: true, tunnelled: true, persistDest: true, undefineSource: true, bandwidthMiBs: 100, destName: 'moved' }),
      );
      expect(p2p.code).toBe('VIR_ERR_ARGUMENT_UNSUPPORTED');
      expect(p2p.message).toMatch(/p2p migration/);
      expect((await failure(lv.domainMigrate(conn, 'no-such-domain', 'test:///default'))).code).toBe('VIR_ERR_NO_DOMAIN');
      expect((await state('test')).stateName).toBe('running');
    });

    it('rejects bad migration arguments without calling libvirt', async () => {
      await expect(lv.domainMigrate(conn, 'test', '')).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', null as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { tunnelled: true })).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { bandwidthMiBs: -1 })).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { destName: '' })).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { destName: 'a\u0000b' })).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { migrateUri: 7 } as never)).rejects.toMatchObject(badArg);
      await expect(lv.domainMigrate(conn, 'test', 'test:///default', { live: 'yes' } as never)).rejects.toMatchObject(badArg);
    });
  });

  describe('concurrency', () => {
    it('settles many parallel calls, and calls in flight survive close()', async () => {
      const names = Array.from({ length: 20 }, (_, i) => `par-${i}`);
      const refs = await Promise.all(names.map((n) => lv.domainDefine(conn, domainXml(n))));
      expect(new Set(refs.map((r) => r.uuid)).size).toBe(names.length);
      const states = await Promise.all(names.map((n) => state(n)));
      expect(states.every((s) => s.stateName === 'shutoff')).toBe(true);

      const other = await lv.open('test:///default');
      // Handlers attached before close(), so a rejection is never unhandled.
      const inFlight = Promise.allSettled(Array.from({ length: 20 }, () => lv.domainGetInfo(other, 'test')));
      await lv.close(other);
      const settled = await inFlight;
      // Each call took its own connection reference when it was made, so all of them complete.
      expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.stateName : s.reason))).toEqual(Array.from({ length: 20 }, () => 'running'));
      await expect(lv.domainGetInfo(other, 'test')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    });
  });
});
