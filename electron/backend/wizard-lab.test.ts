// The New-VM wizard's API on the lab's libvirtd (qemu:///system): a network install from an install
// tree served on loopback (whose "installer" is the tiny guest), with download progress events,
// and an existing volume attached as the disk. Needs `bash scripts/lab.sh start`; VIREO_NO_DAEMON=1
// skips it (and says so).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainBatch, loadBinding } from '../../native/index.js';
import type { EventMessage, MethodName, MethodParams, MethodResult } from '../../shared/api/contract.js';
import type { WizardPlan } from '../../shared/models/wizard.js';
import { DomainConfig } from '../../shared/xml/domain.js';
import { type Backend, createBackend } from './backend.js';
import { ApiSession } from './session.js';
import { noDaemon, serveDebianTree } from '../test/lab.js';
import { runCreation } from '../test/wizard-fixture.js';

const lv = loadBinding();
const suite = noDaemon ? describe.skip : describe;
const title = noDaemon
  ? 'the wizard on the lab libvirtd: SKIPPED because VIREO_NO_DAEMON=1 (no qemu:///system)'
  : 'the wizard on the lab libvirtd (qemu:///system, dir pool in a temp dir)';

const guestDir = fileURLToPath(new URL('../../.lab/guest/', import.meta.url));
const tiny = { kernel: join(guestDir, 'vmlinux'), initrd: join(guestDir, 'initramfs.img'), cmdline: 'console=tty0 console=ttyS0 panic=-1' };

