// The console devices read from domain XML, the PNG conversion of screenshots, and how a
// connection URI decides the graphics transport: no libvirt needed.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, decodePng, encodePng, parsePpm, screenshotToPng } from './consoles-png.js';
import { graphicsOf, graphicsPassword, serialsOf } from './consoles-xml.js';
import { Coalescer, uriTarget } from './consoles.js';

const LIVE = `<domain type='qemu' id='7'>
  <name>t&amp;1</name>
  <!-- a comment with <graphics type='fake'/> inside -->
  <devices>
    <serial type='pty'>
      <source path='/dev/pts/3'/>
      <target type='isa-serial' port='0'><model name='isa-serial'/></target>
      <alias name='serial0'/>
    </serial>
    <serial type='file'>
      <source path='/var/log/x.log'/>
      <target type='isa-serial' port='1'/>
      <alias name='serial1'/>
    </serial>
    <console type='pty' tty='/dev/pts/3'>
      <source path='/dev/pts/3'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
    <console type='pty'>
      <target type='virtio' port='1'/>
      <alias name='console1'/>
    </console>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
      <alias name='channel0'/>
    </channel>
    <channel type='qemu-vdagent'>
      <source><clipboard copypaste='yes'/></source>
      <target type='virtio' name='com.redhat.spice.0'/>
      <alias name='channel1'/>
    </channel>
    <channel type='spicevmc'>
      <target type='virtio' name='com.redhat.spice.0'/>
      <alias name='channel2'/>
    </channel>
    <graphics type='vnc' port='5901' autoport='yes' listen='0.0.0.0' passwd='p&apos;w'>
      <listen type='address' address='0.0.0.0'/>
    </graphics>
    <graphics type='spice' port='5902' tlsPort='5903' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <graphics type='vnc' socket='/run/libvirt/qemu/vnc.sock'>
      <listen type='socket' socket='/run/libvirt/qemu/vnc.sock'/>
    </graphics>
  </devices>
</domain>`;

const INACTIVE = `<domain type='qemu'>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <graphics type='vnc' port='-1' autoport='yes'/>
  </devices>
</domain>`;

describe('console devices in domain XML', () => {
  it('reads elements and attributes with entities, skipping comments', () => {
    expect(graphicsPassword(LIVE, 0)).toBe("p'w");
    expect(graphicsPassword(LIVE, 1)).toBeNull();
  });

  it('lists graphics devices by index, with where they listen', () => {
    expect(graphicsOf(LIVE)).toEqual([
      { index: 0, type: 'vnc', passwordRequired: true, address: '0.0.0.0', port: 5901, tlsPort: null, socket: null },
      { index: 1, type: 'spice', passwordRequired: false, address: '127.0.0.1', port: 5902, tlsPort: 5903, socket: null },
      { index: 2, type: 'vnc', passwordRequired: false, address: null, port: null, tlsPort: null, socket: '/run/libvirt/qemu/vnc.sock' },
    ]);
    expect(graphicsOf(INACTIVE)).toEqual([{ index: 0, type: 'vnc', passwordRequired: false, address: null, port: null, tlsPort: null, socket: null }]);
  });

  it('lists text consoles once each, saying which cannot be opened; clipboard agent channels are no consoles', () => {
    expect(serialsOf(LIVE)).toEqual([
      { devName: 'serial0', kind: 'serial', targetType: 'isa-serial', port: 0, sourceType: 'pty', label: 'Serial 1', unavailable: null },
      { devName: 'serial1', kind: 'serial', targetType: 'isa-serial', port: 1, sourceType: 'file', label: 'Serial 2', unavailable: 'file devices cannot be opened as a console (only pty)' },
      { devName: 'console1', kind: 'console', targetType: 'virtio', port: 1, sourceType: 'pty', label: 'Text console (virtio) 2', unavailable: null },
      {
        devName: 'channel0',
        kind: 'channel',
        targetType: 'virtio',
        port: null,
        sourceType: 'unix',
        label: 'Channel org.qemu.guest_agent.0',
        unavailable: 'unix devices cannot be opened as a console (only pty)',
      },
    ]);
    // Inactive: no aliases yet; the serial console is still listed once.
    expect(serialsOf(INACTIVE)).toEqual([{ devName: null, kind: 'serial', targetType: null, port: 0, sourceType: 'pty', label: 'Serial 1', unavailable: null }]);
  });
});

