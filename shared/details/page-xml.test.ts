import { describe, expect, it } from 'vitest';
import { DomainConfig } from '../xml/domain.js';
import { corpus, corpusFile, lineDiff } from '../xml/test-support.js';
import { PAGE_ELEMENTS, PageXmlError, type XmlPage, pageXml, setPageXml } from './page-xml.js';

const PAGES = Object.keys(PAGE_ELEMENTS) as XmlPage[];

/** The page's fragment of a corpus file, changed by `edit`, put back; the document before and after. */
function editPage(name: string, page: XmlPage, edit: (fragment: string) => string): { before: string; after: string } {
  const config = DomainConfig.parse(corpusFile(name));
  setPageXml(config, page, edit(pageXml(config, page)));
  return { before: corpusFile(name), after: config.toXml() };
}

/** The PageXmlError an edit throws, and whether the document stayed as it was. */
function refusal(name: string, page: XmlPage, edit: (fragment: string) => string): { message: string; line?: number; column?: number; unchanged: boolean } {
  const config = DomainConfig.parse(corpusFile(name));
  try {
    setPageXml(config, page, edit(pageXml(config, page)));
  } catch (e) {
    if (!(e instanceof PageXmlError)) throw e;
    return { message: e.message, ...(e.line !== undefined && { line: e.line, column: e.column }), unchanged: config.toXml() === corpusFile(name) };
  }
  throw new Error('the edit was expected to be refused');
}

