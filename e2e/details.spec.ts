// The VM window's Details tab in Chromium through the browser shell: on the Demo connection
// (libvirt's test driver: persistent define path, no hot-plug) and on the lab's libvirtd with a
// running tiny guest (live paths). Each spec changes memory and vCPUs, adds and removes a disk and
// a NIC, edits the XML, and checks that reloading from libvirt shows exactly the change; bad
// input gets its inline error and changes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { lineDiff } from '../shared/xml/test-support.js';
import { defineGuest, labReady, removeGuest, virsh } from '../electron/test/lab.js';
import { type LoggedGuest, defineLoggedGuest, waitForBoot } from './details-lab.js';
import { type Shell, startShell } from './manager-shell.js';
import { TEST_UUID, applied, apply, domainXml, goTo, openDetails, replaceEditorText } from './details-page.js';
import { watchCspAndPageErrors } from './shell.js';

async function addHardware(page: Page, type: string, fill: (dialog: ReturnType<Page['getByTestId']>) => Promise<void>): Promise<void> {
  await page.getByTestId('add-hardware-button').click();
  const dialog = page.getByTestId('add-hardware');
  await dialog.getByTestId(`hw-type-${type}`).click();
  await fill(dialog);
  await dialog.getByTestId('hw-finish').click();
  await expect(dialog).toHaveCount(0);
}

