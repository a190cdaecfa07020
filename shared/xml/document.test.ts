import { describe, expect, it } from 'vitest';
import {
  createComment,
  createElement,
  escapeAttribute,
  parse,
  parseElement,
  serialize,
  serializeStandalone,
  XmlPathError,
  XmlSyntaxError,
  type XmlElement,
} from './document.js';
import { corpus, corpusFile, lineDiff, seededRandom } from './test-support.js';

const allElements = (root: XmlElement): XmlElement[] => [root, ...root.children().flatMap(allElements)];

const withIndent = (indent: string, newline = '\n'): string =>
  ['<domain>', `${indent}<devices>`, `${indent}${indent}<disk device='disk'/>`, `${indent}</devices>`, `${indent}<os/>`, '</domain>', ''].join(newline);

describe('round trip', () => {
  it('has a corpus of at least 25 real domain XMLs', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
  });

  it.each(corpus)('%s serializes back byte for byte', (_name, xml) => {
    expect(serialize(parse(xml))).toBe(xml);
  });

  it.each([
    ['declaration, BOM, DOCTYPE with internal subset, PIs and comments around the root', '\uFEFF<?xml version="1.0" encoding="utf-8" standalone=\'yes\'?>\n<!DOCTYPE domain [\n  <!ELEMENT domain ANY>\n  <!-- a > in a comment -->\n  <!ATTLIST domain type CDATA "x>y">\n]>\n<?app data?>\n<domain/>\n<!-- trailing -->\n<?done?>\n'],
    ['whitespace inside tags and around =', '<a  x = "1"\n\t y=\'2\'   ><b\n/><c z="3" /></a >'],
    ['entity and character reference spellings', "<a t='&amp;&lt;&gt;&quot;&apos;&#38;&#x26;&#x0041;'>&#x10FFFF;&#65;&gt;&amp;amp; ]] > </a>"],
    ['CDATA, comments and PIs in content', '<a><![CDATA[<x> & ]] ]]><!----><!-- - --><?p?><?q  r s ?></a>'],
    ['CRLF and lone CR line breaks', '<a>\r\n  <b x="1\r\n2"/>\r  <c>\r\n</c>\r\n</a>\r\n'],
    ['empty elements written both ways, empty attribute values', "<a><b></b><c/><d e='' f=\"\"/></a>"],
    ['non-ASCII names and text', '<données xmlns:é="urn:x"><é:clé valeur="ünïcødé 😀">日本語</é:clé></données>'],
    ['no trailing newline, a > in text and attributes', '<a b=">">x > y</a>'],
  ])('keeps %s', (_what, xml) => {
    expect(serialize(parse(xml))).toBe(xml);
  });

  it('handles nesting far deeper than the call stack allows', () => {
    const depth = 50_000;
    const xml = `${'<n>'.repeat(depth)}text${'</n>'.repeat(depth)}`;
    expect(serialize(parse(xml))).toBe(xml);
  });

  it.each(corpus)('%s: every element serialized standalone is well-formed', (_name, xml) => {
    for (const element of allElements(parse(xml).root)) {
      const standalone = serializeStandalone(element);
      expect(serialize(parse(standalone))).toBe(standalone);
    }
  });
});

/** Each character a generated value may hold, with the ways XML may spell it. */
const SPELLINGS: ReadonlyArray<readonly [value: string, inText: readonly string[], inAttribute: readonly string[]]> = [
  ['a', ['a'], ['a']],
  [' ', [' ', '&#32;'], [' ', '&#x20;']],
  ['&', ['&amp;', '&#38;', '&#x26;'], ['&amp;', '&#38;']],
  ['<', ['&lt;', '&#60;'], ['&lt;', '&#x3c;']],
  ['>', ['>', '&gt;'], ['>', '&gt;']],
  ['"', ['"', '&quot;'], ['&quot;', '&#34;']],
  ["'", ["'", '&apos;'], ['&apos;', '&#39;']],
  ['\n', ['\n', '\r\n', '&#10;'], ['&#10;', '&#xA;']],
  ['\t', ['\t', '&#9;'], ['&#9;']],
  ['é', ['é', '&#233;'], ['é', '&#xE9;']],
  ['😀', ['😀', '&#x1F600;'], ['😀', '&#128512;']],
];