describe("the general pages' XML fragments", () => {
  it("shows a page's elements as written, in document order, at column 0", () => {
    const config = DomainConfig.parse(corpusFile('numatune-cputune.xml'));
    const cpu = pageXml(config, 'cpu');
    expect(cpu.split('\n').slice(0, 4)).toEqual(["<vcpu placement='static' cpuset='0-7'>8</vcpu>", '<iothreads>2</iothreads>', '<cputune>', '  <shares>2048</shares>']);
    expect(pageXml(config, 'memory')).toContain("<numatune>\n  <memory mode='strict' nodeset='0-1'/>");
    // Comments, CDATA and entity spellings inside the elements are kept.
    const hand = DomainConfig.parse(corpusFile('hand-edited-comments-cdata.xml'));
    expect(pageXml(hand, 'overview')).toContain('<name>build&#45;runner</name>\n<uuid>');
    expect(pageXml(hand, 'overview')).toContain('<description><![CDATA[Runs <jobs>');
    expect(pageXml(hand, 'boot')).toContain('  <!-- kernel booted directly, see /srv/kernels/README -->');
    // <os> is on both Overview (machine type, firmware) and Boot Options.
    expect(pageXml(hand, 'overview')).toContain('<os>');
  });

  it('puts every unchanged fragment back byte for byte, for every page of every corpus file', () => {
    for (const [name, xml] of corpus) {
      for (const page of PAGES) {
        const config = DomainConfig.parse(xml);
        setPageXml(config, page, pageXml(config, page));
        expect({ name, page, xml: config.toXml() }).toEqual({ name, page, xml });
      }
    }
  });

  it('changes only the edited lines of the document when the CPU fragment is edited', () => {
    const { before, after } = editPage('hand-edited-comments-cdata.xml', 'cpu', (fragment) =>
      fragment.replace('<vcpu placement="static">6</vcpu>', '<vcpu placement="static">4</vcpu>').replace('cores="3"', 'cores="2"'),
    );
    expect(lineDiff(before, after)).toEqual({
      removed: ['  <vcpu placement="static">6</vcpu>', '    <topology sockets="1" cores="3" threads="2"/>'],
      added: ['  <vcpu placement="static">4</vcpu>', '    <topology sockets="1" cores="2" threads="2"/>'],
    });
    // Byte for byte: everything before <vcpu> and after <cpu> is the same text.
    expect(after.slice(0, after.indexOf('  <vcpu'))).toBe(before.slice(0, before.indexOf('  <vcpu')));
    expect(after.slice(after.indexOf('</cpu>'))).toBe(before.slice(before.indexOf('</cpu>')));
  });

  it('removes elements left out and inserts new ones where libvirt puts them, indented like the document', () => {
    const { before, after } = editPage('numatune-cputune.xml', 'cpu', (fragment) => {
      const withoutTune = fragment.replace(/<cputune>[\s\S]*<\/cputune>\n/, '');
      return `${withoutTune}\n<cputune><shares>512</shares></cputune>`;
    });
    const diff = lineDiff(before, after);
    expect(diff.added).toEqual(['    <shares>512</shares>']);
    expect(diff.removed).toContain("    <vcpupin vcpu='0' cpuset='0'/>");
    // After <iothreads>, before <numatune>: DOMAIN_CHILD_ORDER's place.
    expect(after).toContain('<iothreads>2</iothreads>\n  <cputune>\n    <shares>512</shares>\n  </cputune>\n  <numatune>');

    const tab = editPage('tab-indented.xml', 'memory', (fragment) => `${fragment}\n<memtune><hard_limit unit='KiB'>1048576</hard_limit></memtune>`);
    expect(lineDiff(tab.before, tab.after).added).toEqual(['\t<memtune>', "\t\t<hard_limit unit='KiB'>1048576</hard_limit>", '\t</memtune>']);
  });

  it('keeps metadata using a namespace <domain> declares', () => {
    const xml = "<domain type='kvm' xmlns:vireo='https://vireo.example/ns'>\n  <name>ns</name>\n  <metadata>\n    <vireo:ui pinned='yes'/>\n  </metadata>\n  <memory>1</memory>\n  <os><type>hvm</type></os>\n</domain>\n";
    const config = DomainConfig.parse(xml);
    const fragment = pageXml(config, 'overview');
    setPageXml(config, 'overview', fragment);
    expect(config.toXml()).toBe(xml);
    setPageXml(config, 'overview', fragment.replace("pinned='yes'", "pinned='no'"));
    expect(lineDiff(xml, config.toXml()).added.join('\n')).toContain("pinned='no'");
  });

  it('refuses an element of another page, naming where to edit it, and changes nothing', () => {
    const lines = pageXml(DomainConfig.parse(corpusFile('numatune-cputune.xml')), 'cpu').split('\n').length;
    expect(refusal('numatune-cputune.xml', 'cpu', (fragment) => `${fragment}\n<devices/>`)).toEqual({
      message: '<devices> is not part of the CPUs page: edit it in the Domain XML',
      line: lines + 1,
      column: 1,
      unchanged: true,
    });
    expect(refusal('numatune-cputune.xml', 'cpu', (fragment) => `<memory unit='KiB'>1</memory>\n${fragment}`)).toMatchObject({
      message: '<memory> is not part of the CPUs page: edit it on the Memory page or in the Domain XML',
      line: 1,
      unchanged: true,
    });
  });

  it('refuses removing an element libvirt needs', () => {
    expect(refusal('tab-indented.xml', 'overview', (fragment) => fragment.replace(/<name>.*<\/name>\n/, ''))).toEqual({
      message: '<name> cannot be removed: the domain needs a name',
      unchanged: true,
    });
    expect(refusal('tab-indented.xml', 'memory', (fragment) => fragment.replace(/<memory[^\n]*\n/, ''))).toMatchObject({
      message: '<memory> cannot be removed: the domain needs a memory size',
      unchanged: true,
    });
    expect(refusal('tab-indented.xml', 'boot', () => '')).toMatchObject({ message: '<os> cannot be removed: the domain needs an operating system type', unchanged: true });
  });

  it("reports malformed XML at the fragment's own line and column", () => {
    expect(refusal('tab-indented.xml', 'cpu', (fragment) => fragment.replace('</vcpu>', '</vcpux>'))).toEqual({
      message: 'mismatched closing tag </vcpux>: expected </vcpu>',
      line: 1,
      column: expect.any(Number),
      unchanged: true,
    });
    const fragment = pageXml(DomainConfig.parse(corpusFile('tab-indented.xml')), 'cpu');
    const column = fragment.indexOf('</vcpu>') + 1;
    expect(refusal('tab-indented.xml', 'cpu', (text) => text.replace('</vcpu>', '</vcpux>')).column).toBe(column);
    expect(refusal('numatune-cputune.xml', 'cpu', (text) => `${text}\n<cpu mode='host-model'>`)).toMatchObject({ message: '<cpu> is not closed', unchanged: true });
    const lines = fragment.split('\n').length;
    expect(refusal('tab-indented.xml', 'cpu', (text) => `${text}\n</cputune>`)).toMatchObject({ message: 'closing tag </cputune> without an opening tag', line: lines + 1, column: 1 });
  });

  it('refuses comments and text between the elements, which it could not place', () => {
    expect(refusal('tab-indented.xml', 'cpu', (fragment) => `<!-- pinned -->\n${fragment}`)).toEqual({
      message: 'only elements can be edited here, not comments between them: use the Domain XML',
      line: 1,
      column: 1,
      unchanged: true,
    });
    expect(refusal('tab-indented.xml', 'cpu', (fragment) => `${fragment}\nfour`)).toMatchObject({ message: expect.stringContaining('not text between them') });
  });
});
