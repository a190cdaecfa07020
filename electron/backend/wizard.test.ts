// The New-VM wizard's API on the Demo connection (libvirt's test driver, in-process), through the
// same validating session both shells use: what the pages offer, errors on the page they belong
// to, creation with progress events, customization, copies, rollback, templates, the file browser.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBatch, loadBinding } from '../../native/index.js';
import type { EventMessage, MethodName, MethodParams, MethodResult } from '../../shared/api/contract.js';
import type { ApiError } from '../../shared/models/error.js';
import type { WizardOutcome, WizardPlan, WizardProgress } from '../../shared/models/wizard.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { type Backend, createBackend } from './backend.js';
import { ApiSession } from './session.js';
import { makeDebianIso, runCreation } from '../test/wizard-fixture.js';

const lv = loadBinding();
const dir = mkdtempSync(join(tmpdir(), 'vireo-wizard-'));
const configDir = join(dir, 'config');
const tag = `vireo-wiz-${process.pid}`;

const iso = makeDebianIso(dir);
const image = join(dir, 'base.qcow2');
execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '48M']);
const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

let backend: Backend;
let session: ApiSession;
const events: EventMessage[] = [];

class Failed extends Error {
  constructor(readonly error: ApiError) {
    super(`${error.code}: ${error.message}`);
  }
}

async function call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
  const outcome = await session.call(method, params);
  if (!outcome.ok) throw new Failed(outcome.error);
  return outcome.value as MethodResult<M>;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Failed);
  return (e as Failed).error;
}

const demo = { connectionId: 'demo' };
const plan = (name: string, extra: Partial<WizardPlan> = {}): WizardPlan => ({
  name: `${tag}-${name}`,
  osId: 'debian11',
  memoryMiB: 1024,
  vcpus: 1,
  install: { kind: 'iso', path: iso },
  disk: { pool: 'default-pool', sizeMiB: 10 * 1024 },
  network: { kind: 'network', network: 'default' },
  ...extra,
});

/** Runs a creation to its end: its progress reports and its outcome (from the event and from wizard.operation). */
async function create(params: MethodParams<'wizard.create'>): Promise<{ progress: WizardProgress[]; outcome: WizardOutcome }> {
  const { operationId, progress, outcome } = await runCreation(call, events, params);
  expect(await call('wizard.operation', { operationId })).toMatchObject({ state: 'done', outcome });
  return { progress, outcome };
}

const conn = () => backend.connections.requireHandle('demo');
const ourDomains = async () =>
  (await drainBatch(await lv.listAllDomains(conn())))
    .map((d) => d.name)
    .filter((n) => n.startsWith(tag))
    .toSorted();
const ourVolumes = async () =>
  (await lv.volList(conn(), 'default-pool'))
    .map((v) => v.name)
    .filter((n) => n.startsWith(tag))
    .toSorted();
const definedConfig = async (name: string) => DomainConfig.parse(await lv.domainGetXML(conn(), name, { inactive: true }));

beforeAll(async () => {
  backend = createBackend({ detected: [], configDir });
  session = new ApiSession(backend, (message) => events.push(message));
  await backend.start();
});