interface Generated {
  xml: string;
  /** What the parser must read: name, attribute values, text and element children. */
  expected: Projection;
}
interface Projection {
  name: string;
  attributes: Array<[string, string]>;
  text: string;
  children: Projection[];
}

const project = (element: XmlElement): Projection => ({
  name: element.name,
  attributes: element.attributes.map((attribute) => [attribute.name, attribute.value]),
  text: element.text(),
  children: element.children().map(project),
});

function generateElement(random: ReturnType<typeof seededRandom>, depth: number): Generated {
  const space = (): string => random.pick([' ', '  ', '\n  ', '\t', '\r\n ']);
  const value = (inAttribute: boolean): [string, string] => {
    const picks = Array.from({ length: random.int(6) }, () => random.pick(SPELLINGS));
    return [picks.map(([decoded]) => decoded).join(''), picks.map(([, inText, inAttr]) => random.pick(inAttribute ? inAttr : inText)).join('')];
  };
  const name = random.pick(['a', 'b-c', 'd.e', 'q:f', '_g1', 'données']);
  const attributes: Array<[string, string]> = [];
  let tag = `<${name}`;
  for (const attribute of ['x', 'y', 'q:z'].filter(() => random.int(2) === 0)) {
    const [decoded, written] = value(true);
    const quote = random.pick(['"', "'"]);
    attributes.push([attribute, decoded]);
    tag += `${space()}${attribute}${random.pick(['=', ' = ', '\n=\t'])}${quote}${written}${quote}`;
  }
  tag += random.pick(['', ' ', '\n']);
  const children: Projection[] = [];
  let text = '';
  let content = '';
  for (let count = depth > 3 ? 0 : random.int(5); count > 0; count--) {
    const kind = random.int(5);
    if (kind === 0) {
      const child = generateElement(random, depth + 1);
      children.push(child.expected);
      content += child.xml;
    } else if (kind === 1) {
      const [decoded, written] = value(false);
      text += decoded.replaceAll('\r\n', '\n');
      content += written;
    } else if (kind === 2) {
      const cdata = random.pick(['', 'x < y & z', ']]', '\n]\n']);
      text += cdata;
      content += `<![CDATA[${cdata}]]>`;
    } else {
      content += kind === 3 ? random.pick(['<!---->', '<!-- a - b -->', '<!--\n-->']) : random.pick(['<?p?>', '<?p d?>', '<?p  d ?>']);
    }
  }
  const empty = content === '' ? random.int(2) === 0 : false;
  const xml = empty ? `${tag}/>` : `${tag}>${content}</${name}${random.pick(['', ' ', '\n'])}>`;
  return { xml, expected: { name, attributes, text, children } };
}

describe('generated documents', () => {
  it('parse to the values they spell and serialize back byte for byte', () => {
    const random = seededRandom(2024);
    for (let trial = 0; trial < 500; trial++) {
      const root = generateElement(random, 0);
      const declared = root.xml.replace(/^<([^\s/>]+)/, '<$1 xmlns:q="urn:q"');
      const xml = `${random.pick(['', '<?xml version="1.0"?>\n', '\uFEFF'])}${random.pick(['', '<!-- c -->\r\n'])}${declared}${random.pick(['', '\n', '\n<?after?>\n'])}`;
      const doc = parse(xml);
      expect(serialize(doc)).toBe(xml);
      expect(project(doc.root)).toEqual({ ...root.expected, attributes: [['xmlns:q', 'urn:q'], ...root.expected.attributes] });
    }
  });
});

