// The manager window on the lab's real libvirtd (qemu:///system) with tiny TCG guests: Run
// from the UI and Running appears from libvirt's event; `virsh destroy` from outside and Shut
// off appears without polling; a failing action names the VM and libvirt's reason; real stats;
// the host summary; a qemu+ssh:// connection through the loopback sshd; and, last, libvirtd
// restarted during use: banner, reconnect, and the list equals `virsh list --all`.
// Needs `bash scripts/lab.sh start` (+ lab-sshd.sh); skipped when the lab is not there.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Page, expect, test } from '@playwright/test';
import { LAB_URI, labReady, labSshUri, startLabSshd, tinyGuestXml, uniqueName, virsh, virshDefine, virshListAll, removeGuest } from '../electron/test/lab.js';
import { type Shell, collectErrors, loadedList, row, startShell, stateOf } from './manager-shell.js';

const run = promisify(execFile);

test.describe.configure({ mode: 'serial', timeout: 90_000 });
test.skip(!labReady(), 'the libvirt lab is not running (bash scripts/lab.sh start)');

const guest = uniqueName('e2e');
const broken = uniqueName('e2e-broken');
let shell: Shell;
let restarting: Promise<unknown> = Promise.resolve();

test.beforeAll(async () => {
  virshDefine(tinyGuestXml(guest, { env: { NET: '1' } }));
  // Its disk does not exist: starting it fails, with libvirt saying why.
  virshDefine(tinyGuestXml(broken, { env: { DISK: `/nonexistent/${broken}.qcow2` } }));
  shell = await startShell(['--connect', LAB_URI]);
});
test.afterAll(async () => {
  await restarting;
  await run('bash', ['scripts/lab.sh', 'start']).catch(() => undefined); // idempotent: up again if a restart failed
  await shell?.stop();
  removeGuest(guest);
  removeGuest(broken);
});

/** The page on qemu:///system, filtered to this spec's guests (other tests' guests may come and go). */
async function open(page: Page, filter = 'vireo-e2e-'): Promise<void> {
  await page.goto(shell.url);
  await loadedList(page);
  await page.getByTestId('vm-filter').fill(filter);
}

const UI_TO_VIRSH: Record<string, string> = { Running: 'running', Paused: 'paused', 'Shut off': 'shut off', Saved: 'shut off', Crashed: 'crashed', 'Shutting down': 'in shutdown', Blocked: 'idle' };

test('Run from the toolbar: Running appears from the lifecycle event', async ({ page }) => {
  const errors = collectErrors(page);
  await open(page, guest);
  await expect(stateOf(page, guest)).toHaveText('Shut off');
  await row(page, guest).click();
  await page.getByTestId('toolbar-run').click();
  await expect(stateOf(page, guest)).toHaveText('Running');
  expect(virsh('domstate', guest).trim()).toBe('running');
  expect(errors).toEqual([]);
});

test('`virsh destroy` from outside: Shut off appears, pushed by the event', async ({ page }) => {
  await open(page, guest);
  await expect(stateOf(page, guest)).toHaveText('Running');
  await run('virsh', ['-c', LAB_URI, 'destroy', guest]);
  // Well within one stats interval: no stats tick is involved in states.
  await expect(stateOf(page, guest)).toHaveText('Shut off', { timeout: 2500 });
  await expect(page.getByTestId(`tree-vm-${guest}`)).toBeVisible();
});

test('a failing action shows a dismissible message naming the VM and libvirt\'s reason', async ({ page }) => {
  await open(page, broken);
  await row(page, broken).click();
  await page.keyboard.press('r');
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText(`Could not start "${broken}":`);
  await expect(notice).toContainText(`/nonexistent/${broken}.qcow2`);
  await expect(stateOf(page, broken)).toHaveText('Shut off');
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});

