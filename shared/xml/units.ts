/**
 * libvirt's memory units, read the way virScaleInteger does: 'b'/'bytes'; k, M, G, T, P, E (with or
 * without 'iB') are powers of 1024; KB, MB... are powers of 1000; case does not matter; no unit is KiB.
 */
const PREFIXES = 'kmgtpe';

/** Bytes per unit, or undefined for a unit libvirt would reject. */
export function unitBytes(unit: string | undefined): number | undefined {
  if (unit === undefined) return 1024;
  const lower = unit.toLowerCase();
  if (lower === 'b' || lower === 'byte' || lower === 'bytes') return 1;
  const power = PREFIXES.indexOf(lower[0] ?? '') + 1;
  if (power === 0) return undefined;
  const suffix = lower.slice(1);
  if (suffix === '' || suffix === 'ib') return 1024 ** power;
  if (suffix === 'b') return 1000 ** power;
  return undefined;
}

/** A size in KiB, rounded up like libvirt does; undefined for a bad number or unit. */
export function toKiB(amount: string, unit: string | undefined): number | undefined {
  const bytesPerUnit = unitBytes(unit);
  if (bytesPerUnit === undefined || !/^[0-9]+$/.test(amount.trim())) return undefined;
  return Math.ceil((Number(amount) * bytesPerUnit) / 1024);
}

/** A KiB size as a whole number of `unit`, or undefined when it is not one. */
export function fromKiB(kib: number, unit: string | undefined): number | undefined {
  const bytesPerUnit = unitBytes(unit);
  if (bytesPerUnit === undefined) return undefined;
  const amount = (kib * 1024) / bytesPerUnit;
  return Number.isInteger(amount) ? amount : undefined;
}
