// Builds libvirt test-driver node files with many domains (test:///ABS/PATH.xml), for
// benchmarks and scale tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function testDriverUri(domains: number, dir = join(tmpdir(), 'vireo-testdriver')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `node-${domains}.xml`);
  const parts = ['<node>'];
  for (let i = 0; i < domains; i++) {
    const hex = i.toString(16).padStart(12, '0');
    parts.push(
      `<domain type='test'><name>vm-${String(i).padStart(5, '0')}</name><uuid>7a3b0000-0000-4000-8000-${hex}</uuid>` +
        `<memory unit='MiB'>${256 + (i % 8) * 128}</memory><vcpu>${1 + (i % 4)}</vcpu><os><type>hvm</type></os></domain>`,
    );
  }
  parts.push('</node>');
  writeFileSync(file, parts.join('\n'));
  return `test://${file}`;
}