test('shows real stats of a running guest and the host with its acceleration verdict', async ({ page }) => {
  await open(page, guest);
  await page.getByTestId('stats-interval').selectOption('1000');
  await row(page, guest).click();
  await page.keyboard.press('r');
  await expect(stateOf(page, guest)).toHaveText('Running');
  await expect(row(page, guest).locator('[data-column="cpu"] .vm-stat-text')).toHaveText(/^\d+(\.\d)? %$/);
  await expect(row(page, guest).locator('[data-column="memory"] .vm-stat-text')).toHaveText(/^\d+(\.\d)? %$/);
  await expect(row(page, guest).locator('[data-column="net"] .vm-stat-text')).toHaveText(/B\/s$/);
  await expect(row(page, guest).locator('[data-column="cpu"] polyline')).toHaveCount(1);
  const host = page.getByTestId('host-summary');
  await expect(host.getByTestId('host-hypervisor')).toContainText('QEMU');
  await expect(host.getByTestId('host-acceleration')).toContainText(/KVM (available|not usable)/);
  await expect(host.getByTestId('host-acceleration')).toContainText(/KVM hardware acceleration is available|KVM cannot be used: /);
});

test('connects to this host over qemu+ssh:// (loopback sshd) from the add-connection dialog', async ({ page }) => {
  startLabSshd();
  await open(page, guest);
  await page.getByTestId('add-connection').click();
  const dialog = page.getByTestId('add-connection-dialog');
  await dialog.getByTestId('add-connection-custom').check();
  await dialog.getByTestId('add-connection-uri').fill(labSshUri());
  await dialog.getByLabel('Name (optional)').fill('Loopback over SSH');
  await dialog.getByTestId('add-connection-submit').click();
  const remote = page.locator('[data-testid^="connection-"]', { hasText: 'Loopback over SSH' });
  await expect(remote.getByTestId('connection-state')).toHaveText('connected', { timeout: 20_000 });
  await expect(page.locator('.pane-header h1')).toHaveText('Loopback over SSH');
  await loadedList(page);
  await expect(stateOf(page, guest)).toHaveText('Running');
  await expect(page.getByTestId('host-acceleration')).toContainText(/remote host|KVM/);
});

test('libvirtd restarted during use: a banner, a reconnect, and the list equals `virsh list --all`', async ({ page }) => {
  await open(page, '');
  // qemu:///system is found on this machine, so --connect selected that entry (not a 'launch' one).
  const connection = page.locator('[role="treeitem"][title="qemu:///system"]');
  await connection.click();
  await loadedList(page);
  await expect(stateOf(page, guest)).toHaveText('Running');
  const restart = run('bash', ['scripts/lab.sh', 'restart']);
  // Whatever happens below, the daemon is not left half restarted.
  restarting = restart.catch(() => undefined);
  // (The ssh connection of the test before goes through the same daemon: it gets a banner too.)
  const id = (await connection.getAttribute('data-testid'))!.replace(/^connection-/, '');
  const banner = page.getByTestId(`connection-lost-${id}`);
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText('Lost the connection to');
  await expect(banner).toContainText(/Next attempt|Reconnecting/);
  await restart;
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
  await expect(connection.getByTestId('connection-state')).toHaveText('connected');
  await loadedList(page);
  // Every VM, as virsh sees it (others' guests may come and go: compare until both agree).
  const shown = async () => {
    const rows = page.locator('[data-testid="vm-list"] [role="row"][data-uuid]');
    const names = await rows.locator('.vm-name-text').allTextContents();
    const states = await rows.getByTestId('vm-state').allTextContents();
    return names.map((n, i) => `${n}: ${UI_TO_VIRSH[states[i]!] ?? states[i]}`).toSorted();
  };
  await expect.poll(async () => JSON.stringify(await shown()), { timeout: 15_000 }).toBe(JSON.stringify([...virshListAll()].map(([n, s]) => `${n}: ${s}`).toSorted()));
  await expect(stateOf(page, guest)).toHaveText('Running'); // it kept running through the restart
  // Events flow on the new connection.
  await run('virsh', ['-c', LAB_URI, 'destroy', guest]);
  await expect(stateOf(page, guest)).toHaveText('Shut off');
});
