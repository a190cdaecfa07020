// Saved templates in $XDG_CONFIG_HOME/vireo/templates.json (a temporary XDG_CONFIG_HOME here).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../connection-store.js';
import type { VmPlan } from './plan.js';
import { TemplateError, TemplateStore, planFromTemplate, templateFromPlan } from './templates.js';

const cloudPlan: VmPlan = {
  name: 'web-1',
  osId: 'debian11',
  memoryMiB: 1024,
  vcpus: 2,
  install: {
    kind: 'cloud-image',
    image: '/var/lib/libvirt/images/debian-11-genericcloud-amd64.qcow2',
    cloudInit: { hostname: 'web-1', instanceId: 'i-1', user: { name: 'alice', password: 'pw' } },
  },
  disk: { pool: 'default', sizeMiB: 20 * 1024 },
  network: { kind: 'network', network: 'default' },
};

const configHomes: string[] = [];
afterAll(() => configHomes.forEach((home) => rmSync(home, { recursive: true, force: true })));

const newStore = () => {
  const configHome = mkdtempSync(join(tmpdir(), 'vireo-xdg-'));
  configHomes.push(configHome);
  return { configHome, store: new TemplateStore(defaultConfigDir({ XDG_CONFIG_HOME: configHome })) };
};

describe('VM templates', () => {
  it("keeps what is reusable and drops what is each VM's own", () => {
    expect(templateFromPlan(cloudPlan)).toEqual({
      osId: 'debian11',
      memoryMiB: 1024,
      vcpus: 2,
      install: { kind: 'cloud-image', image: cloudPlan.install.kind === 'cloud-image' ? cloudPlan.install.image : '', cloudInit: { user: { name: 'alice', password: 'pw' } } },
      disk: { pool: 'default', sizeMiB: 20 * 1024 },
      network: { kind: 'network', network: 'default' },
    });
  });

  it('saves to $XDG_CONFIG_HOME/vireo/templates.json, lists, replaces and removes', async () => {
    const { configHome, store } = newStore();
    expect(store.file).toBe(join(configHome, 'vireo', 'templates.json'));
    expect(await store.list()).toEqual([]);
    await Promise.all([store.save('web server', cloudPlan), store.save('build box', { ...cloudPlan, memoryMiB: 4096 })]);
    expect((await store.list()).map((t) => t.name)).toEqual(['build box', 'web server']);
    const onDisk = JSON.parse(readFileSync(store.file, 'utf8')) as { version: number; templates: unknown[] };
    expect(onDisk.version).toBe(1);
    expect(onDisk.templates).toHaveLength(2);

    await store.save('web server', { ...cloudPlan, vcpus: 4 });
    const saved = await store.get('web server');
    expect(saved?.plan.vcpus).toBe(4);
    expect(saved?.savedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(planFromTemplate(saved!, 'web-7')).toMatchObject({ name: 'web-7', vcpus: 4, install: { kind: 'cloud-image' } });

    expect(await store.remove('build box')).toBe(true);
    expect(await store.remove('build box')).toBe(false);
    expect((await new TemplateStore(join(configHome, 'vireo')).list()).map((t) => t.name)).toEqual(['web server']);
  });

  it('refuses a nameless template and a file that is not a template list', async () => {
    const { store } = newStore();
    await expect(store.save(' ', cloudPlan)).rejects.toThrow('a template needs a name');
    await store.save('ok', cloudPlan);
    writeFileSync(store.file, JSON.stringify({ version: 1, templates: [{ name: 'x', savedAt: '', plan: { install: { kind: 'floppy' } } }] }));
    await expect(store.list()).rejects.toBeInstanceOf(TemplateError);
    await expect(store.list()).rejects.toThrow(`${store.file} is not a Vireo template list`);
  });
});
