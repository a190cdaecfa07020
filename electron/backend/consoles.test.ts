// The console service against the lab's libvirtd (qemu:///system) with a tiny guest, through the
// ApiSession both shells use: consoles.info, the serial console (prompt, command, busy, take
// over), the VNC bytes (local FD, and over qemu+ssh:// through ssh -W), screenshots as PNG,
// send-key typing on the VGA console, remote-viewer launch, and streams ending with the guest
// or the connection. Needs `bash scripts/lab.sh start` (+ lab-sshd.sh for the ssh case).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamHandle } from '../../shared/api/contract.js';
import { type ConsoleInfo, type ConsoleScreenshot, isConsoleBusy } from '../../shared/models/console.js';
import type { ApiError } from '../../shared/models/error.js';
import { type LabGuest, defineGuest, labReady, removeGuest, virsh } from '../test/lab.js';
import { Received, write } from '../test/received.js';
import { type Backend, createBackend } from './backend.js';
import { decodePng } from './consoles-png.js';
import { ApiSession } from './session.js';

const ready = labReady();
const keyfile = join(process.cwd(), '.lab', 'ssh', 'client_key');
const sshUri = `qemu+ssh://root@127.0.0.1:${process.env.SSH_LAB_PORT ?? 2222}/system?keyfile=${keyfile}&no_verify=1`;

