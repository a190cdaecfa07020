import { describe, expect, it } from 'vitest';
import { wizardPlanSchema, type WizardEnvironment, type WizardProgress } from '../../../shared/models/wizard.js';
import {
  adaptToEnvironment,
  copyNamesPreview,
  defaultForm,
  effectiveStorage,
  formFromTemplate,
  localError,
  pagesOf,
  planOf,
  progressFraction,
  withCopyNumber,
  type WizardForm,
} from './form.js';

const form = (patch: Partial<WizardForm> = {}): WizardForm => ({ ...defaultForm('qemu-system'), name: 'vm1', pool: 'default', networkName: 'default', ...patch });

const env: WizardEnvironment = {
  connectionId: 'qemu-system',
  uri: 'qemu:///system',
  local: true,
  hostArch: 'x86_64',
  host: { memoryMiB: 8192, cpus: 4 },
  kvmUsable: false,
  kvmExplanation: '',
  defaultMachine: 'pc-i440fx-7.2',
  arches: [{ arch: 'x86_64', virtTypes: ['kvm', 'qemu'], machines: ['pc', 'q35'] }],
  pools: [
    { name: 'images', type: 'dir', active: true, capacityMiB: 1000, availableMiB: 500, targetPath: '/images' },
    { name: 'default', type: 'dir', active: true, capacityMiB: 1000, availableMiB: 500, targetPath: '/var/lib/libvirt/images' },
    { name: 'off', type: 'dir', active: false, capacityMiB: 1000, availableMiB: 500, targetPath: '/off' },
  ],
  networks: [{ name: 'default', active: true, bridge: 'virbr0' }],
  bridges: ['br0'],
};

describe('the plan a form makes', () => {
  it('direct kernel boot with a new disk, the schema the backend checks accepts it', () => {
    const { plan, copies } = planOf(form({ method: 'kernel', kernel: ' /k/vmlinux ', initrd: '/k/initrd', cmdline: 'console=ttyS0', memoryMiB: '256', vcpus: '1', diskGiB: '0.0625' }));
    expect(copies).toBeUndefined();
    expect(plan).toEqual({
      name: 'vm1',
      memoryMiB: 256,
      vcpus: 1,
      install: { kind: 'kernel', kernel: '/k/vmlinux', initrd: '/k/initrd', cmdline: 'console=ttyS0' },
      disk: { pool: 'default', sizeMiB: 64, format: 'qcow2' },
      network: { kind: 'network', network: 'default' },
      start: true,
    });
    expect(wizardPlanSchema.parse(plan)).toEqual(plan);
  });

  it('cloud image: generated user-data from user, password and keys; or the user’s own', () => {
    const base = form({ method: 'cloud-image', cloudImage: '/img.qcow2', ciUser: 'alice', ciPassword: 'pw', ciKeys: 'ssh-ed25519 AAA a\n\n ssh-rsa BBB b ', ciHostname: '' });
    expect(planOf(base).plan.install).toEqual({ kind: 'cloud-image', image: '/img.qcow2', cloudInit: { user: { name: 'alice', password: 'pw', sshKeys: ['ssh-ed25519 AAA a', 'ssh-rsa BBB b'] } } });
    expect(planOf({ ...base, ciCustom: true, ciUserData: '#cloud-config\n', ciHostname: 'web' }).plan.install).toEqual({
      kind: 'cloud-image',
      image: '/img.qcow2',
      cloudInit: { hostname: 'web', customUserData: '#cloud-config\n' },
    });
  });

  it('storage follows the method: imports use the image, cloud images and network installs need a pool', () => {
    expect(planOf(form({ method: 'import', importPath: '/a.qcow2' })).plan).not.toHaveProperty('disk');
    expect(planOf(form({ method: 'import', importPath: '/a.qcow2', copies: '2', name: 'a-{n}' })).plan.disk).toEqual({ pool: 'default', sizeMiB: 20480, format: 'qcow2' });
    expect(effectiveStorage(form({ method: 'network', storage: 'none' }))).toBe('new');
    expect(planOf(form({ method: 'manual', storage: 'existing', existingPath: '/d.img' })).plan).toMatchObject({ existingDisk: { path: '/d.img' } });
    expect(planOf(form({ method: 'manual', storage: 'none' })).plan).not.toHaveProperty('disk');
  });

  it('copies: the name is the pattern', () => {
    expect(planOf(form({ copies: '3', name: 'web-{n}' })).copies).toEqual({ count: 3, namePattern: 'web-{n}' });
    expect(copyNamesPreview(form({ copies: '3', name: 'web-{n}' }))).toBe('web-1, web-2, web-3');
    expect(copyNamesPreview(form({ copies: '12', name: 'web-{n}' }))).toBe('web-1, web-2, … web-12');
    expect(withCopyNumber('web')).toBe('web-{n}');
    expect(withCopyNumber('w{n}x')).toBe('w{n}x');
  });

  it('sizes that are not numbers are said to be wrong on their page, and never reach the backend as NaN', () => {
    expect(localError(form({ memoryMiB: '' }), 'resources')).toEqual({ page: 'resources', field: 'memoryMiB', message: 'enter the memory size as a whole number of MiB' });
    expect(localError(form({ vcpus: '1.5' }), 'resources')?.field).toBe('vcpus');
    expect(localError(form({ diskGiB: 'x' }), 'storage')?.field).toBe('disk.sizeMiB');
    expect(localError(form({ diskGiB: 'x', storage: 'none' }), 'storage')).toBeNull();
    expect(localError(form({ copies: '101' }), 'summary')?.field).toBe('count');
    expect(localError(form(), 'resources')).toBeNull();
    expect(wizardPlanSchema.safeParse(planOf(form({ memoryMiB: 'x' })).plan).success).toBe(true);
    expect(planOf(form({ memoryMiB: 'x' })).plan.memoryMiB).toBe(0);
  });

  it('networks: virtual network, bridge, user-mode, none', () => {
    expect(planOf(form({ networkKind: 'bridge', bridgeName: ' br0 ' })).plan.network).toEqual({ kind: 'bridge', bridge: 'br0' });
    expect(planOf(form({ networkKind: 'none' })).plan.network).toEqual({ kind: 'none' });
  });
});