describe('values', () => {
  it('decodes references and normalizes line breaks in text, and whitespace in attributes', () => {
    const root = parse("<a x='a &amp; b&#10;c\td\r\ne' y='&#9;'>1 &lt; 2\r\n<![CDATA[&amp;]]>&#13;</a>").root;
    expect(root.attr('x')).toBe('a & b\nc d e');
    expect(root.attr('y')).toBe('\t');
    expect(root.text()).toBe('1 < 2\n&amp;\r');
  });

  it('reads namespace prefixes, local names and URIs', () => {
    const root = parse(corpusFile('qemu-commandline-namespace.xml')).root;
    const commandline = root.child('qemu:commandline')!;
    expect([commandline.prefix, commandline.localName, commandline.namespaceUri]).toEqual(['qemu', 'commandline', 'http://libvirt.org/schemas/domain/qemu/1.0']);
    expect(root.namespaceUri).toBeUndefined();
    expect(parse('<a xmlns="urn:d"><b xmlns=""/><c/></a>').root.children().map((child) => child.namespaceUri)).toEqual([undefined, 'urn:d']);
  });

  it('records the quote the document uses first, for attributes added later', () => {
    expect(parse('<a b="1" c=\'2\'/>').attributeQuote).toBe('"');
    expect(parse("<a b='1'/>").attributeQuote).toBe("'");
  });
});

