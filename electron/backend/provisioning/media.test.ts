// OS detection on real ISO 9660 images made with genisoimage, disk image sniffing on images made
// with qemu-img, and install-tree boot files (from osinfo-db, or a .treeinfo read by a stub: no network).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, detectIsoOs, parseTreeinfo, readDiskImageInfo, readIsoIdentity, treeBootFiles } from './media.js';
import { type OsCatalogue, loadOsCatalogue } from './osinfo.js';

const dir = mkdtempSync(join(tmpdir(), 'vireo-media-'));
const MiB = 1024 * 1024;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bootable (El Torito, as osinfo-detect requires) ISO with the given descriptor fields. */
function makeIso(name: string, volumeId: string, systemId?: string): string {
  const content = join(dir, `${name}-content`);
  mkdirSync(content);
  writeFileSync(join(content, 'boot.img'), Buffer.alloc(2048));
  const iso = join(dir, `${name}.iso`);
  const sysid = systemId === undefined ? [] : ['-sysid', systemId];
  execFileSync('genisoimage', ['-quiet', '-V', volumeId, ...sysid, '-b', 'boot.img', '-no-emul-boot', '-o', iso, content]);
  return iso;
}

async function mediaError(call: Promise<unknown>): Promise<MediaError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

describe('ISO detection', () => {
  let catalogue: OsCatalogue;
  beforeAll(async () => {
    catalogue = await loadOsCatalogue();
  });

  it('reads the primary volume descriptor and finds Debian 11 netinst, as osinfo-detect does', async () => {
    const iso = makeIso('debian', 'Debian 11.5.0 amd64 n');
    const detection = await detectIsoOs(iso, catalogue);
    expect(detection.identity).toMatchObject({ volumeId: 'Debian 11.5.0 amd64 n', systemId: 'LINUX', publisherId: '', applicationId: expect.stringMatching(/^GENISOIMAGE/) });
    expect(detection.identity.volumeSizeBytes % 2048).toBe(0);
    expect(detection.match?.os.shortIds[0]).toBe('debian11');
    expect(detection.match?.media).toMatchObject({ arch: 'x86_64', variants: ['universal-netinst'], kernel: 'install.amd/vmlinuz' });
    // libosinfo's own answer for the same file.
    expect(execFileSync('osinfo-detect', [iso], { encoding: 'utf8' })).toContain("Media is an installer for OS 'Debian 11 (x86_64)'");
  });

  it('tells editions apart by their volume id and system id', async () => {
    const fedora = await detectIsoOs(makeIso('fedora', 'Fedora-S-dvd-x86_64-36', 'LINUX'), catalogue);
    expect(fedora.match?.os.shortIds[0]).toBe('fedora36');
    expect(fedora.match?.media.variants).toEqual(['server']);
    const arm = await detectIsoOs(makeIso('debian-arm', 'Debian 11.6.0 arm64 1'), catalogue);
    expect(arm.match?.media).toMatchObject({ arch: 'aarch64', variants: ['universal'] });
  });

  it('returns the identity without a match for media osinfo-db does not know', async () => {
    const detection = await detectIsoOs(makeIso('home-made', 'VIREO_DATA'), catalogue);
    expect(detection).toEqual({ identity: expect.objectContaining({ volumeId: 'VIREO_DATA' }) });
  });

  it('refuses files that are not ISO 9660 images', async () => {
    const random = join(dir, 'random.bin');
    writeFileSync(random, Buffer.alloc(64 * 1024, 0x5a));
    const tiny = join(dir, 'tiny.txt');
    writeFileSync(tiny, 'not an iso');
    for (const path of [random, tiny]) {
      const error = await mediaError(readIsoIdentity(path));
      expect(error).toMatchObject({ reason: 'not-iso', location: path, message: `${path} is not an ISO 9660 image` });
    }
  });

  it('refuses what cannot be read, with the system error code', async () => {
    const missing = join(dir, 'missing.iso');
    expect(await mediaError(readIsoIdentity(missing))).toMatchObject({ reason: 'unreadable', message: `${missing} is not readable: ENOENT` });
    expect(await mediaError(readIsoIdentity(dir))).toMatchObject({ reason: 'unreadable', message: `${dir} is not readable: EISDIR` });
  });
});

