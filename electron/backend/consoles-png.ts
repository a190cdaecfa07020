// QEMU's screenshots come as PPM (P6); users want PNG files. A PPM reader and a minimal PNG
// writer (RGB, 8 bits, one IDAT compressed with zlib) are all that takes.
import { deflateSync, inflateSync } from 'node:zlib';

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, rows top to bottom. */
  rgb: Uint8Array;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Reads a binary PPM (P6, maxval <= 255); throws on anything else. */
export function parsePpm(data: Uint8Array): RgbImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < data.length && isSpace(data[pos]!)) pos++;
      if (data[pos] !== 0x23) break; // '#' comment to the end of the line
      while (pos < data.length && data[pos] !== 0x0a && data[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < data.length && !isSpace(data[pos]!) && data[pos] !== 0x23) pos++;
    return String.fromCharCode(...data.subarray(start, pos));
  };
  const magic = token();
  if (magic !== 'P6') throw new Error(`not a binary PPM image (starts with ${JSON.stringify(magic.slice(0, 8))})`);
  const [width, height, maxval] = [token(), token(), token()].map(Number) as [number, number, number];
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error('PPM image with a bad size');
  if (!Number.isInteger(maxval) || maxval <= 0 || maxval > 255) throw new Error(`PPM images with maxval ${maxval} are not supported`);
  pos += 1; // the single whitespace after maxval
  const size = width * height * 3;
  if (data.length - pos < size) throw new Error(`PPM image truncated: ${data.length - pos} of ${size} pixel bytes`);
  let rgb = data.subarray(pos, pos + size);
  if (maxval !== 255) rgb = rgb.map((v) => Math.round((v * 255) / maxval));
  return { width, height, rgb };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encodes RGB pixels as a PNG (filter Sub on every row: screen content compresses well with it). */
export function encodePng({ width, height, rgb }: RgbImage): Buffer {
  const stride = width * 3;
  if (rgb.length !== stride * height) throw new Error(`expected ${stride * height} RGB bytes, got ${rgb.length}`);
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const out = y * (stride + 1);
    raw[out] = 1; // Sub: each byte minus the same channel of the pixel to its left
    for (let x = 0; x < stride; x++) raw[out + 1 + x] = (rgb[row + x]! - (x >= 3 ? rgb[row + x - 3]! : 0)) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression 0, filter 0, interlace 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Reads an 8-bit RGB, non-interlaced PNG (what encodePng and QEMU write): for tests and for
 * checking a screenshot's content.
 */
export function decodePng(png: Uint8Array): RgbImage {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (pos + 8 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== buf.readUInt32BE(pos + 8 + len)) throw new Error(`bad CRC in PNG chunk ${type}`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 2 || body[12] !== 0) throw new Error('only 8-bit RGB non-interlaced PNGs are supported');
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const rgb = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    if (filter > 4) throw new Error(`PNG filter ${filter} does not exist`);
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= 3 ? rgb[y * stride + x - 3]! : 0;
      const up = y > 0 ? rgb[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= 3 ? rgb[(y - 1) * stride + x - 3]! : 0;
      const add = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter]!;
      rgb[y * stride + x] = (line[x]! + add) & 0xff;
    }
  }
  return { width, height, rgb };
}

/** PPM or PNG from virDomainScreenshot, as PNG with its size. */
export function screenshotToPng(mimeType: string, data: Uint8Array): { png: Buffer; width: number; height: number } {
  if (mimeType === 'image/png') {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('the hypervisor sent a PNG screenshot that is not a PNG file');
    return { png: buf, width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  }
  if (mimeType !== 'image/x-portable-pixmap' && !(data[0] === 0x50 && data[1] === 0x36)) throw new Error(`cannot convert a ${mimeType} screenshot to PNG`);
  const image = parsePpm(data);
  return { png: encodePng(image), width: image.width, height: image.height };
}