describe('syntax errors', () => {
  it.each([
    ["<domain>\n  <devices>\n    <disk type='file'>\n", "unclosed tag 'disk' opened at 3:5", 4, 1],
    ['<domain>\n  <devices>\n    <disk>\n    </devices>\n</domain>', 'mismatched closing tag </devices>: expected </disk> (opened at 3:5)', 4, 5],
    ["<a>\n  <b x='1' y='2' x='3'/>\n</a>", "duplicate attribute 'x' in the tag <b>", 2, 18],
    ['<a>&nbsp;</a>', "unknown entity '&nbsp;'", 1, 4],
    ['<a>fish & chips</a>', "'&' must be written as '&amp;'", 1, 9],
    ['<a x="&#0;"/>', "character reference '&#0;' is not an allowed XML character", 1, 7],
    ['<a>&#xZZ;</a>', "malformed character reference '&#xZZ;'", 1, 4],
    ['<a>&#X41;</a>', "malformed character reference '&#X41;'", 1, 4],
    ['<a/>\ntext', 'text after the root element', 2, 1],
    ['<a/>\n<b/>', 'a second root element <b>: a document has one root element', 2, 1],
    ['hello <a/>', 'text before the root element', 1, 1],
    ['  \n ', 'the document is empty', 2, 2],
    ['<!-- only a comment -->', 'the document has no root element', 1, 24],
    ["<a x='1<2'/>", "'<' is not allowed in the value of attribute 'x'", 1, 8],
    ['<a x=1/>', "the value of attribute 'x' must be in quotes", 1, 6],
    ['<a x/>', "attribute 'x' has no value", 1, 5],
    ["<a x='1'y='2'/>", 'attributes must be separated by whitespace in the tag <a>', 1, 9],
    ["<a x='1", "unterminated value of attribute 'x'", 1, 6],
    ["<a x='1'", 'unexpected end of input in the tag <a>', 1, 9],
    ['<a !/>', "unexpected character '!' in the tag <a>", 1, 4],
    ['<a><!-- x </a>', 'unterminated comment', 1, 4],
    ['<a><!-- a -- b --></a>', "'--' is not allowed inside a comment", 1, 11],
    ['<a><!-- x ---></a>', "a comment cannot end with '--->'", 1, 11],
    ['<a><![CDATA[ x </a>', 'unterminated CDATA section', 1, 4],
    ['<![CDATA[x]]><a/>', 'CDATA section outside the root element', 1, 1],
    ['<a>x ]]> y</a>', "']]>' is not allowed in text", 1, 6],
    ['<domain>\n  <qemu:commandline/>\n</domain>', "namespace prefix 'qemu' of 'qemu:commandline' is not declared", 2, 3],
    ['<a b:c="1"/>', "namespace prefix 'b' of 'b:c' is not declared", 1, 1],
    ['<a:b:c xmlns:a="urn:a"/>', "'a:b:c' is not a valid qualified name", 1, 1],
    ['<a xmlns:p=""/>', "namespace prefix 'p' cannot be declared empty", 1, 1],
    ['\n<?xml version="1.0"?><a/>', 'the XML declaration is only allowed at the very start of the document', 2, 1],
    ['<?xml version="2.0"?><a/>', 'malformed XML declaration', 1, 1],
    ['<?xml version="1.0"?><?pi?><?pi2x?><?bad x', 'unterminated processing instruction', 1, 36],
    ['<a>\u0001</a>', 'invalid character U+0001', 1, 4],
    ['<a><!DOCTYPE a></a>', 'a DOCTYPE is not allowed inside an element', 1, 4],
    ['<a/><!DOCTYPE a>', 'a DOCTYPE is only allowed once, before the root element', 1, 5],
    ['</a>', 'closing tag </a> without an opening tag', 1, 1],
    ['<a></a\n!>', "expected '>' to end </a>", 2, 1],
    ['<1a/>', 'expected an element name after "<"', 1, 2],
  ])('%j: %s', (xml, reason, line, column) => {
    let error: unknown;
    try {
      parse(xml);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(XmlSyntaxError);
    expect(error).toMatchObject({ reason, line, column });
    expect((error as Error).message).toBe(`${reason} at line ${line}, column ${column}`);
  });
});

describe('queries', () => {
  const root = parse(corpusFile('virt-manager-fedora-q35.xml')).root;

  it('follows paths with attribute, descendant, text and position predicates', () => {
    expect(root.find('devices/disk[@device="cdrom"]/target')?.attr('dev')).toBe('sda');
    expect(root.find("devices/disk[target/@dev='vda']/driver")?.attr('type')).toBe('qcow2');
    expect(root.find('devices/channel[target/@name="com.redhat.spice.0"]')?.attr('type')).toBe('spicevmc');
    expect(root.find('os[type="hvm"]/loader')?.attr('type')).toBe('pflash');
    expect(root.find('devices/controller[@type="pci"][3]')?.attr('index')).toBe('2');
    expect(root.find('devices/*[@model="ich9"]')?.name).toBe('sound');
    expect(root.findAll('devices/controller[@model="pcie-root-port"]/target').map((target) => target.attr('chassis'))).toEqual(['1', '2', '3', '4']);
    expect(root.findAll('devices/input[@bus]')).toHaveLength(3);
    expect(root.find('devices/disk[@device="floppy"]')).toBeUndefined();
    expect(root.find('metadata/libosinfo:libosinfo/libosinfo:os')?.attr('id')).toBe('http://fedoraproject.org/fedora/39');
  });

  it('lists children, all or by one step', () => {
    const devices = root.child('devices')!;
    expect(devices.children('disk').map((disk) => disk.attr('device'))).toEqual(['disk', 'cdrom']);
    expect(devices.child('interface[@type="network"]')?.find('mac')?.attr('address')).toBe('52:54:00:6c:3c:01');
    expect(root.children().slice(0, 3).map((child) => child.name)).toEqual(['name', 'uuid', 'title']);
    expect(() => devices.children('disk/target')).toThrow(XmlPathError);
  });

  it.each(['', 'a/', 'a[', 'a[@]', 'a[b=1]', 'a[0]', "a[@b='x]", 'a]'])('rejects the path %j', (path) => {
    expect(() => root.find(path)).toThrow(XmlPathError);
  });
});

describe('attribute edits', () => {
  it('changes a value in place, keeping its quote and the spelling of the others', () => {
    const xml = `<disk type="file"  device = 'disk' >\n  <target dev='vda'/>\n</disk>`;
    const doc = parse(xml);
    doc.root.setAttr('device', 'cdrom');
    expect(serialize(doc)).toBe(`<disk type="file"  device = 'cdrom' >\n  <target dev='vda'/>\n</disk>`);
  });

  it("adds attributes after the others, in the element's quote, or on their own line when they are laid out so", () => {
    const doc = parse(corpusFile('four-space-multiline-attributes.xml'));
    doc.root.find('devices/disk/driver')!.setAttr('io', 'native');
    doc.root.find('devices/disk/target')!.setAttr('rotation_rate', 1);
    doc.root.find('devices/video/model')!.setAttr('vram', 16384);
    expect(lineDiff(corpusFile('four-space-multiline-attributes.xml'), serialize(doc))).toEqual({
      removed: ['                    discard="unmap" />', '                    bus="virtio" />', '            <model type="virtio" heads="1" primary="yes">'],
      added: [
        '                    discard="unmap"',
        '                    io="native" />',
        '                    bus="virtio"',
        '                    rotation_rate="1" />',
        '            <model type="virtio" heads="1" primary="yes" vram="16384">',
      ],
    });
  });

  it('removes attributes with null or undefined, and rejects bad names and numbers', () => {
    const element = parseElement(`<a x='1' y='2' z='3'/>`);
    element.setAttr('y', null).setAttr('z', undefined).setAttr('missing', null);
    expect(serialize(element)).toBe(`<a x='1'/>`);
    expect(() => element.setAttr('1x', 'v')).toThrow(/not a valid XML name/);
    expect(() => element.setAttr('x', Number.NaN)).toThrow(RangeError);
  });

  it.each([
    ["'", `it's "quoted" & <tagged>\ttab\nline`, `<a v='it&apos;s "quoted" &amp; &lt;tagged>&#9;tab&#10;line'/>`],
    ['"', `it's "quoted" & <tagged>\ttab\nline`, `<a v="it's &quot;quoted&quot; &amp; &lt;tagged>&#9;tab&#10;line"/>`],
  ])('escapes for the %s quote so the value reads back unchanged', (quote, value, expected) => {
    const doc = parse(`<a v=${quote}${quote}/>`);
    doc.root.setAttr('v', value);
    expect(serialize(doc)).toBe(expected);
    expect(parse(serialize(doc)).root.attr('v')).toBe(value);
    expect(escapeAttribute(value, quote as '"' | "'")).toBe(expected.slice(6, -3));
  });
});

describe('text edits', () => {
  it('escapes text, keeps a CDATA section a CDATA section, and restores the original spelling', () => {
    const doc = parse(corpusFile('hand-edited-comments-cdata.xml'));
    const name = doc.root.child('name')!;
    const description = doc.root.child('description')!;
    expect([name.text(), description.text()]).toEqual(['build-runner', 'Runs <jobs> for the "main" & release branches.\nOwner: ops@example.com']);
    name.setText('a & <b>');
    description.setText('new <description>');
    expect(lineDiff(corpusFile('hand-edited-comments-cdata.xml'), serialize(doc))).toEqual({
      removed: ['  <name>build&#45;runner</name>', '  <description><![CDATA[Runs <jobs> for the "main" & release branches.', 'Owner: ops@example.com]]></description>'],
      added: ['  <name>a &amp; &lt;b&gt;</name>', '  <description><![CDATA[new <description>]]></description>'],
    });
    name.setText('build-runner');
    description.setText('Runs <jobs> for the "main" & release branches.\nOwner: ops@example.com');
    expect(serialize(doc)).toBe(corpusFile('hand-edited-comments-cdata.xml'));
  });

  it('replaces mixed content and empties elements', () => {
    const element = parseElement('<a>x<b/>y</a>');
    element.setText('z');
    expect(serialize(element)).toBe('<a>z</a>');
    element.setText('');
    expect(serialize(element)).toBe('<a/>');
    expect(serialize(parseElement('<a></a>').setText('x').setText(''))).toBe('<a></a>');
    expect(serialize(parseElement('<a/>').setText('x'))).toBe('<a>x</a>');
  });
});

describe('structural edits', () => {

  it.each([
    ['two spaces', '  ', '\n'],
    ['four spaces', '    ', '\n'],
    ['tabs', '\t', '\n'],
    ['CRLF and two spaces', '  ', '\r\n'],
  ])('indents new elements like their siblings: %s', (_what, indent, newline) => {
    const doc = parse(withIndent(indent, newline));
    const disk = parseElement(`<disk device='cdrom'>\n      <target dev='sda'/>\n   <readonly/></disk>`);
    doc.root.child('devices')!.append(disk);
    doc.root.ensureChild('os/boot[@dev="hd"]');
    expect(serialize(doc)).toBe(
      [
        '<domain>',
        `${indent}<devices>`,
        `${indent}${indent}<disk device='disk'/>`,
        `${indent}${indent}<disk device='cdrom'>`,
        `${indent}${indent}${indent}<target dev='sda'/>`,
        `${indent}${indent}${indent}<readonly/>`,
        `${indent}${indent}</disk>`,
        `${indent}</devices>`,
        `${indent}<os>`,
        `${indent}${indent}<boot dev='hd'/>`,
        `${indent}</os>`,
        '</domain>',
        '',
      ].join(newline),
    );
  });

  it('keeps a one-line document on one line', () => {
    const doc = parse('<a><b/></a>');
    doc.root.append(parseElement('<c>\n  <d/>\n</c>'));
    doc.root.ensureChild('b/e');
    expect(serialize(doc)).toBe('<a><b><e/></b><c><d/></c></a>');
  });

  it('inserts before and after siblings and in a given order', () => {
    const doc = parse(`<os>\n  <type>hvm</type>\n  <boot dev='hd'/>\n</os>\n`);
    const os = doc.root;
    os.insertBefore(createElement('loader', { type: 'pflash' }), os.child('boot')!);
    os.insertAfter(createElement('bootmenu', { enable: 'yes' }), os.child('boot')!);
    os.insertOrdered(createElement('kernel'), ['type', 'loader', 'kernel', 'boot']);
    os.insertOrdered(createElement('smbios'), ['type', 'boot', 'bootmenu', 'smbios']);
    os.insertOrdered(createElement('unknown'), ['type']);
    os.insertBefore(createComment(' first '), os.child('type')!);
    expect(serialize(doc)).toBe(
      `<os>\n  <!-- first -->\n  <type>hvm</type>\n  <loader type='pflash'/>\n  <kernel/>\n  <boot dev='hd'/>\n  <bootmenu enable='yes'/>\n  <smbios/>\n  <unknown/>\n</os>\n`,
    );
  });

  it('creates missing path steps with the values their predicates test', () => {
    const doc = parse(`<domain>\n  <devices/>\n</domain>`);
    const target = doc.root.ensureChild(`devices/disk[@device="cdrom"][target/@bus='sata']/target`);
    target.setAttr('dev', 'sda');
    expect(doc.root.ensureChild('devices/disk[@device="cdrom"]')).toBe(target.parent);
    expect(serialize(doc)).toBe(`<domain>\n  <devices>\n    <disk device='cdrom'>\n      <target bus='sata' dev='sda'/>\n    </disk>\n  </devices>\n</domain>`);
    const before = serialize(doc);
    expect(() => doc.root.ensureChild('os/*')).toThrow(XmlPathError);
    expect(() => doc.root.ensureChild('devices/disk[2]')).toThrow(/number 2/);
    expect(() => doc.root.ensureChild('devices/video[@model]/driver')).toThrow(/without a value/);
    expect(serialize(doc)).toBe(before);
  });

  it('removes an element with the whitespace before it, leaving other nodes, and closes emptied elements', () => {
    const xml = `<a>\n  <!-- keep -->\n  <b/>\n  <c>\n    <d/>\n  </c>\n  <e></e>\n</a>`;
    const doc = parse(xml);
    doc.root.child('b')!.remove();
    doc.root.find('c/d')!.remove();
    doc.root.ensureChild('e/f').remove();
    expect(serialize(doc)).toBe(`<a>\n  <!-- keep -->\n  <c/>\n  <e></e>\n</a>`);
  });

  it('replaces an element in place and refuses impossible moves', () => {
    const doc = parse(`<a>\n  <b/>\n  <c/>\n</a>`);
    const b = doc.root.child('b')!;
    b.replaceWith(parseElement('<x>\n<y/></x>'));
    expect(serialize(doc)).toBe(`<a>\n  <x>\n    <y/>\n  </x>\n  <c/>\n</a>`);
    const x = doc.root.child('x')!;
    expect(() => x.child('y')!.append(x)).toThrow(/ancestor/);
    expect(() => x.insertBefore(createElement('z'), doc.root.child('c')!)).toThrow(/not a child/);
    expect(() => doc.root.replaceWith(createElement('z'))).toThrow(/no parent/);
    expect(() => createComment('a--b')).toThrow(/--/);
  });

  it('moves an element from one place to another', () => {
    const doc = parse(`<a>\n  <b>\n    <c/>\n  </b>\n  <d/>\n</a>`);
    doc.root.child('d')!.append(doc.root.find('b/c')!);
    expect(serialize(doc)).toBe(`<a>\n  <b/>\n  <d>\n    <c/>\n  </d>\n</a>`);
  });

  it('leaves text content of inserted elements alone', () => {
    const doc = parse(`<a>\n  <b/>\n</a>`);
    doc.root.append(parseElement('<p>  some <i>mixed</i>\n content </p>'));
    expect(serialize(doc)).toBe(`<a>\n  <b/>\n  <p>  some <i>mixed</i>\n content </p>\n</a>`);
  });
});

describe('standalone serialization', () => {
  it('moves an element to column 0 and declares the namespaces it inherits', () => {
    const doc = parse(corpusFile('qemu-commandline-namespace.xml'));
    expect(serializeStandalone(doc.root.find('qemu:capabilities')!)).toBe(
      `<qemu:capabilities xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n  <qemu:add capability='blockdev'/>\n  <qemu:del capability='name'/>\n</qemu:capabilities>`,
    );
    expect(serializeStandalone(parse('<a xmlns="urn:x">\n  <b>\n    <c/>\n  </b>\n</a>').root.child('b')!)).toBe(`<b xmlns="urn:x">\n  <c/>\n</b>`);
  });
});

describe('edits touch only their nodes', () => {
  it('re-serializes only the edited element', () => {
    const xml = corpusFile('live-running-vnc.xml');
    const doc = parse(xml);
    doc.root.find('devices/graphics')!.setAttr('port', '5901');
    expect(lineDiff(xml, serialize(doc))).toEqual({
      removed: ["    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>"],
      added: ["    <graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'>"],
    });
  });

  it.each(corpus)('%s: random attribute and text edits, reverted, give the original bytes', (_name, xml) => {
    const random = seededRandom(xml.length);
    const doc = parse(xml);
    const elements = allElements(doc.root);
    const pool = ['', 'x', "it's", 'say "hi"', 'a & b < c > d', 'tab\there', 'line\nbreak', 'ünï😀', ']]>', '&amp;'];
    const undo: Array<() => void> = [];
    for (let edit = 0; edit < 40; edit++) {
      const element = random.pick(elements);
      const names = element.attributes.map((attribute) => attribute.name);
      const choice = random.int(3);
      if (choice === 0 && names.length > 0) {
        const name = random.pick(names);
        const before = element.attr(name);
        element.setAttr(name, random.pick(pool));
        undo.push(() => element.setAttr(name, before));
      } else if (choice === 1 && element.children().length === 0 && element.nodes.every((node) => node.kind === 'text')) {
        const before = element.text();
        element.setText(random.pick(pool));
        undo.push(() => element.setText(before));
      } else {
        const name = `vireo-${edit}`;
        element.setAttr(name, random.pick(pool));
        undo.push(() => element.setAttr(name, null));
      }
    }
    const edited = serialize(doc);
    expect(serialize(parse(edited))).toBe(edited);
    for (const revert of undo.toReversed()) revert();
    expect(serialize(doc)).toBe(xml);
  });

  it.each(corpus)('%s: elements appended and removed again give the original bytes', (_name, xml) => {
    const random = seededRandom(xml.length + 1);
    const doc = parse(xml);
    const parents = allElements(doc.root).filter((element) => element.children().length > 0);
    const added = Array.from({ length: 10 }, (_, index) => {
      const parent = random.pick(parents);
      const child = parseElement(`<added-${index} a='1'><inner/></added-${index}>`);
      return random.int(2) === 0 ? parent.append(child) : parent.insertBefore(child, random.pick(parent.children()));
    });
    const edited = serialize(doc);
    expect(serialize(parse(edited))).toBe(edited);
    for (const element of added.toReversed()) element.remove();
    expect(serialize(doc)).toBe(xml);
  });

  it('reads back any value written as an attribute or text', () => {
    const random = seededRandom(7);
    const characters = [...'ab <>&\'"\t\n;#x]]', 'é', '😀'];
    for (let trial = 0; trial < 200; trial++) {
      const value = Array.from({ length: random.int(12) }, () => random.pick(characters)).join('');
      const doc = parse(random.int(2) === 0 ? `<a q="1"><b/></a>` : `<a q='1'><b/></a>`);
      doc.root.setAttr('v', value).child('b')!.setText(value);
      const reparsed = parse(serialize(doc)).root;
      expect(reparsed.attr('v')).toBe(value);
      expect(reparsed.child('b')!.text()).toBe(value);
    }
  });
});