test.describe('Details on the Demo connection', () => {
  let shell: Shell;
  let dir: string;
  test.beforeAll(async () => {
    shell = await startShell([]);
    dir = mkdtempSync(join(tmpdir(), 'vireo-e2e-details-'));
  });
  test.afterAll(async () => {
    await shell?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('changes memory and vCPUs; reloading shows exactly the change, and what waits for the next boot', async ({ page }) => {
    const errors = watchCspAndPageErrors(page);
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);

    await goTo(page, 'memory');
    await page.getByTestId('field-memory-current').fill('1024');
    await goTo(page, 'cpu');
    await page.getByTestId('field-vcpus-max').fill('4');
    await expect(page.getByTestId('dirty')).toBeVisible();
    await page.getByTestId('apply').click();
    // The review: current memory now, the vCPUs at the next boot, and the diff.
    await expect(page.getByTestId('review-now')).toContainText('Current memory: 2 GiB → 1 GiB');
    await expect(page.getByTestId('review-next-boot')).toContainText('Maximum vCPUs: 2 → 4');
    await page.getByTestId('apply-confirm').click();
    await expect(page.getByTestId('apply-outcome')).toContainText('Current memory: 2 GiB → 1 GiB');
    await expect(page.getByTestId('pending')).toContainText('Maximum vCPUs: 2 → 4');

    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    expect(lineDiff(before, await domainXml(page))).toEqual({
      removed: ["  <currentMemory unit='KiB'>2097152</currentMemory>", "  <vcpu placement='static'>2</vcpu>"],
      added: ["  <currentMemory unit='KiB'>1048576</currentMemory>", "  <vcpu placement='static'>4</vcpu>"],
    });
    await expect(page.getByTestId('page-link-cpu')).toContainText('•');
    expect(errors).toEqual([]);
  });

  test('adds a disk and a NIC with Add Hardware, then removes them; the XML comes back as it was', async ({ page }) => {
    const image = join(dir, 'added.img');
    writeFileSync(image, '');
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);

    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-path').fill(image);
    });
    await expect(page.getByTestId('page-device')).toContainText('VirtIO Disk vdb');
    await addHardware(page, 'network', async (dialog) => {
      await dialog.getByTestId('hw-mac').fill('52:54:00:e2:e0:01');
    });
    await expect(page.getByTestId('page-device')).toContainText('NIC :e2:e0:01');
    await applied(page);
    // The test driver cannot hot-plug: both wait for the next boot.
    await expect(page.getByTestId('live-failures')).toContainText('VirtIO Disk vdb: added — not live');
    await expect(page.getByTestId('pending')).toContainText('VirtIO Disk vdb: added');
    await expect(page.getByTestId('pending')).toContainText('NIC :e2:e0:01: added');

    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    const added = lineDiff(before, await domainXml(page));
    expect(added.removed).toEqual([]);
    expect(added.added.join('\n')).toContain(`<source file='${image}'/>`);
    expect(added.added.join('\n')).toContain("<mac address='52:54:00:e2:e0:01'/>");

    await goTo(page, 'disk[vdb]');
    await page.getByTestId('device-remove').click();
    await goTo(page, 'interface[52:54:00:e2:e0:01]');
    await page.getByTestId('device-remove').click();
    await applied(page);
    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    expect(await domainXml(page)).toBe(before);
  });

  test('creates a new disk image in a storage pool from Add Hardware', async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-source').selectOption('new');
      await expect(dialog.getByTestId('hw-pool')).toHaveValue('default-pool');
      await expect(dialog.getByTestId('hw-name')).toHaveValue('test-disk1.qcow2');
      await dialog.getByTestId('hw-size').fill('2');
    });
    await expect(page.getByTestId('device-sourceFile')).toHaveValue('/default-pool/test-disk1.qcow2');
    await applied(page);
    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    const added = lineDiff(before, await domainXml(page));
    expect(added.added.map((line) => line.trim())).toEqual([
      "<disk type='file' device='disk'>",
      "<driver name='qemu' type='qcow2'/>",
      "<source file='/default-pool/test-disk1.qcow2'/>",
      "<target dev='vdb' bus='virtio'/>",
      '</disk>',
    ]);
    // The next one gets the next free name.
    await page.getByTestId('add-hardware-button').click();
    await page.getByTestId('hw-source').selectOption('new');
    await expect(page.getByTestId('hw-name')).toHaveValue('test-disk2.qcow2');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await goTo(page, 'disk[vdb]');
    await page.getByTestId('device-remove').click();
    await applied(page);
  });

  test('picks disk paths with the file browser: a file on this host, a storage volume', async ({ page }) => {
    const image = join(dir, 'browsed.img');
    writeFileSync(image, '');
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    // A volume to pick later (vdb), and a disk whose image is picked among this host's files (vdc).
    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-source').selectOption('new');
      await dialog.getByTestId('hw-name').fill('browse-vol.qcow2');
      await dialog.getByTestId('hw-size').fill('1');
    });
    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-path-browse').click();
      const browser = page.getByTestId('path-browser');
      await expect(browser.getByTestId('file-browser-path')).toHaveText('Folders you can browse');
      for (const folder of [realpathSync(tmpdir()), basename(dir)]) await browser.locator(`[data-testid="file-browser-entry"][data-name="${folder}"]`).click();
      await expect(browser.getByTestId('file-browser-path')).toHaveText(realpathSync(dir));
      await browser.locator('[data-testid="file-browser-entry"][data-name="browsed.img"]').click();
      await browser.getByTestId('file-browser-choose').click();
      await expect(browser).toHaveCount(0);
      await expect(dialog.getByTestId('hw-path')).toHaveValue(join(realpathSync(dir), 'browsed.img'));
    });
    await expect(page.getByTestId('page-device')).toContainText('VirtIO Disk vdc');
    await expect(page.getByTestId('device-sourceFile')).toHaveValue(join(realpathSync(dir), 'browsed.img'));
    // vdc's image becomes the volume, picked in the pool; vdb goes again.
    await page.getByTestId('device-sourceFile-browse').click();
    const browser = page.getByTestId('path-browser');
    await browser.getByTestId('file-browser-volumes').click();
    await expect(browser.getByTestId('file-browser-pool')).toHaveValue('default-pool');
    await browser.locator('[data-testid="file-browser-entry"][data-name="browse-vol.qcow2"]').dblclick();
    await expect(browser).toHaveCount(0);
    await expect(page.getByTestId('device-sourceFile')).toHaveValue('/default-pool/browse-vol.qcow2');
    await goTo(page, 'disk[vdb]');
    await page.getByTestId('device-remove').click();
    await applied(page);

    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    const added = lineDiff(before, await domainXml(page));
    expect(added.removed).toEqual([]);
    expect(added.added.map((line) => line.trim())).toEqual([
      "<disk type='file' device='disk'>",
      "<driver name='qemu' type='raw'/>",
      "<source file='/default-pool/browse-vol.qcow2'/>",
      "<target dev='vdc' bus='virtio'/>",
      '</disk>',
    ]);
    await goTo(page, 'disk[vdc]');
    await page.getByTestId('device-remove').click();
    await applied(page);
  });

  test('edits in the XML tab, with well-formedness errors inline; reloading shows the edit', async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    // Not well-formed: an inline error with its position; Apply changes nothing.
    await replaceEditorText(page, 'domain-xml-editor', before.replace('</uuid>', '</uuid>\n  <title>Edited in XML<title>'));
    await expect(page.getByTestId('xml-error')).toContainText(/Line \d+, column \d+: .*title/);
    await expect(page.getByTestId('domain-xml-editor').locator('.cm-lint-marker-error')).toHaveCount(1);
    await apply(page);
    await expect(page.getByTestId('xml-error')).toContainText('mismatched closing tag');
    await page.getByTestId('revert').click();
    expect(await domainXml(page)).toBe(before);

    await replaceEditorText(page, 'domain-xml-editor', before.replace('</uuid>', '</uuid>\n  <title>Edited in XML</title>'));
    await expect(page.getByTestId('xml-error')).toHaveCount(0);
    await goTo(page, 'overview');
    await expect(page.getByTestId('field-title')).toHaveValue('Edited in XML');
    // A device's own XML: the NIC's model, replaced in the document where the NIC is.
    await goTo(page, 'interface[aa:bb:cc:dd:ee:ff]');
    await page.getByTestId('view-xml').click();
    const nic = "<interface type='network'>\n  <mac address='aa:bb:cc:dd:ee:ff'/>\n  <source network='default'/>\n  <target dev='testnet0'/>\n  <model type='e1000e'/>\n  <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>\n</interface>";
    await replaceEditorText(page, 'device-xml-editor', nic.replace('<interface', '<disk'));
    await expect(page.getByTestId('xml-error')).toContainText(/mismatched closing tag|must stay/);
    await replaceEditorText(page, 'device-xml-editor', nic);
    await expect(page.getByTestId('xml-error')).toHaveCount(0);
    await page.getByTestId('view-details').click();
    await expect(page.getByTestId('device-model')).toHaveValue('e1000e');
    await applied(page);
    await page.reload();
    await expect(page.getByTestId('field-title')).toHaveValue('Edited in XML');
    expect(lineDiff(before, await domainXml(page))).toEqual({ removed: [], added: ['  <title>Edited in XML</title>', "      <model type='e1000e'/>"] });
  });

  test('Add Hardware adds each kind of device; the XML tab takes the VM back as it was', async ({ page }) => {
    const errors = watchCspAndPageErrors(page);
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);
    const kinds: Array<[string, string, ((dialog: ReturnType<Page['getByTestId']>) => Promise<void>) | null]> = [
      ['controller', 'Controller SCSI 0', null],
      ['input', 'USB Tablet', null],
      ['graphics', 'Display VNC', null],
      ['sound', 'Sound ich9', null],
      ['serial', 'Serial 1', null],
      ['console', 'Console 1', null],
      ['channel', 'Channel qemu-ga', null],
      ['video', 'Video VIRTIO', null],
      ['watchdog', 'Watchdog i6300esb', null],
      ['filesystem', 'Filesystem share', async (dialog) => {
        await dialog.getByTestId('hw-source').fill('/srv/share');
        await dialog.getByTestId('hw-target').fill('share');
      }],
      ['tpm', 'TPM 2.0', null],
      ['rng', 'RNG /dev/urandom', null],
      ['panic', 'Panic notifier isa', null],
      ['xml', 'Smartcard spicevmc', async (dialog) => {
        await dialog.getByTestId('hw-xml').fill("<smartcard mode='passthrough' type='spicevmc'/>");
      }],
    ];
    for (const [type, label, fill] of kinds) {
      await addHardware(page, type, fill ?? (async () => undefined));
      await expect(page.getByTestId('page-device').getByRole('heading')).toHaveText(label);
    }
    // The USB and PCI pages list the host's devices: the test driver has none.
    await page.getByTestId('add-hardware-button').click();
    await page.getByTestId('hw-type-usb').click();
    await expect(page.getByTestId('hw-device')).toContainText('(none available)');
    await page.getByTestId('hw-finish').click();
    await expect(page.getByTestId('hw-error')).toHaveText('Choose a USB device of the host');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await applied(page);
    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    for (const [, label] of kinds) await expect(page.getByRole('navigation', { name: 'Details pages' })).toContainText(label);
    // Shared memory came with virtiofs.
    expect(await domainXml(page)).toContain("<access mode='shared'/>");

    await replaceEditorText(page, 'domain-xml-editor', before);
    await applied(page);
    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    expect(await domainXml(page)).toBe(before);
    expect(errors).toEqual([]);
  });

  test("shows the address of the running VM's NIC", async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    await goTo(page, 'interface[aa:bb:cc:dd:ee:ff]');
    await expect(page.getByTestId('device-ip-address')).toHaveText('192.168.122.3/24');
  });

  test('shows performance graphs of the running VM', async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    await goTo(page, 'performance');
    await expect(page.getByTestId('perf-memory-value')).toContainText(/ of /, { timeout: 20_000 });
    await expect(page.getByTestId('perf-cpu').locator('svg polyline')).toHaveCount(1, { timeout: 20_000 });
  });

  test('bad input gets a specific inline error and changes nothing', async ({ page }) => {
    await openDetails(page, shell, 'demo', TEST_UUID);
    const before = await domainXml(page);

    // Memory over the host's (3 GiB on the test driver): refused by the backend.
    await goTo(page, 'memory');
    await page.getByTestId('field-memory-max').fill('4096');
    await apply(page);
    await expect(page.getByTestId('issue-memoryKiB')).toContainText("4096 MiB is more than the host's 3072 MiB of memory");
    // More current than maximum: refused as typed.
    await page.getByTestId('field-memory-current').fill('8192');
    await expect(page.getByTestId('issue-currentMemoryKiB')).toContainText('more than the maximum memory');
    await page.getByTestId('revert').click();

    // Renaming a running VM.
    await goTo(page, 'overview');
    await page.getByTestId('field-name').fill('test-renamed');
    await apply(page);
    await expect(page.getByTestId('issue-name')).toContainText('A running VM cannot be renamed: shut it down first');
    await expect(page.getByTestId('apply-error')).toContainText('nothing was changed');
    await page.getByTestId('revert').click();

    // Typing a MAC address key by key: the NIC's id follows its MAC, the field keeps the focus.
    await goTo(page, 'interface[aa:bb:cc:dd:ee:ff]');
    await page.getByTestId('device-mac').fill('');
    await expect(page.getByTestId('issue-device')).toHaveCount(0);
    await page.getByTestId('device-mac').pressSequentially('52:54:00:12:34:5');
    await expect(page.getByTestId('issue-device')).toContainText("'52:54:00:12:34:5' is not a MAC address");
    await page.getByTestId('device-mac').pressSequentially('6');
    await expect(page.getByTestId('device-mac')).toHaveValue('52:54:00:12:34:56');
    await expect(page.getByTestId('device-mac')).toBeFocused();
    await expect(page.getByTestId('page-link-interface[52:54:00:12:34:56]')).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('issue-device')).toHaveCount(0);
    await page.getByTestId('revert').click();

    // A duplicate MAC: inline on the new NIC as soon as it is added.
    await addHardware(page, 'network', async (dialog) => {
      await dialog.getByTestId('hw-mac').fill('aa:bb:cc:dd:ee:ff');
    });
    await expect(page.getByTestId('issue-device')).toContainText('MAC address aa:bb:cc:dd:ee:ff is used by 2 interfaces');
    await page.getByTestId('revert').click();

    // A disk whose file is not there.
    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-path').fill('/nonexistent/vireo/missing.qcow2');
    });
    await apply(page);
    await expect(page.getByTestId('issue-device')).toContainText('/nonexistent/vireo/missing.qcow2 does not exist');
    await page.getByTestId('revert').click();

    await page.reload();
    await expect(page.getByTestId('page-overview')).toBeVisible();
    expect(await domainXml(page)).toBe(before);
  });
});