describe('disk images', () => {
  it('reads the format and virtual size of qcow2 and raw images', async () => {
    const qcow2 = join(dir, 'cloud.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '48M']);
    expect(await readDiskImageInfo(qcow2)).toEqual({ format: 'qcow2', virtualSizeBytes: 48 * MiB });
    const raw = join(dir, 'disk.img');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '3M']);
    expect(await readDiskImageInfo(raw)).toEqual({ format: 'raw', virtualSizeBytes: 3 * MiB });
  });

  it('refuses formats it does not take as they are, saying how to convert them', async () => {
    const vmdk = join(dir, 'disk.vmdk');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '8M']);
    const error = await mediaError(readDiskImageInfo(vmdk));
    expect(error).toMatchObject({ reason: 'unsupported-image', message: `${vmdk} is a VMDK image: convert it with "qemu-img convert -O qcow2 ${vmdk} NEW.qcow2"` });
  });
});

const noNetwork = (url: string): Promise<string> => Promise.reject(new Error(`no network in tests (${url})`));

describe('install trees', () => {
  let catalogue: OsCatalogue;
  beforeAll(async () => {
    catalogue = await loadOsCatalogue();
  });
  it("finds Debian's installer from osinfo-db's tree data, on its own URL or a mirror", async () => {
    const debian = { catalogue, os: catalogue.require('debian11') };
    expect(await treeBootFiles(debian, 'x86_64', undefined, noNetwork)).toEqual({
      kernelUrl: 'http://deb.debian.org/debian/dists/bullseye/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux',
      initrdUrl: 'http://deb.debian.org/debian/dists/bullseye/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz',
      kernelArgs: '',
    });
    const mirror = 'http://mirror.example/debian/dists/bullseye/main/installer-arm64/';
    expect((await treeBootFiles(debian, 'aarch64', mirror, noNetwork)).kernelUrl).toBe(`${mirror}current/images/netboot/debian-installer/arm64/linux`);
  });

  it('reads .treeinfo for trees that describe themselves, and points the installer at the tree', async () => {
    const url = 'http://mirror.example/fedora/releases/36/Server/x86_64/os';
    const read: string[] = [];
    const treeinfo = '[general]\nfamily = Fedora\n\n[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n\n[images-xen]\nkernel = images/pxeboot/vmlinuz-xen\n';
    const files = await treeBootFiles({ catalogue, os: catalogue.require('fedora36') }, 'x86_64', url, (u) => {
      read.push(u);
      return Promise.resolve(treeinfo);
    });
    expect(read).toEqual([`${url}/.treeinfo`]);
    expect(files).toEqual({ kernelUrl: `${url}/images/pxeboot/vmlinuz`, initrdUrl: `${url}/images/pxeboot/initrd.img`, kernelArgs: `inst.repo=${url}` });
    expect(parseTreeinfo('[images-armhfp]\nkernel: a/vmlinuz\ninitrd: a/initrd.img\n', 'armv7l')).toEqual({ kernel: 'a/vmlinuz', initrd: 'a/initrd.img' });
  });

  it('says why when it cannot find an installer', async () => {
    await expect(treeBootFiles(undefined, 'x86_64', undefined, noNetwork)).rejects.toThrow('osinfo-db has no install tree for this OS on x86_64: enter the tree URL');
    await expect(treeBootFiles(undefined, 'x86_64', 'http://example.invalid/tree', noNetwork)).rejects.toThrow(
      'http://example.invalid/tree is not an install tree osinfo-db knows, and http://example.invalid/tree/.treeinfo could not be read: no network in tests (http://example.invalid/tree/.treeinfo)',
    );
    await expect(treeBootFiles(undefined, 's390x', 'http://example.invalid/tree', () => Promise.resolve('[images-x86_64]\nkernel = k\ninitrd = i\n'))).rejects.toThrow(
      'the install tree at http://example.invalid/tree names no kernel and initrd for s390x',
    );
  });
});