suite(title, () => {
  const tag = `vireo-wiz-${randomBytes(3).toString('hex')}`;
  const pool = tag;
  const lab = { connectionId: 'launch' };
  let poolDir = '';
  let configDir = '';
  let backend: Backend;
  let session: ApiSession;
  const events: EventMessage[] = [];

  async function call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const outcome = await session.call(method, params);
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
    return outcome.value as MethodResult<M>;
  }

  const create = (params: MethodParams<'wizard.create'>) => runCreation(call, events, params);

  const conn = () => backend.connections.requireHandle('launch');
  const plan = (name: string, extra: Partial<WizardPlan>): WizardPlan => ({
    name: `${tag}-${name}`,
    virtType: 'qemu',
    memoryMiB: 256,
    vcpus: 1,
    install: { kind: 'manual' },
    disk: { pool, sizeMiB: 64 },
    network: { kind: 'user' },
    ...extra,
  });

  beforeAll(async () => {
    poolDir = mkdtempSync(join(tmpdir(), `${tag}-pool-`));
    configDir = mkdtempSync(join(tmpdir(), `${tag}-config-`));
    backend = createBackend({ launchUri: 'qemu:///system', detected: [], configDir });
    session = new ApiSession(backend, (message) => events.push(message));
    await backend.start();
    await lv.poolDefine(conn(), `<pool type='dir'><name>${pool}</name><target><path>${poolDir}</path></target></pool>`);
    await lv.poolBuild(conn(), pool);
    await lv.poolStart(conn(), pool);
  });

  afterAll(async () => {
    const handle = backend?.connections.handleOf('launch');
    if (handle) {
      for (const domain of (await drainBatch(await lv.listAllDomains(handle))).filter((d) => d.name.startsWith(tag))) {
        await lv.domainDestroy(handle, domain.uuid).catch(() => undefined);
        await lv.domainUndefine(handle, domain.uuid).catch(() => undefined);
      }
      for (const volume of await lv.volList(handle, pool).catch(() => [])) await lv.volDelete(handle, volume.key).catch(() => undefined);
      await lv.poolDestroy(handle, pool).catch(() => undefined);
      await lv.poolUndefine(handle, pool).catch(() => undefined);
    }
    session?.dispose();
    await backend?.dispose();
    for (const made of [poolDir, configDir]) if (made) rmSync(made, { recursive: true, force: true });
  });

  it('offers the host: x86_64 with its machine types, the test pool, the default network', async () => {
    const env = await call('wizard.environment', lab);
    expect(env).toMatchObject({ uri: 'qemu:///system', local: true, hostArch: 'x86_64', defaultMachine: expect.stringMatching(/^pc-i440fx-/) });
    expect(env.arches[0]).toMatchObject({ arch: 'x86_64', virtTypes: expect.arrayContaining(['qemu']), machines: expect.arrayContaining(['pc', 'q35']) });
    expect(env.pools.find((p) => p.name === pool)).toMatchObject({ type: 'dir', active: true, targetPath: poolDir });
    // The test pool's folder is offered by the file browser.
    expect((await call('wizard.browse', lab)).roots).toContain(poolDir);
  });

  it('network install: the tree’s kernel and initrd are downloaded with progress, the installer boots, then they are gone', async () => {
    const tree = await serveDebianTree(tiny);
    const url = tree.url;
    try {
      const p = plan('netinst', { osId: 'debian11', memoryMiB: 1024, install: { kind: 'network', url, extraArgs: tiny.cmdline } });
      const { progress, outcome } = await create({ ...lab, plan: p });
      expect(outcome).toMatchObject({ ok: true, vms: [{ name: p.name, volumes: [join(poolDir, `${p.name}.qcow2`)], started: true }] });
      const stages = [...new Set(progress.map((r) => r.stage))];
      expect(stages).toEqual(['installer', 'disk', 'define', 'start']);
      // The last report of each download has all its bytes, as the wizard's progress bar shows them.
      const kernelSize = statSync(tiny.kernel).size;
      expect(progress).toContainEqual(expect.objectContaining({ stage: 'installer', message: `downloading ${url}/current/images/netboot/debian-installer/amd64/linux`, bytes: { done: kernelSize, total: kernelSize } }));
      expect((await call('wizard.operation', { operationId: progress[0]!.operationId })).state).toBe('done');
      expect((await lv.domainGetState(conn(), p.name)).stateName).toBe('running');
      const next = DomainConfig.parse(await lv.domainGetXML(conn(), p.name, { inactive: true }));
      expect(next.get('kernel')).toBeUndefined();
      expect((await lv.volList(conn(), pool)).map((v) => v.name).filter((n) => n.startsWith(p.name))).toEqual([`${p.name}.qcow2`]);
      await lv.domainDestroy(conn(), p.name);
    } finally {
      tree.close();
    }
  });

  it('an install tree without a kernel fails on the source page, before anything is created', async () => {
    const server: Server = createServer((_request, response) => void response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/nothing-here`;
      const p = plan('notree', { install: { kind: 'network', url } });
      const { outcome } = await create({ ...lab, plan: p });
      expect(outcome).toMatchObject({ ok: false, error: { page: 'source', field: 'install.url', stage: 'installer', rollbackFailures: [] } });
      expect(!outcome.ok && outcome.error.message).toContain(`${url} is not an install tree osinfo-db knows`);
      expect((await lv.volList(conn(), pool)).map((v) => v.name).filter((n) => n.startsWith(p.name))).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('attaches an existing volume of a pool as the disk of a direct kernel boot', async () => {
    const volume = await lv.volCreate(conn(), pool, `<volume><name>${tag}-data.qcow2</name><capacity unit='MiB'>32</capacity><target><format type='qcow2'/></target></volume>`);
    const p = plan('existing', { install: { kind: 'kernel', ...tiny }, disk: undefined, existingDisk: { path: volume.path } });
    expect(await call('wizard.validate', { ...lab, plan: p, pages: ['storage'] })).toEqual({ ok: true, warnings: [] });
    const { outcome } = await create({ ...lab, plan: p });
    expect(outcome).toMatchObject({ ok: true, vms: [{ volumes: [], started: true }] });
    const config = DomainConfig.parse(await lv.domainGetXML(conn(), p.name, { inactive: true }));
    expect(config.devices('disk').map((d) => [d.get('sourceFile'), d.get('driverType'), d.get('targetDev')])).toEqual([[volume.path, 'qcow2', 'vda']]);
    // Another VM on the same disk: allowed, with virt-manager's warning.
    const again = plan('existing-again', { install: { kind: 'kernel', ...tiny }, disk: undefined, existingDisk: { path: volume.path } });
    expect(await call('wizard.validate', { ...lab, plan: again, pages: ['storage'] })).toEqual({
      ok: true,
      warnings: [`${volume.path} is already a disk of "${p.name}": two VMs running on one disk corrupt it`],
    });
    await lv.domainDestroy(conn(), p.name);
    await lv.domainUndefine(conn(), p.name);
    // The VM went; the volume it was given stays.
    expect((await lv.volGetInfo(conn(), volume.path)).name).toBe(`${tag}-data.qcow2`);
  });
});
