// The OS catalogue against the osinfo-db installed by scripts/setup.sh (Debian's 20221203 snapshot).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OSINFO_DIR, type OsCatalogue, loadOsCatalogue } from './osinfo.js';

const GiB = 1024 ** 3;
/** A fixed "now", so that end-of-life flags do not change with the calendar. */
const JAN_2023 = new Date('2023-01-15T00:00:00Z');

describe('osinfo catalogue', () => {
  let catalogue: OsCatalogue;
  beforeAll(async () => {
    catalogue = await loadOsCatalogue();
  });

  it('reads every file without blocking the event loop for long, once', async () => {
    expect(catalogue.skipped).toEqual([]);
    expect(catalogue.all.length).toBeGreaterThan(700);
    expect(await loadOsCatalogue()).toBe(catalogue);
    // Another spelling of the directory is another cache entry: a fresh read, timed from outside.
    let longestGapMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      longestGapMs = Math.max(longestGapMs, performance.now() - last);
      last = performance.now();
    }, 1);
    const started = performance.now();
    const again = await loadOsCatalogue(`${OSINFO_DIR}/`);
    const totalMs = performance.now() - started;
    clearInterval(ticker);
    expect(again.all.length).toBe(catalogue.all.length);
    // Parsing everything at once takes ~300 ms; one file at a time stays far below.
    expect(longestGapMs).toBeLessThan(Math.min(100, totalMs / 3));
  });

  it('describes Debian 11 with its ids, names, dates and media', () => {
    const debian = catalogue.require('debian11');
    expect(catalogue.get('http://debian.org/debian/11')).toBe(debian);
    expect(catalogue.get('DebianBullseye')).toBe(debian);
    expect(debian).toMatchObject({
      id: 'http://debian.org/debian/11',
      shortIds: ['debian11', 'debianbullseye'],
      name: 'Debian 11',
      version: '11',
      vendor: 'Debian Project',
      family: 'linux',
      distro: 'debian',
      codename: 'bullseye',
      releaseDate: '2021-08-14',
      releaseStatus: 'released',
      derivesFrom: 'http://debian.org/debian/10',
    });
    const netinst = debian.media.find((m) => m.arch === 'x86_64' && m.variants.includes('universal-netinst'));
    expect(netinst).toMatchObject({ volumeId: 'Debian 11.\\d+.\\d+ amd64 n', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz', live: false, installer: true });
    expect(debian.trees.find((t) => t.arch === 'x86_64')).toEqual({
      arch: 'x86_64',
      variants: [],
      url: 'http://deb.debian.org/debian/dists/bullseye/main/installer-amd64',
      kernel: 'current/images/netboot/debian-installer/amd64/linux',
      initrd: 'current/images/netboot/debian-installer/amd64/initrd.gz',
      hasTreeinfo: false,
    });
    expect(debian.images).toContainEqual({
      arch: 'x86_64',
      variants: ['genericcloud'],
      url: 'https://cdimage.debian.org/cdimage/cloud/bullseye/latest/debian-11-genericcloud-amd64.qcow2',
      format: 'qcow2',
      cloudInit: true,
    });
  });

  it("gives Debian 11's resources, filling gaps from the 'all' entry and from the OSes it derives from", () => {
    const debian = catalogue.require('debian11');
    expect(catalogue.resources(debian, 'x86_64', 'recommended')).toEqual({ ramBytes: 1 * GiB, storageBytes: 20 * GiB, cpuHz: 1e9 });
    expect(catalogue.resources(debian, 'x86_64', 'minimum')).toEqual({ ramBytes: 1 * GiB, storageBytes: 10 * GiB, nCpus: 1, cpuHz: 1e9 });
    // Windows 11 lists x86_64 only: for aarch64 it falls back to what Windows 10 gives all architectures.
    const win11 = catalogue.require('win11');
    expect(catalogue.resources(win11, 'x86_64', 'minimum')).toMatchObject({ ramBytes: 4 * GiB, nCpus: 2 });
    expect(catalogue.resources(win11, 'aarch64', 'minimum')).toEqual(catalogue.resources(catalogue.require('win10'), 'all', 'minimum'));
    expect(catalogue.resources(win11, 'aarch64', 'minimum')).toMatchObject({ ramBytes: GiB / 2, nCpus: 1 });
  });

  it('inherits kernel URL arguments and device support', () => {
    // fedora36's file names neither; fedora19 does, far up its derives-from chain.
    expect(catalogue.kernelUrlArgument(catalogue.require('fedora36'))).toBe('inst.repo');
    expect(catalogue.kernelUrlArgument(catalogue.require('opensuse15.4'))).toBe('install');
    expect(catalogue.kernelUrlArgument(catalogue.require('debian11'))).toBeUndefined();
    const virtioBlock = 'http://pcisig.com/pci/1af4/1001';
    expect(catalogue.supportsDevice(catalogue.require('debian11'), virtioBlock)).toBe(true);
    expect(catalogue.supportsDevice(catalogue.require('win10'), virtioBlock)).toBe(false);
  });

  it('merges overlay files (win-10.d/*.xml) into their OS', () => {
    const win10 = catalogue.require('win10');
    expect(win10.files.map((f) => f.replace(/^.*\/os\//, ''))).toEqual([
      'microsoft.com/win-10.xml',
      'microsoft.com/win-10.d/post-installable-drivers.xml',
      'microsoft.com/win-10.d/pre-installable-drivers.xml',
    ]);
    expect(catalogue.all.filter((os) => os.id === win10.id)).toHaveLength(1);
  });

  it('searches names and short ids case-insensitively, newest first, with end of life flagged', () => {
    const debian = catalogue.search('DEBIAN', { now: JAN_2023 }).map((r) => [r.os.shortIds[0], r.eol]);
    expect(debian.slice(0, 4)).toEqual([
      ['debian11', false],
      ['debian10', false],
      // Debian 9's file has no end of life: five years after its 2017-06-17 release it is assumed.
      ['debian9', true],
      ['debian8', true],
    ]);
    // Fedora 34 reached its eol-date in June 2022.
    const fedora = catalogue.search('fedora 3', { now: JAN_2023, includeEol: false }).map((r) => r.os.shortIds[0]);
    expect(fedora).toEqual(['fedora37', 'silverblue37', 'fedora36', 'silverblue36', 'fedora35', 'silverblue35']);
    expect(catalogue.search('fedora34', { now: JAN_2023 })[0]).toMatchObject({ eol: true });
    expect(catalogue.search('ubuntu22.04')[0]?.os.name).toBe('Ubuntu 22.04 LTS');
    expect(catalogue.search('bullseye')).toHaveLength(1);
    expect(catalogue.search('no such os')).toEqual([]);
    expect(catalogue.search('linux', { limit: 3 })).toHaveLength(3);
  });

  it('calls a rolling release end of life only past an explicit eol-date', () => {
    const rolling = catalogue.all.filter((os) => os.releaseStatus === 'rolling');
    expect(rolling.map((os) => os.shortIds[0])).toContain('archlinux');
    const eolIn2100 = rolling.filter((os) => catalogue.isEol(os, new Date('2100-01-01')));
    expect(eolIn2100.map((os) => [os.shortIds[0], os.eolDate])).toEqual([['centos-stream8', '2024-05-31']]);
  });

  it('reports a missing osinfo-db and skips malformed files', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vireo-osinfo-'));
    await expect(loadOsCatalogue(empty)).rejects.toThrow(`osinfo-db is not installed (no ${empty}/os): install the osinfo-db package`);
    mkdirSync(join(empty, 'os', 'example.org'), { recursive: true });
    writeFileSync(join(empty, 'os', 'example.org', 'broken.xml'), '<libosinfo><os id="x">');
    writeFileSync(
      join(empty, 'os', 'example.org', 'good.xml'),
      '<libosinfo><os id="http://example.org/os/1"><short-id>ex1</short-id><name>Example 1</name></os></libosinfo>',
    );
    // The failed load above was not cached.
    const small = await loadOsCatalogue(empty);
    expect(small.all.map((os) => os.name)).toEqual(['Example 1']);
    expect(small.skipped).toEqual([{ file: join(empty, 'os', 'example.org', 'broken.xml'), reason: expect.any(String) }]);
    rmSync(empty, { recursive: true, force: true });
  });
});