describe.skipIf(!ready)('consoles on the lab libvirtd (qemu:///system, tiny guest)', () => {
  let dir: string;
  let backend: Backend;
  let session: ApiSession;
  let guest: LabGuest;
  let spice: LabGuest;
  let viewerOut: string;
  const vm = () => ({ connectionId: 'launch', uuid: guest.uuid });

  async function call<T>(method: string, params: unknown): Promise<T> {
    const outcome = await session.call(method, params);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { apiError: outcome.error });
    return outcome.value as T;
  }
  async function open(channel: string, params: unknown): Promise<{ rx: Received; handle: StreamHandle }> {
    const rx = new Received();
    const outcome = await session.openStream(channel, params, rx.sink);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { apiError: outcome.error });
    return { rx, handle: outcome.value };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vireo-consoles-'));
    // A stand-in remote-viewer: keeps a copy of the .vv file it was given (the real one deletes it).
    viewerOut = join(dir, 'viewer.vv');
    const viewer = join(dir, 'remote-viewer');
    await writeFile(viewer, `#!/bin/sh\ncp "$1" "${viewerOut}.tmp" && mv "${viewerOut}.tmp" "${viewerOut}"\nsleep 5\n`);
    await chmod(viewer, 0o755);
    // With a VNC password: QEMU cannot add one later to a VNC server started without.
    guest = defineGuest({ prefix: 'vireo-test-console', vncPassword: 's3cret' });
    spice = defineGuest({ prefix: 'vireo-test-spice', graphics: 'spice' });
    virsh('start', guest.name);
    backend = createBackend({ launchUri: 'qemu:///system', detected: [], configDir: join(dir, 'config'), externalViewer: viewer });
    session = new ApiSession(backend, () => undefined);
    await backend.start();
  });

  afterAll(async () => {
    session?.dispose();
    await backend?.dispose();
    if (guest) removeGuest(guest.name);
    if (spice) removeGuest(spice.name);
    await rm(dir, { recursive: true, force: true });
  });

  it('describes the VNC and serial devices of a running guest', async () => {
    const info = await call<ConsoleInfo>('consoles.info', vm());
    expect(info).toMatchObject({ name: guest.name, state: 'running', graphicsTransport: 'fd' });
    expect(info.graphics).toEqual([{ index: 0, type: 'vnc', passwordRequired: true, address: '127.0.0.1', port: expect.any(Number), tlsPort: null, socket: null }]);
    expect(info.graphics[0]!.port).toBeGreaterThanOrEqual(5900);
    // The <console> is the first serial port again: listed once.
    expect(info.serials).toEqual([
      { devName: 'serial0', kind: 'serial', targetType: 'isa-serial', port: 0, sourceType: 'pty', label: 'Serial 1', unavailable: null },
    ]);
    expect(info.externalViewer.available).toBe(true);
  });

  it('describes a SPICE-only guest, which the renderer hands to remote-viewer', async () => {
    const info = await call<ConsoleInfo>('consoles.info', { connectionId: 'launch', uuid: spice.uuid });
    expect(info.state).toBe('shutoff');
    expect(info.graphics.map((g) => g.type)).toEqual(['spice']);
    expect(info.serials[0]).toMatchObject({ kind: 'serial', devName: null, unavailable: null });
  });

  let serial: { rx: Received; handle: StreamHandle };

  it('opens the serial console: the prompt, then a command and its output', async () => {
    serial = await open('console.serial', vm());
    // Output printed before the console attached is lost: Enter brings a fresh prompt.
    await serial.rx.waitFor('tiny# ', 120_000, () => write(serial.handle, '\r'));
    serial.rx.text = '';
    write(serial.handle, 'echo out-$((6*7))\r');
    await serial.rx.waitFor(/out-42/);
    expect(serial.rx.text).toContain('echo out-$((6*7))'); // the typed line echoed, unexpanded
  });

  it('says another client holds the console, and takes it over with force', async () => {
    const busy = await open('console.serial', vm()).catch((e: { apiError: ApiError }) => e.apiError);
    expect(busy).toMatchObject({ code: 'VIR_ERR_OPERATION_FAILED' });
    expect(isConsoleBusy(busy as ApiError)).toBe(true);
    const taken = await open('console.serial', { ...vm(), force: true });
    await serial.rx.waitForEnd(); // the first session is cut off
    write(taken.handle, '\recho taken-$((1+1))\r');
    await taken.rx.waitFor('taken-2', 30_000);
    serial = taken;
  });

  it('rejects unknown send-key names before they reach libvirt', async () => {
    const outcome = await session.call('consoles.sendKeys', { ...vm(), keys: ['KEY_LEFTCTRL', 'CTRL'] });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: ['keys', 1] }] } });
  });

  it('types on the VGA console with send-key: echo SENT > /dev/ttyS0 shows on the serial console', async () => {
    serial.rx.text = '';
    const keys: string[][] = [];
    for (const ch of 'echo SENT > /dev/ttyS0\n') {
      if (ch === ' ') keys.push(['KEY_SPACE']);
      else if (ch === '\n') keys.push(['KEY_ENTER']);
      else if (ch === '>') keys.push(['KEY_LEFTSHIFT', 'KEY_DOT']);
      else if (ch === '/') keys.push(['KEY_SLASH']);
      else if (/[A-Z]/.test(ch)) keys.push(['KEY_LEFTSHIFT', `KEY_${ch}`]);
      else keys.push([`KEY_${ch.toUpperCase()}`]);
    }
    for (const k of keys) await expect(call('consoles.sendKeys', { ...vm(), keys: k, holdMs: 10 })).resolves.toBeUndefined();
    // The serial shell's prompt (and its ESC[6n) may precede it on the same line.
    await serial.rx.waitFor(/SENT\r?\n/, 30_000);
    expect(serial.rx.text).not.toContain('echo SENT'); // typed on tty1, not on the serial line
  });

  it('takes a screenshot as a PNG that shows text', async () => {
    const shot = await call<ConsoleScreenshot>('consoles.screenshot', vm());
    expect(shot.mimeType).toBe('image/png');
    const image = decodePng(Buffer.from(shot.dataBase64, 'base64'));
    expect([image.width, image.height]).toEqual([shot.width, shot.height]);
    expect(image.width).toBeGreaterThanOrEqual(640);
    // The framebuffer console: dark background, light text. Count the lit pixels.
    let lit = 0;
    for (let i = 0; i < image.rgb.length; i += 3) if (image.rgb[i]! + image.rgb[i + 1]! + image.rgb[i + 2]! > 300) lit++;
    expect(lit).toBeGreaterThan(500);
  });

  it('streams the VNC bytes of graphics device 0 (virDomainOpenGraphicsFD); the server asks for the password', async () => {
    const vnc = await open('console.graphics', vm());
    await vnc.rx.waitFor('RFB 003.008\n', 10_000);
    write(vnc.handle, 'RFB 003.008\n');
    // Security types: one type, VNC authentication (2): the password the viewer asks for.
    await vnc.rx.until(() => vnc.rx.text.length >= 14, 'security types', 10_000);
    expect([...Buffer.from(vnc.rx.text.slice(12, 14), 'latin1')]).toEqual([1, 2]);
    vnc.handle.close();
    expect(vnc.rx.ended).toBeNull();
  });

  it('hands remote-viewer a .vv file for the graphics device', async () => {
    const info = await call<ConsoleInfo>('consoles.info', vm());
    await call('consoles.openExternalViewer', { ...vm(), index: 0 });
    const vv = await waitForFile(viewerOut);
    expect(vv).toContain('[virt-viewer]\ntype=vnc\nhost=127.0.0.1\n');
    expect(vv).toContain(`port=${info.graphics[0]!.port}\npassword=s3cret\n`);
    expect(vv).toContain('delete-this-file=1');
  });

  it('ends the serial stream when the guest is destroyed', async () => {
    virsh('destroy', guest.name);
    await serial.rx.waitForEnd();
    expect(serial.rx.ended).toBeNull();
    const notRunning = await open('console.serial', vm()).catch((e: { apiError: ApiError }) => e.apiError);
    expect(notRunning).toMatchObject({ code: 'VIR_ERR_OPERATION_INVALID' });
  });

  it('ends open streams with not-connected when the connection is closed', async () => {
    virsh('start', guest.name);
    const stream = await open('console.serial', vm());
    await call('connections.disconnect', { connectionId: 'launch' });
    await stream.rx.waitForEnd();
    expect(stream.rx.ended).toMatchObject({ code: 'not-connected' });
    await call('connections.connect', { connectionId: 'launch' });
  });

  describe.skipIf(!existsSync(keyfile))('over qemu+ssh:// (lab sshd)', () => {
    let remote: Backend;
    let remoteSession: ApiSession;
    beforeAll(async () => {
      remote = createBackend({ launchUri: sshUri, detected: [], configDir: join(dir, 'config-remote'), externalViewer: join(dir, 'remote-viewer') });
      remoteSession = new ApiSession(remote, () => undefined);
      await remote.start();
    });
    afterAll(async () => {
      remoteSession?.dispose();
      await remote?.dispose();
    });

    it('streams VNC bytes through ssh -W, since libvirt cannot pass the FD', async () => {
      const info = await remoteSession.call('consoles.info', vm());
      expect(info).toMatchObject({ ok: true, value: { graphicsTransport: 'ssh' } });
      const rx = new Received();
      const outcome = await remoteSession.openStream('console.graphics', vm(), rx.sink);
      expect(outcome.ok).toBe(true);
      await rx.waitFor('RFB 003.008\n', 20_000);
      if (outcome.ok) outcome.value.close();
    });

    it('gives remote-viewer a local port that forwards to the remote guest', async () => {
      await rm(viewerOut, { force: true });
      const outcome = await remoteSession.call('consoles.openExternalViewer', { ...vm(), index: 0 });
      expect(outcome).toEqual({ ok: true, value: undefined });
      const vv = await waitForFile(viewerOut);
      expect(vv).toContain('host=127.0.0.1\n');
      const port = Number(/port=(\d+)/.exec(vv)![1]);
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let got = '';
        socket.on('data', (b) => {
          got += b.toString('latin1');
          if (got.length >= 12) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.on('error', reject);
      });
      expect(greeting).toBe('RFB 003.008\n');
    });
  });
});


async function waitForFile(path: string, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text !== null) return text;
    if (Date.now() > deadline) throw new Error(`${path} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