const ppm = (w: number, h: number, maxval: number, pixels: number[]) => Buffer.concat([Buffer.from(`P6\n# made by a test\n${w} ${h}\n${maxval}\n`), Buffer.from(pixels)]);

function pngChunk(type: string, body: Buffer): Buffer {
  const b = Buffer.alloc(12 + body.length);
  b.writeUInt32BE(body.length, 0);
  b.write(type, 4, 'latin1');
  body.copy(b, 8);
  b.writeUInt32BE(crc32(b.subarray(4, 8 + body.length)), 8 + body.length);
  return b;
}

describe('screenshots as PNG', () => {

  it('converts a PPM to a PNG that decodes to the same pixels', () => {
    const pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    const { png, width, height } = screenshotToPng('image/x-portable-pixmap', ppm(3, 2, 255, pixels));
    expect([width, height]).toEqual([3, 2]);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(decodePng(png)).toEqual({ width: 3, height: 2, rgb: new Uint8Array(pixels) });
  });

  it('scales a PPM with a smaller maxval to 0..255', () => {
    expect([...parsePpm(ppm(1, 1, 15, [15, 0, 5])).rgb]).toEqual([255, 0, 85]);
  });

  it('refuses what is not a binary PPM, or is cut short', () => {
    expect(() => parsePpm(Buffer.from('P3\n1 1\n255\n0 0 0'))).toThrow('not a binary PPM image');
    expect(() => parsePpm(ppm(2, 2, 255, [1, 2, 3]))).toThrow('PPM image truncated: 3 of 12 pixel bytes');
    expect(() => parsePpm(ppm(1, 1, 65535, [0, 0, 0, 0, 0, 0]))).toThrow('PPM images with maxval 65535 are not supported');
    expect(() => screenshotToPng('image/jpeg', Buffer.from('xx'))).toThrow('cannot convert a image/jpeg screenshot');
  });

  it('passes a PNG through, reading its size', () => {
    const png = encodePng({ width: 4, height: 3, rgb: new Uint8Array(36).fill(7) });
    expect(screenshotToPng('image/png', png)).toMatchObject({ width: 4, height: 3 });
    expect(screenshotToPng('image/png', png).png.equals(png)).toBe(true);
  });

  it('decodes every PNG filter (QEMU writes Paeth)', () => {
    // Two rows of 2 pixels: row 0 with Average (3), row 1 with Paeth (4), built by hand.
    const rgb = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
    const raw = Buffer.from([3, 10, 20, 30, 35, 40, 45, 4, 60, 60, 60, 30, 30, 30]);
    const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
    expect([...decodePng(png).rgb]).toEqual(rgb);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('graphics transport of a connection', () => {
  it('uses the FD for local URIs, ssh -W for qemu+ssh, TCP for other remote transports', () => {
    expect(uriTarget('qemu:///system').transport).toBe('fd');
    expect(uriTarget('qemu+unix:///system?socket=/run/x').transport).toBe('fd');
    expect(uriTarget('test:///default').transport).toBe('fd');
    expect(uriTarget('qemu+ssh://root@10.0.0.5:2222/system?keyfile=/k&no_verify=1')).toEqual({
      transport: 'ssh',
      host: '10.0.0.5',
      port: 2222,
      user: 'root',
      keyfile: '/k',
      noVerify: true,
    });
    expect(uriTarget('qemu+libssh2://h/system').transport).toBe('ssh');
    expect(uriTarget('qemu+tls://host.example/system')).toMatchObject({ transport: 'tcp', host: 'host.example', user: null });
    expect(uriTarget('qemu://[::1]/system')).toMatchObject({ transport: 'tcp', host: '::1' });
  });
});

describe('Coalescer', () => {
  it('sends what arrives within one event-loop turn as one piece, a full buffer at once', async () => {
    const out: string[] = [];
    const c = new Coalescer((b) => out.push(b.toString()), 8);
    c.push(Buffer.from('ab'));
    c.push(Buffer.from('cd'));
    expect(out).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual(['abcd']);
    c.push(Buffer.from('0123'));
    c.push(Buffer.from('4567')); // 8 bytes: the limit
    expect(out).toEqual(['abcd', '01234567']);
    c.push(Buffer.from('x'));
    c.flush(); // before an end
    expect(out).toEqual(['abcd', '01234567', 'x']);
    await new Promise((r) => setImmediate(r));
    expect(out).toHaveLength(3);
  });
});