const p = (patch: Partial<WizardProgress>): WizardProgress => ({ operationId: 'o', connectionId: 'c', vm: 'v', index: 0, count: 1, stage: 'disk', message: '', ...patch });

describe('the form around a plan', () => {
  it('takes the connection’s default pool and network, or user-mode networking without one', () => {
    const adapted = adaptToEnvironment(defaultForm('qemu-system'), env);
    expect(adapted).toMatchObject({ pool: 'default', networkKind: 'network', networkName: 'default' });
    expect(adaptToEnvironment(defaultForm('x'), { ...env, networks: [], pools: [] })).toMatchObject({ pool: '', networkKind: 'user' });
  });

  it('puts a template back into the form', () => {
    const { plan } = planOf(form({ method: 'kernel', kernel: '/k', cmdline: 'quiet', memoryMiB: '512', vcpus: '2', networkKind: 'user', diskGiB: '1.5', start: false }));
    const { name: _name, ...template } = plan;
    const restored = formFromTemplate(defaultForm('qemu-system'), template);
    expect(restored).toMatchObject({ method: 'kernel', kernel: '/k', cmdline: 'quiet', memoryMiB: '512', vcpus: '2', networkKind: 'user', diskGiB: '1.5', pool: 'default', start: false, sizesTouched: true });
    expect(planOf({ ...restored, name: 'vm1' }).plan).toEqual(plan);
  });

  it('adds the customize page only when asked', () => {
    expect(pagesOf(form())).toEqual(['method', 'source', 'resources', 'storage', 'summary']);
    expect(pagesOf(form({ customize: true })).at(-1)).toBe('customize');
  });

  it('measures progress across copies and bytes', () => {
    expect(progressFraction(null)).toBe(0);
    expect(progressFraction(p({ stage: 'define' }))).toBeCloseTo(0.7);
    expect(progressFraction(p({ stage: 'seed', bytes: { done: 50, total: 100 } }))).toBeCloseTo(0.35);
    expect(progressFraction(p({ index: 1, count: 2, stage: 'disk' }))).toBeCloseTo(0.5);
    expect(progressFraction(p({ stage: 'rollback' }))).toBe(1);
  });
});