const lab = labReady();

test.describe('Details on the lab libvirtd with a running tiny guest', () => {
  test.skip(!lab, 'needs bash scripts/lab.sh start');
  let shell: Shell;
  let guest: LoggedGuest;
  let dir: string;
  const inactiveXml = () => virsh('dumpxml', '--inactive', '--security-info', guest.name);
  const liveXml = () => virsh('dumpxml', guest.name);

  test.beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vireo-e2e-details-lab-'));
    // On the lab's 'default' network: the NIC page shows the address dnsmasq leases it.
    guest = defineLoggedGuest(dir, { prefix: 'vireo-e2e-details', env: { NET: 'network:default' } });
    virsh('start', guest.name);
    shell = await startShell(['--connect', 'qemu:///system']);
  });
  test.afterAll(async () => {
    await shell?.stop();
    if (guest) removeGuest(guest.name);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('memory, vCPUs, a hot-plugged disk and NIC, and an XML edit; libvirt shows exactly the change', async ({ page }) => {
    test.setTimeout(180_000);
    const errors = watchCspAndPageErrors(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await openDetails(page, shell, 'qemu-system', guest.uuid);
    const start = inactiveXml();

    // Memory and vCPUs: this guest has no balloon and one vCPU, so both wait for the next boot.
    await goTo(page, 'memory');
    await page.getByTestId('field-memory-max').fill('320');
    await page.getByTestId('field-memory-current').fill('320');
    await goTo(page, 'cpu');
    await page.getByTestId('field-vcpus-max').fill('2');
    await applied(page);
    await expect(page.getByTestId('pending')).toContainText('Maximum memory: 256 MiB → 320 MiB');
    await expect(page.getByTestId('pending')).toContainText('Maximum vCPUs: 1 → 2');
    expect(lineDiff(start, inactiveXml())).toEqual({
      removed: ["  <memory unit='KiB'>262144</memory>", "  <currentMemory unit='KiB'>262144</currentMemory>", "  <vcpu placement='static'>1</vcpu>"],
      added: ["  <memory unit='KiB'>327680</memory>", "  <currentMemory unit='KiB'>327680</currentMemory>", "  <vcpu placement='static'>2</vcpu>"],
    });

    // A disk and a NIC, hot-plugged into the running guest (which must have booted to let them go again).
    await waitForBoot(guest);
    const bootMac = /<mac address='([^']+)'/.exec(inactiveXml())![1]!;
    await goTo(page, `interface[${bootMac}]`);
    await expect(page.getByTestId('device-ip-address')).toHaveText(/^192\.168\.122\.\d+\/24$/, { timeout: 60_000 });
    const image = join(dir, 'hotplug.img');
    execFileSync('truncate', ['-s', '8M', image]);
    const beforeDevices = inactiveXml();
    await addHardware(page, 'storage', async (dialog) => {
      await dialog.getByTestId('hw-path').fill(image);
    });
    await addHardware(page, 'network', async (dialog) => {
      await dialog.getByTestId('hw-type').selectOption('user');
      await dialog.getByTestId('hw-mac').fill('52:54:00:e2:e0:02');
    });
    // Another (shut-off) VM has the image as its disk too: the review warns, Apply still goes ahead.
    const sharer = defineGuest({ prefix: 'vireo-e2e-sharer', env: { DISK: image } });
    try {
      await page.getByTestId('apply').click();
      await expect(page.getByTestId('review-warnings')).toHaveText(`${image} is also a disk of "${sharer.name}": two VMs running on one disk corrupt it (mark it shareable if the guests are made for that)`);
      await page.getByTestId('apply-confirm').click();
      await expect(page.getByTestId('apply-outcome')).toBeVisible({ timeout: 30_000 });
    } finally {
      removeGuest(sharer.name);
    }
    // The guest had no disk: this one is vda.
    await expect(page.getByTestId('apply-outcome')).toContainText('VirtIO Disk vda: added');
    await expect(page.getByTestId('apply-outcome')).toContainText('NIC :e2:e0:02: added');
    await expect(page.getByTestId('live-failures')).toHaveCount(0);
    expect(liveXml()).toContain(`<source file='${image}'`);
    expect(liveXml()).toContain("<mac address='52:54:00:e2:e0:02'/>");
    const plugged = lineDiff(beforeDevices, inactiveXml());
    expect(plugged.removed).toEqual([]);
    expect(plugged.added.join('\n')).toContain(`<source file='${image}'/>`);

    // The hot-plugged disk grows live (QEMU resizes the file).
    await goTo(page, 'disk[vda]');
    await expect(page.getByTestId('device-capacity')).toHaveText('8.0 MiB');
    await page.getByTestId('device-grow-size').fill('0.015625');
    await page.getByTestId('device-grow').click();
    await expect(page.getByTestId('device-capacity')).toHaveText('16 MiB');
    expect(statSync(image).size).toBe(16 * 1024 * 1024);

    // Link state down, live.
    await goTo(page, 'interface[52:54:00:e2:e0:02]');
    await page.getByTestId('device-link').uncheck();
    await applied(page);
    await expect(page.getByTestId('apply-outcome')).toContainText('NIC :e2:e0:02: linkState=(none) → linkState=down');
    expect(liveXml()).toContain("<link state='down'/>");

    // Remove both: unplugged live (once the guest lets go), gone from the definition.
    await goTo(page, 'disk[vda]');
    await page.getByTestId('device-remove').click();
    await goTo(page, 'interface[52:54:00:e2:e0:02]');
    await page.getByTestId('device-remove').click();
    await applied(page);
    await expect(page.getByTestId('live-failures')).toHaveCount(0);
    expect(inactiveXml()).toBe(beforeDevices);
    await expect.poll(() => /hotplug\.img|52:54:00:e2:e0:02/.test(liveXml()), { timeout: 30_000 }).toBe(false);

    // Boot options: the guest boots its kernel directly; autostart on, then off again.
    await goTo(page, 'boot');
    await expect(page.getByTestId('field-kernel')).toHaveValue(/\/vmlinux$/);
    await page.getByTestId('field-autostart').check();
    await applied(page);
    expect(virsh('dominfo', guest.name)).toMatch(/Autostart:\s+enable/);
    await page.getByTestId('field-autostart').uncheck();
    await applied(page);
    expect(virsh('dominfo', guest.name)).toMatch(/Autostart:\s+disable/);

    // The XML tab: a description, written where libvirt keeps it.
    const beforeXmlEdit = inactiveXml();
    await goTo(page, 'xml');
    const text = await domainXml(page);
    await replaceEditorText(page, 'domain-xml-editor', text.replace(/(<title>.*<\/title>)/, '$1\n  <description>edited in the XML tab</description>'));
    await applied(page);
    expect(lineDiff(beforeXmlEdit, inactiveXml())).toEqual({ removed: [], added: ['  <description>edited in the XML tab</description>'] });
    // Set live too (metadata changes apply to the running VM).
    expect(liveXml()).toContain('<description>edited in the XML tab</description>');
    expect(errors).toEqual([]);
  });
});
