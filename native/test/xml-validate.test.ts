// Domain XML against libvirt's RelaxNG schema (xml_validate.cc): the test driver's own domain is
// valid, a problem is reported at its line, malformed XML with its line and column, and a schema
// that is not there is a clear error.
import { describe, expect, it } from 'vitest';
import { loadBinding } from '../index.js';
import { badArg, failure } from './support.js';

const lv = loadBinding();

// The test driver's "test" domain, as `virsh -c test:///default dumpxml --inactive test` writes it.
const DOMAIN = `<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory unit='KiB'>8388608</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686'>hvm</type>
    <boot dev='hd'/>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
`;

describe('validateDomainXml (libxml2 RelaxNG, libvirt domain.rng)', () => {
  it('finds nothing wrong with a valid domain', async () => {
    expect(await lv.validateDomainXml(DOMAIN)).toEqual([]);
    expect(await lv.validateDomainXml(DOMAIN, { schemaDir: '/usr/share/libvirt/schemas' })).toEqual([]);
  });

  it('reports an element the schema does not know at its line', async () => {
    const xml = DOMAIN.replace("  <clock offset='utc'/>\n", "  <clock offset='utc'/>\n  <frobnicator/>\n");
    expect(xml.split('\n')[11]).toBe('  <frobnicator/>');
    expect(await lv.validateDomainXml(xml)).toEqual([{ line: 12, message: 'Element domain has extra content: frobnicator' }]);
  });

  it('reports a value the schema refuses at its line', async () => {
    const issues = await lv.validateDomainXml(DOMAIN.replace("<memory unit='KiB'>8388608</memory>", "<memory unit='KiB'>lots</memory>"));
    expect(issues[0]).toEqual({ line: 4, message: "Type unsignedLong doesn't allow value 'lots'" });
  });

  it('reports malformed XML with its line and column (libxml2 places it after the bad end tag)', async () => {
    const issues = await lv.validateDomainXml(DOMAIN.replace('</name>', '</nam>'));
    expect(issues[0]).toEqual({ line: 2, column: 19, message: 'Opening and ending tag mismatch: name line 2 and nam' });
  });

  it('validates concurrently, against one parsed schema', async () => {
    const bad = DOMAIN.replace('<vcpu', '<vcpu bogus="1"');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => lv.validateDomainXml(i % 2 === 0 ? DOMAIN : bad)));
    expect(results.filter((issues) => issues.length === 0)).toHaveLength(8);
    expect(new Set(results.filter((issues) => issues.length > 0).map((issues) => JSON.stringify(issues))).size).toBe(1);
  });

  it('rejects with a clear error when the schema is missing', async () => {
    const e = await failure(lv.validateDomainXml(DOMAIN, { schemaDir: '/nonexistent/vireo-schemas' }));
    expect(e.code).toBe('VIR_ERR_OPEN_FAILED');
    expect(e.message).toBe("cannot read libvirt's domain schema /nonexistent/vireo-schemas/domain.rng: No such file or directory");
  });

  it('rejects arguments that are not text', async () => {
    await expect(lv.validateDomainXml(42 as unknown as string)).rejects.toMatchObject(badArg);
    await expect(lv.validateDomainXml(DOMAIN, { schemaDir: 1 as unknown as string })).rejects.toMatchObject(badArg);
  });
});
