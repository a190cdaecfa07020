/**
 * The XML view of the Overview, CPUs, Memory and Boot Options pages: the top-level <domain>
 * elements the page is about, as they are written in the document, edited as one fragment and put
 * back in place. Elements the fragment does not change keep their bytes, and so does every other
 * part of the document.
 *
 * Which elements belong to which page follows what each page's form edits, widened to the
 * elements of the same topic no form covers (cputune, memtune, numatune...); everything else
 * (features, clock, devices, seclabel...) is edited in the Domain XML. <os> holds both the machine
 * type and firmware (Overview's form) and the boot settings (Boot Options' form) and cannot be
 * split, so it shows on both pages: an edit on either is the same element.
 */
import { escapeAttribute, parse, serialize, serializeStandalone, type XmlElement, type XmlNode, XmlSyntaxError } from '../xml/document.js';
import { DOMAIN_CHILD_ORDER, type DomainConfig } from '../xml/domain.js';
import { type FixedPage, PAGE_LABELS } from './config.js';

export type XmlPage = Exclude<FixedPage, 'performance'>;

export const PAGE_ELEMENTS: Readonly<Record<XmlPage, readonly string[]>> = {
  overview: ['name', 'uuid', 'genid', 'title', 'description', 'metadata', 'os', 'on_poweroff', 'on_reboot', 'on_crash'],
  cpu: ['vcpu', 'vcpus', 'iothreads', 'iothreadids', 'cputune', 'cpu'],
  memory: ['maxMemory', 'memory', 'currentMemory', 'memtune', 'memoryBacking', 'numatune'],
  boot: ['bootloader', 'bootloader_args', 'os'],
};

export const isXmlPage = (page: string): page is XmlPage => Object.hasOwn(PAGE_ELEMENTS, page);

/** Elements a page's fragment may not drop: libvirt needs them, or identifies the VM by them. */
const REQUIRED: Readonly<Record<string, string>> = {
  name: 'the domain needs a name',
  uuid: 'libvirt identifies the VM by it',
  memory: 'the domain needs a memory size',
  os: 'the domain needs an operating system type',
};

/** Why a fragment cannot be put into the document; line and column are the fragment's own. */
export class PageXmlError extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, at?: { line: number; column: number }) {
    super(message);
    this.name = 'PageXmlError';
    this.line = at?.line;
    this.column = at?.column;
  }
}

const pageElements = (config: DomainConfig, page: XmlPage): XmlElement[] =>
  config.element.children().filter((child) => PAGE_ELEMENTS[page].includes(child.name));

/** The page's elements, in document order, each as written (at column 0), one after the other. */
export function pageXml(config: DomainConfig, page: XmlPage): string {
  return pageElements(config, page).map(serializeStandalone).join('\n');
}

/**
 * Puts an edited fragment of the page into the document: each element replaces the one of its name
 * (the nth <x> the nth <x>) where that one is, elements left out are removed, new ones go where
 * libvirt puts them. Throws PageXmlError, changing nothing, for malformed XML, an element of
 * another page, a required element left out, or anything but elements between them.
 */
export function setPageXml(config: DomainConfig, page: XmlPage, fragment: string): void {
  const edited = parseFragment(config, fragment);
  const label = PAGE_LABELS[page];
  for (const node of edited.nodes) {
    if (node.kind === 'element') {
      if (!PAGE_ELEMENTS[page].includes(node.name)) throw new PageXmlError(`<${node.name}> is not part of the ${label} page: ${whereToEdit(node.name)}`, edited.at(node));
    } else if (node.kind !== 'text' || node.written.trim() !== '') {
      throw new PageXmlError(`only elements can be edited here, not ${NODE_NAMES[node.kind]} between them: use the Domain XML`, edited.at(node));
    }
  }
  const current = pageElements(config, page);
  const wanted = edited.nodes.filter((node) => node.kind === 'element');

  for (const element of current) {
    if (REQUIRED[element.name] !== undefined && counterpart(element, wanted, current) === undefined) {
      throw new PageXmlError(`<${element.name}> cannot be removed: ${REQUIRED[element.name]}`);
    }
  }
  // All checked: from here on the document changes.
  for (const element of current) {
    const replacement = counterpart(element, wanted, current);
    if (replacement === undefined) element.remove();
    // Unchanged elements stay untouched, so they keep their bytes (and their place in the layout).
    else if (serialize(replacement) !== serializeStandalone(element)) element.replaceWith(replacement);
  }
  for (const element of wanted) {
    if (counterpart(element, current, wanted) === undefined) config.element.insertOrdered(element, DOMAIN_CHILD_ORDER['domain']!);
  }
}

/** The element of `among` that stands for `element` of `from`: the nth of the same name for the nth. */
function counterpart(element: XmlElement, among: readonly XmlElement[], from: readonly XmlElement[]): XmlElement | undefined {
  const nth = from.filter((other) => other.name === element.name).indexOf(element);
  return among.filter((other) => other.name === element.name)[nth];
}

const NODE_NAMES: Readonly<Record<XmlNode['kind'], string>> = {
  element: 'elements',
  text: 'text',
  cdata: 'CDATA sections',
  comment: 'comments',
  pi: 'processing instructions',
  doctype: 'a DOCTYPE',
};

function whereToEdit(name: string): string {
  const other = (Object.keys(PAGE_ELEMENTS) as XmlPage[]).find((candidate) => PAGE_ELEMENTS[candidate].includes(name));
  return other === undefined ? 'edit it in the Domain XML' : `edit it on the ${PAGE_LABELS[other]} page or in the Domain XML`;
}

/**
 * The fragment's top-level nodes, parsed inside a wrapper element that declares the namespaces
 * <domain> declares (so metadata using them parses as it does in the document), with the
 * fragment's own line and column of any node.
 */
function parseFragment(config: DomainConfig, fragment: string): { nodes: XmlNode[]; at(node: XmlNode): { line: number; column: number } } {
  const declarations = config.element.attributes
    .filter((attribute) => attribute.name === 'xmlns' || attribute.name.startsWith('xmlns:'))
    .map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value, '"')}"`)
    .join('');
  const start = `<fragment${declarations}>`;
  let wrapper: XmlElement;
  try {
    wrapper = parse(`${start}${fragment}</fragment>`).root;
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    const offset = e.offset - start.length;
    // An error in the wrapper's end tag is an element the fragment left open.
    const unclosed = offset >= fragment.length ? /expected <\/([^>]+)>/.exec(e.reason) : null;
    const stray = /^mismatched closing tag (<\/[^>]+>): expected <\/fragment>/.exec(e.reason);
    const reason = unclosed ? `<${unclosed[1]}> is not closed` : stray ? `closing tag ${stray[1]} without an opening tag` : e.reason.replace(/ \(?opened at \d+:\d+\)?/, '');
    throw new PageXmlError(reason, locate(fragment, Math.min(Math.max(offset, 0), fragment.length)));
  }
  // A copy: putting an element into the document takes it out of the wrapper.
  const nodes = [...wrapper.nodes];
  return {
    nodes,
    // The parse is lossless: a node starts where the text of the nodes before it ends.
    at: (node) => locate(fragment, nodes.slice(0, nodes.indexOf(node)).reduce((length, before) => length + serialize(before).length, 0)),
  };
}

/** 1-based line and column of an offset. */
function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  return { line: before.split(/\r\n|\r|\n/).length, column: offset - lineStart + 1 };
}
