import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../../../native/index.js';
import { probeAcceleration } from './acceleration.js';

const kvmCaps = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/><domain type='kvm'/></arch></guest></capabilities>";
const tcgCaps = "<capabilities><guest><arch name='x86_64'><domain type='qemu'/></arch></guest></capabilities>";

function fixture(flags: string): { cpuinfoPath: string; kvmPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vireo-accel-'));
  writeFileSync(join(dir, 'cpuinfo'), `processor\t: 0\nflags\t\t: fpu vme ${flags} sse2\n`);
  writeFileSync(join(dir, 'kvm'), '');
  return { cpuinfoPath: join(dir, 'cpuinfo'), kvmPath: join(dir, 'kvm') };
}

describe('hardware acceleration probe', () => {
  it('is usable with vmx, an accessible device and libvirt offering kvm', async () => {
    const r = await probeAcceleration({ capabilitiesXml: kvmCaps, local: fixture('vmx') });
    expect(r).toMatchObject({ usable: true, cpuExtension: 'vmx', kvmDevice: 'present', libvirtOffersKvm: true });
  });

  it('explains a CPU without vmx/svm even when /dev/kvm exists', async () => {
    const r = await probeAcceleration({ capabilitiesXml: kvmCaps, local: fixture('sse') });
    expect(r.usable).toBe(false);
    expect(r.cpuExtension).toBeNull();
    expect(r.explanation).toMatch(/does not advertise vmx .* or svm/);
    expect(r.explanation).toMatch(/TCG/);
  });

  it('explains a missing device and libvirt without kvm', async () => {
    const f = fixture('svm');
    const r = await probeAcceleration({ capabilitiesXml: tcgCaps, local: { ...f, kvmPath: f.kvmPath + '-absent' } });
    expect(r).toMatchObject({ usable: false, cpuExtension: 'svm', kvmDevice: 'missing', libvirtOffersKvm: false });
    expect(r.explanation).toMatch(/\/dev\/kvm does not exist/);
    expect(r.explanation).toMatch(/no KVM domain type/);
  });

  it('judges remote hosts by their capabilities alone', async () => {
    expect((await probeAcceleration({ capabilitiesXml: kvmCaps })).usable).toBe(true);
    expect((await probeAcceleration({ capabilitiesXml: tcgCaps })).kvmDevice).toBe('unknown');
  });

  it('reads this host for real: the answer agrees with /proc/cpuinfo', async () => {
    const lv = loadBinding();
    const conn = await lv.open('test:///default');
    const caps = await lv.getCapabilities(conn);
    await lv.close(conn);
    const r = await probeAcceleration({ capabilitiesXml: caps, local: {} });
    const hasExt = /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    expect(r.cpuExtension !== null).toBe(hasExt);
    // Without the CPU extension it can never be called usable.
    expect(r.usable && !hasExt).toBe(false);
  });
});