afterAll(async () => {
  session.dispose();
  await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('what the wizard pages offer on Demo', () => {
  it('the environment: the i686 test host, its pool and network, no KVM', async () => {
    const env = await call('wizard.environment', demo);
    expect(env).toMatchObject({
      uri: 'test:///default',
      local: true,
      hostArch: 'i686',
      host: { memoryMiB: 3072, cpus: 16 },
      kvmUsable: false,
      defaultMachine: null,
      arches: [{ arch: 'i686', virtTypes: ['qemu'], machines: [] }],
      pools: [{ name: 'default-pool', type: 'dir', active: true, capacityMiB: 102400, targetPath: '/default-pool' }],
      networks: [{ name: 'default', active: true, bridge: 'virbr0' }],
    });
  });

  it('finds operating systems by words, newest first, end-of-life ones on request', async () => {
    // Debian 11 (2021, no end date in osinfo-db) is past virt-manager's five years of assumed support.
    expect(await call('wizard.searchOs', { query: 'debian 11' })).toEqual([]);
    expect((await call('wizard.searchOs', { query: 'debian 11', includeEol: true }))[0]).toMatchObject({
      id: 'http://debian.org/debian/11',
      shortId: 'debian11',
      name: 'Debian 11',
      hasTree: true,
      eol: true,
    });
    expect((await call('wizard.searchOs', { query: 'debian' })).map((os) => os.shortId)).toContain('debiantesting');
    const withEol = await call('wizard.searchOs', { query: 'fedora', includeEol: true, limit: 500 });
    const current = await call('wizard.searchOs', { query: 'fedora', limit: 500 });
    expect(withEol.length).toBeGreaterThan(current.length);
    expect(current.every((os) => !os.eol)).toBe(true);
  });

  it('detects the OS of an ISO, reads a disk image, and says why a file is no medium', async () => {
    expect(await call('wizard.inspect', { ...demo, path: iso, as: 'iso' })).toMatchObject({ ok: true, kind: 'iso', volumeId: 'Debian 11.5.0 amd64 n', os: { shortId: 'debian11' } });
    expect(await call('wizard.inspect', { ...demo, path: image, as: 'image' })).toEqual({ ok: true, kind: 'image', format: 'qcow2', virtualSizeMiB: 48 });
    expect(await call('wizard.inspect', { ...demo, path: join(dir, 'missing.iso'), as: 'iso' })).toEqual({
      ok: false,
      error: { page: 'source', field: 'path', message: `${join(dir, 'missing.iso')} is not readable: ENOENT` },
    });
    expect(await call('wizard.inspect', { ...demo, path: image, as: 'iso' })).toMatchObject({ ok: false, error: { message: `${image} is not an ISO 9660 image` } });
  });

  it("defaults memory and vCPUs from osinfo's recommendation, bounded by the host", async () => {
    // Debian 11 recommends 1 GiB and 20 GiB (osinfo-db), and needs 10 GiB of disk.
    expect(await call('wizard.defaults', { ...demo, osId: 'debian11', arch: 'x86_64' })).toEqual({
      memoryMiB: 1024,
      vcpus: 1,
      diskMiB: 20480,
      minimum: { memoryMiB: 1024, vcpus: 1, diskMiB: 10240 },
      host: { memoryMiB: 3072, cpus: 16 },
    });
    const windows = await call('wizard.defaults', { ...demo, osId: 'win11', arch: 'x86_64' });
    expect(windows.memoryMiB).toBeLessThanOrEqual(3072);
    expect(windows.vcpus).toBeLessThanOrEqual(16);
    expect((await failure(call('wizard.defaults', { ...demo, osId: 'no-such-os' }))).message).toBe('unknown operating system "no-such-os"');
  });

  it('lists a pool’s volumes', async () => {
    const made = await lv.volCreate(conn(), 'default-pool', `<volume><name>${tag}-listed.qcow2</name><capacity unit='MiB'>64</capacity><target><format type='qcow2'/></target></volume>`);
    try {
      const volumes = await call('wizard.volumes', { ...demo, pool: 'default-pool' });
      expect(volumes.find((v) => v.name === `${tag}-listed.qcow2`)).toEqual({
        name: `${tag}-listed.qcow2`,
        path: `/default-pool/${tag}-listed.qcow2`,
        type: 'file',
        capacityMiB: 64,
        allocationMiB: expect.any(Number),
        format: 'qcow2',
      });
    } finally {
      await lv.volDelete(conn(), made.key);
    }
  });
});

describe('the file browser', () => {
  const browseDir = join(dir, 'browse');
  beforeAll(() => {
    mkdirSync(join(browseDir, 'isos'), { recursive: true });
    writeFileSync(join(browseDir, 'isos', 'b.iso'), Buffer.alloc(4096));
    writeFileSync(join(browseDir, 'isos', 'a10.iso'), 'x');
    writeFileSync(join(browseDir, 'isos', 'a9.iso'), 'xx');
    writeFileSync(join(browseDir, 'isos', '.hidden'), 'x');
    mkdirSync(join(browseDir, 'isos', 'sub'));
    symlinkSync('/etc', join(browseDir, 'isos', 'etc-link'));
    symlinkSync('/etc/hostname', join(browseDir, 'isos', 'hostname-link'));
  });

  it('starts at the roots: the temp folder among them, /etc not', async () => {
    const roots = await call('wizard.browse', demo);
    expect(roots.path).toBeNull();
    expect(roots.roots).toContain(tmpdir());
    expect(roots.roots).not.toContain('/etc');
  });

  it('lists names, types and sizes only: folders first, natural order, no hidden files', async () => {
    const listing = await call('wizard.browse', { ...demo, path: join(browseDir, 'isos') });
    expect(listing).toEqual({
      path: join(browseDir, 'isos'),
      parent: browseDir,
      roots: expect.any(Array),
      truncated: false,
      entries: [
        { name: 'etc-link', type: 'dir', sizeBytes: null },
        { name: 'sub', type: 'dir', sizeBytes: null },
        { name: 'a9.iso', type: 'file', sizeBytes: 2 },
        { name: 'a10.iso', type: 'file', sizeBytes: 1 },
        { name: 'b.iso', type: 'file', sizeBytes: 4096 },
        { name: 'hostname-link', type: 'file', sizeBytes: expect.any(Number) },
      ],
    });
    expect((await call('wizard.browse', { ...demo, path: tmpdir() })).parent).toBeNull();
  });

  it('refuses folders outside the roots, however the path gets there', async () => {
    for (const path of ['/etc', `${browseDir}/../../../etc`, join(browseDir, 'isos', 'etc-link'), '/dev/shm']) {
      const error = await failure(call('wizard.browse', { ...demo, path }));
      expect(error.code).toBe('invalid-input');
      expect(error.message).toMatch(/is outside the folders the wizard browses/);
    }
    expect((await failure(call('wizard.browse', { ...demo, path: 'relative/dir' }))).message).toBe('"relative/dir" is not an absolute path');
    expect((await failure(call('wizard.browse', { ...demo, path: join(browseDir, 'isos', 'b.iso') }))).message).toBe(`${join(browseDir, 'isos', 'b.iso')} is not a folder`);
    expect((await failure(call('wizard.browse', { ...demo, path: join(browseDir, 'gone') }))).code).toBe('not-found');
  });

  it('shows only optical drives in /dev', async () => {
    const listing = await call('wizard.browse', { ...demo, path: '/dev' });
    expect(listing.entries.every((e) => /^(sr\d+|cdrom\d*|dvd\d*)$/.test(e.name))).toBe(true);
  });
});

const check = (p: WizardPlan, pages: MethodParams<'wizard.validate'>['pages'], copies?: { count: number; namePattern: string }) =>
  call('wizard.validate', { ...demo, plan: p, pages, ...(copies && { copies }) });

describe('errors on the page they belong to', () => {
  it('accepts a good plan page by page', async () => {
    expect(await check(plan('ok'), ['method', 'source', 'resources', 'storage', 'summary'])).toEqual({ ok: true, warnings: [] });
  });

  it('method: an architecture or accelerator the host does not offer', async () => {
    expect(await check(plan('arch', { arch: 'aarch64' }), ['method'])).toEqual({
      ok: false,
      error: { page: 'method', field: 'arch', message: 'test:///default cannot run aarch64 guests; it offers i686' },
    });
    expect(await check(plan('kvm', { virtType: 'kvm' }), ['method'])).toMatchObject({ ok: false, error: { page: 'method', field: 'virtType' } });
  });

  it('source: an unreadable ISO, a bad SSH key, an unknown OS', async () => {
    const missing = join(dir, 'nope.iso');
    expect(await check(plan('iso', { install: { kind: 'iso', path: missing } }), ['source'])).toEqual({
      ok: false,
      error: { page: 'source', field: 'install.path', message: `${missing} is not readable: ENOENT` },
    });
    const badKey = plan('key', { install: { kind: 'cloud-image', image, cloudInit: { user: { name: 'alice', sshKeys: ['not a key'] } } } });
    expect(await check(badKey, ['source'])).toEqual({
      ok: false,
      error: { page: 'source', field: 'install.cloudInit.user.sshKeys[0]', message: 'SSH key 1 is not an OpenSSH public key ("ssh-ed25519 AAAA... comment")' },
    });
    expect(await check(plan('os', { osId: 'plan9' }), ['source'])).toMatchObject({ ok: false, error: { page: 'source', field: 'osId' } });
    expect(await check(plan('empty', { install: { kind: 'iso', path: '' } }), ['source'])).toEqual({
      ok: false,
      error: { page: 'source', field: 'install.path', message: 'enter the ISO image or CD-ROM device' },
    });
    expect(await check(plan('relative', { install: { kind: 'kernel', kernel: 'vmlinuz' } }), ['source'])).toEqual({
      ok: false,
      error: { page: 'source', field: 'install.kernel', message: 'the kernel must be an absolute path (starting with /), not "vmlinuz"' },
    });
    // Pages before the source page do not need the media yet.
    expect(await check(plan('later', { install: { kind: 'iso', path: '' } }), ['method'])).toEqual({ ok: true, warnings: [] });
  });

  it('resources: more memory or CPUs than the host has', async () => {
    expect(await check(plan('mem', { memoryMiB: 8192 }), ['resources'])).toEqual({
      ok: false,
      error: { page: 'resources', field: 'memoryMiB', message: '8 GiB of memory asked for, but the host has only 3 GiB' },
    });
    expect(await check(plan('cpu', { vcpus: 17 }), ['resources'])).toMatchObject({ ok: false, error: { page: 'resources', field: 'vcpus' } });
    expect(await check(plan('small', { memoryMiB: 256 }), ['resources'])).toEqual({ ok: true, warnings: ['256 MiB of memory is below the 1 GiB of memory this OS needs'] });
  });

  it('storage: a disk larger than the pool’s free space, copies sharing one existing disk', async () => {
    expect(await check(plan('big', { disk: { pool: 'default-pool', sizeMiB: 200 * 1024 } }), ['storage'])).toEqual({
      ok: false,
      error: { page: 'storage', field: 'disk.sizeMiB', message: 'a 200 GiB disk does not fit in storage pool "default-pool": it has 100 GiB free' },
    });
    expect(await check(plan('nopool', { disk: { pool: 'nope', sizeMiB: 1024 } }), ['storage'])).toMatchObject({ ok: false, error: { page: 'storage', field: 'disk.pool' } });
    const shared = plan('shared-{n}', { disk: undefined, existingDisk: { path: image } });
    expect(await check(shared, ['storage'], { count: 2, namePattern: `${tag}-shared-{n}` })).toMatchObject({ ok: false, error: { page: 'storage', field: 'existingDisk.path', message: expect.stringMatching(/^copies cannot share one disk/) } });
    expect(await check(plan('gone', { disk: undefined, existingDisk: { path: join(dir, 'gone.qcow2') } }), ['storage'])).toMatchObject({
      ok: false,
      error: { page: 'storage', field: 'existingDisk.path', message: `${join(dir, 'gone.qcow2')} is not readable: ENOENT` },
    });
  });

  it('summary: a duplicate name, an invalid name, a missing network, a bad name pattern', async () => {
    expect(await check({ ...plan('x'), name: 'test' }, ['summary'])).toEqual({
      ok: false,
      error: { page: 'summary', field: 'name', message: 'a VM named "test" already exists on test:///default' },
    });
    expect(await check({ ...plan('x'), name: 'bad name' }, ['summary'])).toMatchObject({ ok: false, error: { page: 'summary', field: 'name' } });
    expect(await check(plan('net', { network: { kind: 'network', network: 'no-such-net' } }), ['summary'])).toEqual({
      ok: false,
      error: { page: 'summary', field: 'network', message: 'virtual network "no-such-net" does not exist on test:///default' },
    });
    expect(await check(plan('pattern'), ['summary'], { count: 3, namePattern: `${tag}-web` })).toMatchObject({ ok: false, error: { page: 'summary', field: 'name', message: expect.stringMatching(/needs \{n\}/) } });
  });

  it('bad types never reach the checks', async () => {
    const error = await failure(call('wizard.validate', { ...demo, plan: { ...plan('t'), memoryMiB: '1024' as unknown as number }, pages: ['resources'] }));
    expect(error).toMatchObject({ code: 'invalid-input', issues: [{ path: ['plan', 'memoryMiB'], message: 'memoryMiB must be a number' }] });
  });
});

describe('creating on Demo', () => {
  it('the ISO flow defines and starts the VM, reporting progress; the template is saved', async () => {
    const { progress, outcome } = await create({ ...demo, plan: plan('iso'), saveTemplate: `${tag} debian` });
    const name = `${tag}-iso`;
    expect(outcome).toEqual({ ok: true, vms: [{ name, uuid: expect.any(String), volumes: [`/default-pool/${name}.qcow2`], started: true }], warnings: [] });
    expect(progress.map((p) => [p.stage, p.index, p.count])).toEqual([
      ['disk', 0, 1],
      ['define', 0, 1],
      ['start', 0, 1],
    ]);
    const config = await definedConfig(name);
    expect(config.devices('disk').map((d) => [d.get('device'), d.get('sourceFile')])).toEqual([
      ['disk', `/default-pool/${name}.qcow2`],
      ['cdrom', iso],
    ]);
    expect((await call('wizard.templates.list', {})).find((t) => t.name === `${tag} debian`)?.plan).toMatchObject({ osId: 'debian11', install: { kind: 'iso', path: iso } });
  });

  it('applies the customized definition from the preview', async () => {
    const p = plan('custom', { start: false });
    const preview = await call('wizard.preview', { ...demo, plan: p });
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.vmName).toBe(p.name);
    const edited = DomainConfig.parse(preview.xml);
    edited.update({ memoryKiB: 768 * 1024, currentMemoryKiB: 768 * 1024, title: 'customized' });
    const { outcome } = await create({ ...demo, plan: p, customXml: edited.toXml(), autostart: true });
    expect(outcome.ok).toBe(true);
    expect(await lv.domainGetAutostart(conn(), p.name)).toBe(true);
    const config = await definedConfig(p.name);
    expect(config.values()).toMatchObject({ memoryKiB: 768 * 1024, title: 'customized' });
    // Not started: it keeps the install phase, booting the CD-ROM first.
    expect(config.bootDevices()).toEqual(['cdrom', 'hd']);
  });

  it('refuses customized XML that renames the VM or is not XML, before creating anything', async () => {
    const p = plan('renamed');
    const preview = await call('wizard.preview', { ...demo, plan: p });
    if (!preview.ok) throw new Error(preview.error.message);
    const renamed = await create({ ...demo, plan: p, customXml: preview.xml.replace(`<name>${p.name}</name>`, '<name>other</name>') });
    expect(renamed.outcome).toEqual({
      ok: false,
      error: { page: 'customize', field: 'xml', message: `the name must stay "${p.name}" (change it on the Name page), not "other"`, vm: null, stage: null, rollbackFailures: [] },
    });
    const broken = await create({ ...demo, plan: p, customXml: '<domain><name>' });
    expect(broken.outcome).toMatchObject({ ok: false, error: { page: 'customize', field: 'xml' } });
    expect(renamed.progress).toEqual([]);
    expect(await ourVolumes()).not.toContain(`${p.name}.qcow2`);
  });

  it('rolls back when libvirt refuses the customized definition: no volume, no definition', async () => {
    const p = plan('refused');
    const preview = await call('wizard.preview', { ...demo, plan: p });
    if (!preview.ok) throw new Error(preview.error.message);
    const bogus = preview.xml.replace('</devices>', '<vireo-bogus/></devices>');
    const { progress, outcome } = await create({ ...demo, plan: p, customXml: bogus });
    expect(outcome).toMatchObject({ ok: false, error: { page: 'customize', vm: p.name, stage: 'define', rollbackFailures: [] } });
    expect(progress.map((r) => r.stage)).toEqual(['disk', 'define', 'rollback']);
    expect(await ourVolumes()).not.toContain(`${p.name}.qcow2`);
    expect(await ourDomains()).not.toContain(p.name);
  });

  it('creates N copies from one configuration, each with its own disk', async () => {
    const { progress, outcome } = await create({ ...demo, plan: plan('web-{n}', { install: { kind: 'manual' } }), copies: { count: 3, namePattern: `${tag}-web-{n}` } });
    const names = [1, 2, 3].map((n) => `${tag}-web-${n}`);
    expect(outcome.ok && outcome.vms.map((vm) => [vm.name, vm.volumes, vm.started])).toEqual(names.map((n) => [n, [`/default-pool/${n}.qcow2`], true]));
    expect(new Set(progress.map((p) => p.index))).toEqual(new Set([0, 1, 2]));
    expect(await ourDomains()).toEqual(expect.arrayContaining(names));
  });

  it('defines every local install method: PXE, manual, import, direct kernel boot', async () => {
    const kernel = join(dir, 'vmlinuz');
    writeFileSync(kernel, 'kernel');
    const cases: [string, WizardPlan['install'], Partial<WizardPlan>][] = [
      ['pxe', { kind: 'pxe' }, {}],
      ['manual', { kind: 'manual' }, { osId: undefined }],
      ['import', { kind: 'import', path: image }, { disk: undefined }],
      ['kernel', { kind: 'kernel', kernel, cmdline: 'console=ttyS0' }, { network: { kind: 'user' } }],
    ];
    const outcomes = [];
    for (const [name, install, extra] of cases) {
      const { outcome } = await create({ ...demo, plan: plan(`method-${name}`, { install, start: false, ...extra }) });
      outcomes.push([name, outcome.ok ? 'ok' : outcome.error.message]);
    }
    expect(outcomes).toEqual(cases.map(([name]) => [name, 'ok']));
    const boot = async (name: string) => (await definedConfig(`${tag}-method-${name}`)).bootDevices();
    expect(await boot('pxe')).toEqual(['network', 'hd']);
    expect(await boot('manual')).toEqual(['hd']);
    expect((await definedConfig(`${tag}-method-import`)).devices('disk').map((d) => d.get('sourceFile'))).toEqual([image]);
    expect((await definedConfig(`${tag}-method-kernel`)).values()).toMatchObject({ kernel, cmdline: 'console=ttyS0' });
  });

  it('rolls back a cloud image whose seed cannot be uploaded (the test driver has no volume upload): the overlay goes again', async () => {
    const p = plan('cloud', { install: { kind: 'cloud-image', image, cloudInit: { user: { name: 'alice', sshKeys: [key] } } } });
    const { progress, outcome } = await create({ ...demo, plan: p });
    expect(outcome).toEqual({
      ok: false,
      error: {
        page: 'summary',
        field: null,
        vm: p.name,
        stage: 'seed',
        rollbackFailures: [],
        message: `creating "${p.name}" failed (seed): this function is not supported by the connection driver: virStorageVolUpload; nothing it created was kept`,
      },
    });
    expect(progress.map((r) => r.stage)).toEqual(['disk', 'seed', 'rollback']);
    expect((await ourVolumes()).filter((v) => v.startsWith(p.name))).toEqual([]);
    expect(await ourDomains()).not.toContain(p.name);
  });

  it('attaches an existing disk image instead of a new volume', async () => {
    const p = plan('existing', { install: { kind: 'manual' }, disk: undefined, existingDisk: { path: image }, start: false });
    const { outcome } = await create({ ...demo, plan: p });
    expect(outcome).toMatchObject({ ok: true, vms: [{ volumes: [] }] });
    expect((await definedConfig(p.name)).devices('disk').map((d) => [d.get('sourceFile'), d.get('driverType'), d.get('targetDev')])).toEqual([[image, 'qcow2', 'vda']]);
  });

  it('reports a name taken meanwhile on the Name page', async () => {
    const { outcome } = await create({ ...demo, plan: { ...plan('x'), name: 'test' } });
    expect(outcome).toMatchObject({ ok: false, error: { page: 'summary', field: 'name', message: 'a VM named "test" already exists on test:///default' } });
  });
});

describe('templates', () => {
  it('saves without the name or a cloud-init password, lists and removes', async () => {
    const p = plan('cloud', { install: { kind: 'cloud-image', image, cloudInit: { hostname: 'h1', user: { name: 'alice', password: 'secret', sshKeys: [key] } } } });
    const { name: _name, ...reusable } = p;
    const saved = await call('wizard.templates.save', { name: `${tag} cloud`, plan: reusable });
    expect(saved.plan).not.toHaveProperty('name');
    expect(saved.plan?.install).toEqual({ kind: 'cloud-image', image, cloudInit: { user: { name: 'alice', sshKeys: [key] } } });
    expect((await call('wizard.templates.list', {})).map((t) => t.name)).toContain(`${tag} cloud`);
    expect(await call('wizard.templates.remove', { name: `${tag} cloud` })).toBe(true);
    expect((await call('wizard.templates.list', {})).map((t) => t.name)).not.toContain(`${tag} cloud`);
  });
});
