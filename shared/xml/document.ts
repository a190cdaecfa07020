/**
 * A lossless XML document model. parse() keeps how every node was written (attribute quotes and the
 * whitespace around them, entity spellings, self-closing tags, comments, CDATA, processing
 * instructions, formatting whitespace) so serialize() gives back the source byte for byte; an edit
 * rewrites only the nodes it touches. Dependency-free, no DOM and no Node APIs: it runs in the
 * backend and in the renderer.
 */
import { compilePath, selectPath, selectStep, XmlPathError, type PathStep } from './path.js';

export { XmlPathError } from './path.js';

export type Quote = '"' | "'";
export type XmlNode = XmlElement | XmlText | XmlCData | XmlComment | XmlProcessingInstruction | XmlDocType;
export type XmlParent = XmlElement | XmlDocument;
/** Per parent element name, the order its children conventionally come in; used to place new elements. */
export type ChildOrder = Readonly<Record<string, readonly string[]>>;

/**
 * A parsed value remembers how it was written (its source value and raw text): while the value is
 * unchanged, or changed back, it is written the same way.
 */
const spell = (value: string, sourceValue: string | undefined, sourceRaw: string | undefined, escape: (value: string) => string): string =>
  sourceRaw !== undefined && sourceValue === value ? sourceRaw : escape(value);

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  "'": '&apos;',
  // Literal whitespace in an attribute would be normalized to a space when read back.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export const escapeText = (value: string): string => value.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);

/** Escapes an attribute value for the given quote; the other quote character stays literal. */
export const escapeAttribute = (value: string, quote: Quote): string =>
  value.replace(quote === '"' ? /[&<"\t\n\r]/g : /[&<'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);

export class XmlSyntaxError extends Error {
  readonly reason: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;

  constructor(reason: string, source: string, offset: number) {
    const { line, column } = locate(source, offset);
    super(`${reason} at line ${line}, column ${column}`);
    this.name = 'XmlSyntaxError';
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

/** 1-based line and column (in UTF-16 units) of an offset; \r\n and a lone \r end a line like \n. */
function locate(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

abstract class XmlChildNode {
  parent: XmlParent | null = null;

  /** Detaches the node, with the formatting whitespace that led up to it. */
  remove(): void {
    detach(this as unknown as XmlNode);
  }
}

export class XmlText extends XmlChildNode {
  readonly kind = 'text';
  value: string;
  readonly sourceValue: string | undefined;
  readonly sourceRaw: string | undefined;

  /** sourceRaw: how the parsed text was written, entity references and all. */
  constructor(value: string, sourceRaw?: string) {
    super();
    this.value = value;
    this.sourceValue = sourceRaw === undefined ? undefined : value;
    this.sourceRaw = sourceRaw;
  }

  /** The text as it is written out. */
  get written(): string {
    return spell(this.value, this.sourceValue, this.sourceRaw, escapeText);
  }
}

export class XmlCData extends XmlChildNode {
  readonly kind = 'cdata';
  /** Must not contain ']]>'. */
  value: string;

  constructor(value: string) {
    super();
    this.value = value;
  }
}

export class XmlComment extends XmlChildNode {
  readonly kind = 'comment';
  /** Must not contain '--' nor end with '-'. */
  value: string;

  constructor(value: string) {
    super();
    this.value = value;
  }
}

export class XmlProcessingInstruction extends XmlChildNode {
  readonly kind = 'pi';
  readonly target: string;
  /** The whitespace between target and data. */
  readonly separator: string;
  readonly data: string;

  constructor(target: string, separator: string, data: string) {
    super();
    this.target = target;
    this.separator = separator;
    this.data = data;
  }
}

export class XmlDocType extends XmlChildNode {
  readonly kind = 'doctype';
  /** Everything between '<!DOCTYPE' and the closing '>', internal subset included. */
  readonly body: string;

  constructor(body: string) {
    super();
    this.body = body;
  }
}

export class XmlAttribute {
  readonly name: string;
  value: string;
  /** Whitespace before the name. */
  readonly leading: string;
  /** The '=' with any whitespace around it. */
  readonly equals: string;
  /** undefined: the document's usual quote. */
  readonly quote: Quote | undefined;
  readonly sourceValue: string | undefined;
  readonly sourceRaw: string | undefined;

  /** sourceRaw: how the parsed value was written between its quotes. */
  constructor(name: string, value: string, leading = ' ', equals = '=', quote?: Quote, sourceRaw?: string) {
    this.name = name;
    this.value = value;
    this.leading = leading;
    this.equals = equals;
    this.quote = quote;
    this.sourceValue = sourceRaw === undefined ? undefined : value;
    this.sourceRaw = sourceRaw;
  }
}

export class XmlDocument {
  readonly kind = 'document';
  /** Prolog nodes, the root element and what follows it. */
  readonly nodes: XmlNode[] = [];
  /** Whether the source started with a byte order mark. */
  bom = false;
  /** Quote for attributes added by edits: the one the document's first attribute uses. */
  attributeQuote: Quote = "'";

  get root(): XmlElement {
    const root = this.nodes.find((node) => node.kind === 'element');
    if (root === undefined) throw new Error('the document has no root element');
    return root;
  }

  toString(): string {
    return serialize(this);
  }
}

export class XmlElement extends XmlChildNode {
  readonly kind = 'element';
  /** The qualified name, prefix included. */
  readonly name: string;
  readonly attributes: XmlAttribute[] = [];
  /**
   * Child nodes, formatting whitespace included. Read freely; change them through append, insertBefore,
   * insertAfter, setText and remove, which keep parent links and indentation right.
   */
  readonly nodes: XmlNode[] = [];
  /** Whitespace between the last attribute and '>' or '/>'. */
  startTagEnd = '';
  /** Written as <name/> (rather than <name></name>) while it has no child nodes. */
  selfClosing = true;
  /** Whitespace between the name and '>' of the end tag. */
  endTagEnd = '';

  constructor(name: string) {
    super();
    this.name = name;
  }

  get prefix(): string | undefined {
    const colon = this.name.indexOf(':');
    return colon < 0 ? undefined : this.name.slice(0, colon);
  }

  get localName(): string {
    return this.name.slice(this.name.indexOf(':') + 1);
  }

  /** The namespace URI of the element's name, declared on it or on an ancestor. */
  get namespaceUri(): string | undefined {
    return this.lookupNamespace(this.prefix);
  }

  lookupNamespace(prefix: string | undefined): string | undefined {
    if (prefix === 'xml') return XML_NAMESPACE;
    const declaration = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
    const uri = this.attr(declaration) ?? parentElement(this)?.lookupNamespace(prefix);
    return uri === '' ? undefined : uri;
  }

  attr(name: string): string | undefined {
    return this.attributes.find((attribute) => attribute.name === name)?.value;
  }

  hasAttr(name: string): boolean {
    return this.attributes.some((attribute) => attribute.name === name);
  }

  /** Sets an attribute, in place if it exists, else after the others; null or undefined removes it. */
  setAttr(name: string, value: string | number | null | undefined): this {
    const index = this.attributes.findIndex((attribute) => attribute.name === name);
    if (value === null || value === undefined) {
      if (index >= 0) this.attributes.splice(index, 1);
      return this;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`attribute '${name}' cannot be ${value}`);
    const text = String(value);
    const existing = this.attributes[index];
    if (existing !== undefined) {
      existing.value = text;
      return this;
    }
    assertName(name);
    const last = this.attributes.at(-1);
    // Attributes laid out one per line get the new one on a line of its own too.
    const leading = last !== undefined && /[\r\n]/.test(last.leading) ? last.leading : ' ';
    this.attributes.push(new XmlAttribute(name, text, leading, '=', this.attributes[0]?.quote));
    return this;
  }

  /** Element children, all or those one path step matches: children(), children('disk'), children('disk[@device="cdrom"]'). */
  children(step?: string): XmlElement[] {
    if (step === undefined) return this.nodes.filter((node) => node.kind === 'element');
    const [only, ...rest] = compilePath(step);
    if (only === undefined || rest.length > 0) throw new XmlPathError(step, 'expected a single step');
    return selectStep(this, only);
  }

  /** The first child one path step matches. */
  child(step: string): XmlElement | undefined {
    return this.children(step)[0];
  }

  /** The first element a path leads to: find('devices/disk[@device="cdrom"]/target'). */
  find(path: string): XmlElement | undefined {
    return selectPath(this, compilePath(path))[0];
  }

  findAll(path: string): XmlElement[] {
    return selectPath(this, compilePath(path));
  }

  /**
   * The element a path leads to, creating what is missing: ensureChild('os/boot'). A missing step is
   * created with the values its predicates test (disk[@device="cdrom"] gets device='cdrom') and placed by
   * `order` when it names the parent, else appended.
   */
  ensureChild(path: string, order?: ChildOrder): XmlElement {
    return ensurePath(this, path, order);
  }

  /** The text of the element's own text and CDATA children. */
  text(): string {
    return this.nodes.map((node) => (node.kind === 'text' || node.kind === 'cdata' ? node.value : '')).join('');
  }

  /**
   * Replaces the content with a text. A lone text or CDATA child is updated in place, keeping its
   * spelling, so setting the original value back restores the original bytes.
   */
  setText(value: string): this {
    const [only, ...rest] = this.nodes;
    if (rest.length === 0 && value !== '' && (only?.kind === 'text' || (only?.kind === 'cdata' && !value.includes(']]>')))) {
      only.value = value;
      return this;
    }
    for (const node of this.nodes) node.parent = null;
    this.nodes.length = 0;
    if (value !== '') adopt(this, new XmlText(value), 0);
    return this;
  }

  /** Appends after the last child, indented like the other children. */
  append<T extends XmlNode>(node: T): T {
    const last = this.nodes.findLast((child) => !isFormatting(child));
    return last === undefined ? insertIntoEmpty(this, node) : insertBeside(this, node, last, 'after');
  }

  insertBefore<T extends XmlNode>(node: T, reference: XmlNode): T {
    return insertBeside(this, node, reference, 'before');
  }

  insertAfter<T extends XmlNode>(node: T, reference: XmlNode): T {
    return insertBeside(this, node, reference, 'after');
  }

  /**
   * Inserts an element where `order` (child names in their conventional order) puts it: after the
   * last child ranked the same or earlier, else before the first ranked later; unranked names are appended.
   */
  insertOrdered(element: XmlElement, order: readonly string[]): XmlElement {
    const rank = order.indexOf(element.name);
    const ranked = rank < 0 ? [] : this.children().filter((child) => order.includes(child.name));
    const earlier = ranked.findLast((child) => order.indexOf(child.name) <= rank);
    if (earlier !== undefined) return this.insertAfter(element, earlier);
    const later = ranked.find((child) => order.indexOf(child.name) > rank);
    return later === undefined ? this.append(element) : this.insertBefore(element, later);
  }

  /** Puts `node` where this element is, with the same indentation. */
  replaceWith<T extends XmlNode>(node: T): T {
    const parent = parentElement(this);
    if (parent === undefined) throw new Error(`<${this.name}> has no parent element to be replaced in`);
    parent.insertBefore(node, this);
    this.remove();
    return node;
  }

  override toString(): string {
    return serialize(this);
  }
}

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

const parentElement = (node: XmlChildNode): XmlElement | undefined => (node.parent instanceof XmlElement ? node.parent : undefined);

/** A new element; undefined and null attribute values are skipped. */
export function createElement(name: string, attributes: Record<string, string | number | null | undefined> = {}): XmlElement {
  assertName(name);
  const element = new XmlElement(name);
  for (const [attribute, value] of Object.entries(attributes)) element.setAttr(attribute, value);
  return element;
}

export function createComment(value: string): XmlComment {
  if (value.includes('--') || value.endsWith('-')) throw new Error(`a comment cannot contain '--' or end with '-': ${JSON.stringify(value)}`);
  return new XmlComment(value);
}

function ensurePath(from: XmlElement, path: string, order: ChildOrder | undefined): XmlElement {
  const steps = compilePath(path);
  let current = from;
  for (const [index, step] of steps.entries()) {
    const found = selectStep(current, step)[0];
    if (found === undefined) {
      // Build the rest detached, so a step that cannot be created leaves the document unchanged.
      const top = createFromStep(path, step, order);
      let leaf = top;
      for (const next of steps.slice(index + 1)) {
        leaf = selectStep(leaf, next)[0] ?? leaf.insertOrdered(createFromStep(path, next, order), order?.[leaf.name] ?? []);
      }
      current.insertOrdered(top, order?.[current.name] ?? []);
      return leaf;
    }
    current = found;
  }
  return current;
}

function createFromStep(path: string, step: PathStep, order: ChildOrder | undefined): XmlElement {
  if (step.name === '*') throw new XmlPathError(path, "cannot create an element for '*'");
  const element = createElement(step.name);
  for (const predicate of step.predicates) {
    if (predicate.kind === 'position') {
      if (predicate.position !== 1) throw new XmlPathError(path, `cannot create <${step.name}> number ${predicate.position}`);
      continue;
    }
    if (predicate.equals === undefined) throw new XmlPathError(path, `cannot create <${step.name}> without a value to test`);
    const target = predicate.elements.length === 0 ? element : element.ensureChild(predicate.elements.join('/'), order);
    if (predicate.attribute === undefined) target.setText(predicate.equals);
    else target.setAttr(predicate.attribute, predicate.equals);
  }
  return element;
}

// XML 1.0 name characters; element and attribute names are checked as qualified names (prefix:local).
const NAME_START_CHARS =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHARS = `${NAME_START_CHARS}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const LOCAL_NAME = `[${NAME_START_CHARS}][${NAME_CHARS}]*`;
const QUALIFIED_NAME = new RegExp(`^${LOCAL_NAME}(?::${LOCAL_NAME})?$`, 'u');
/** Any XML name, colons anywhere; the parser reports misplaced colons itself, with a better message. */
const NAME = new RegExp(`[:${NAME_START_CHARS}][:${NAME_CHARS}]*`, 'uy');

function assertName(name: string): void {
  if (!QUALIFIED_NAME.test(name)) throw new Error(`'${name}' is not a valid XML name`);
}

// ---------------------------------------------------------------------------------------------
// Tree edits and formatting

/** The whitespace of a whitespace-only text (indentation, line breaks between elements), as written. */
function formatting(node: XmlNode | undefined): string | undefined {
  return node?.kind === 'text' && WHITESPACE_ONLY.test(node.written) ? node.written : undefined;
}

const WHITESPACE_ONLY = /^[ \t\r\n]+$/;

const isFormatting = (node: XmlNode): boolean => formatting(node) !== undefined;

function adopt(parent: XmlParent, node: XmlNode, index: number, ...more: XmlNode[]): void {
  if (index === parent.nodes.length && more.length === 0) parent.nodes.push(node);
  else parent.nodes.splice(index, 0, node, ...more);
  node.parent = parent;
  for (const child of more) child.parent = parent;
}

function detach(node: XmlNode): void {
  const parent = node.parent;
  if (parent === null) return;
  const index = parent.nodes.indexOf(node);
  const before = parent.nodes[index - 1];
  const start = node.kind !== 'text' && formatting(before) !== undefined ? index - 1 : index;
  for (const removed of parent.nodes.splice(start, index - start + 1)) removed.parent = null;
  // Only formatting left: drop it, so the element is written empty.
  if (parent.kind === 'element' && parent.nodes.every(isFormatting)) {
    for (const removed of parent.nodes.splice(0)) removed.parent = null;
  }
}

/** Refuses inserting a node into itself or its own subtree, and detaches it from where it was. */
function prepareInsert(parent: XmlElement, node: XmlNode): void {
  for (let ancestor: XmlParent | null = parent; ancestor !== null; ancestor = ancestor.kind === 'element' ? ancestor.parent : null) {
    if (ancestor === node) throw new Error(`cannot insert <${parent.name}> or an ancestor of it into <${parent.name}>`);
  }
  detach(node);
}

function insertBeside<T extends XmlNode>(parent: XmlElement, node: T, reference: XmlNode, side: 'before' | 'after'): T {
  if (reference === node) throw new Error('cannot insert a node beside itself');
  prepareInsert(parent, node);
  const index = parent.nodes.indexOf(reference);
  if (reference.parent !== parent || index < 0) throw new Error(`the reference node is not a child of <${parent.name}>`);
  // The whitespace before the reference separates siblings here; repeat it for the new node.
  const separator = formatting(parent.nodes[index - 1]);
  if (node.kind === 'element') formatSubtree(node, separator === undefined ? undefined : indentAfterNewline(separator), layoutOf(parent));
  if (separator === undefined) adopt(parent, node, side === 'before' ? index : index + 1);
  else if (side === 'before') adopt(parent, node, index, new XmlText(separator));
  else adopt(parent, new XmlText(separator), index + 1, node);
  return node;
}

/** Into an element with no content but formatting: one level deeper than the parent. */
function insertIntoEmpty<T extends XmlNode>(parent: XmlElement, node: T): T {
  prepareInsert(parent, node);
  for (const removed of parent.nodes.splice(0)) removed.parent = null;
  const layout = layoutOf(parent);
  if (layout === undefined) {
    adopt(parent, node, 0);
    return node;
  }
  const parentIndent = indentOf(parent);
  const childIndent = parentIndent + layout.unit;
  if (node.kind === 'element') formatSubtree(node, childIndent, layout);
  adopt(parent, new XmlText(layout.newline + childIndent), 0, node, new XmlText(layout.newline + parentIndent));
  return node;
}

interface Layout {
  newline: string;
  /** One level of indentation. */
  unit: string;
}

const DEFAULT_LAYOUT: Layout = { newline: '\n', unit: '  ' };

const indentAfterNewline = (whitespace: string): string | undefined => {
  const newline = whitespace.lastIndexOf('\n');
  return newline < 0 ? undefined : whitespace.slice(newline + 1);
};

/** The indentation of an element's own line ('' for the root and for elements not on a line of their own). */
function indentOf(element: XmlElement): string {
  const siblings = element.parent?.nodes ?? [];
  const before = formatting(siblings[siblings.indexOf(element) - 1]);
  return element.parent?.kind === 'element' && before !== undefined ? (indentAfterNewline(before) ?? '') : '';
}

/**
 * How the document around `node` is laid out: its line break and indentation unit, read from the
 * first nested element that is indented deeper than its parent. undefined for a document written
 * on one line; the default layout for elements not in a document yet.
 */
function layoutOf(node: XmlElement): Layout | undefined {
  let top: XmlElement = node;
  while (top.parent?.kind === 'element') top = top.parent;
  if (top.parent === null) return DEFAULT_LAYOUT;
  let newline: string | undefined;
  let unit: string | undefined;
  // Breadth first: the outer levels are the most telling.
  const queue: Array<{ element: XmlElement; indent: string }> = [{ element: top, indent: '' }];
  for (let next = 0; next < queue.length && unit === undefined; next++) {
    const item = queue[next]!;
    let separator: string | undefined;
    for (const child of item.element.nodes) {
      const whitespace = formatting(child);
      if (whitespace !== undefined) {
        separator = whitespace;
        newline ??= separator.includes('\r\n') ? '\r\n' : separator.includes('\n') ? '\n' : undefined;
        continue;
      }
      if (child.kind === 'element') {
        const indent = separator === undefined ? undefined : indentAfterNewline(separator);
        if (indent !== undefined && indent.length > item.indent.length && indent.startsWith(item.indent)) {
          unit ??= indent.slice(item.indent.length);
        }
        queue.push({ element: child, indent: indent ?? item.indent });
      }
      separator = undefined;
    }
  }
  return newline === undefined ? undefined : { newline, unit: unit ?? DEFAULT_LAYOUT.unit };
}

/**
 * Lays out an element's subtree for where it is being put: each element whose content is only
 * markup gets one child per line at `indent` plus one unit per level (or none at all in a one-line
 * document). Text content is left as it is.
 */
function formatSubtree(root: XmlElement, indent: string | undefined, layout: Layout | undefined): void {
  const pending: Array<{ element: XmlElement; indent: string | undefined }> = [{ element: root, indent }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const markup = item.element.nodes.filter((node) => !isFormatting(node));
    const isMarkupOnly = markup.some((node) => node.kind === 'element') && markup.every((node) => node.kind !== 'text' && node.kind !== 'cdata');
    if (!isMarkupOnly) continue;
    const own = item.indent;
    const inner = own === undefined || layout === undefined ? undefined : own + layout.unit;
    for (const node of item.element.nodes.splice(0)) node.parent = null;
    for (const node of markup) {
      if (inner !== undefined) adopt(item.element, new XmlText(layout!.newline + inner), item.element.nodes.length);
      adopt(item.element, node, item.element.nodes.length);
      if (node.kind === 'element') pending.push({ element: node, indent: inner });
    }
    if (own !== undefined && layout !== undefined) adopt(item.element, new XmlText(layout.newline + own), item.element.nodes.length);
  }
}

// ---------------------------------------------------------------------------------------------
// Serialization

interface WriteOptions {
  quote: Quote;
  /** Removed after each line break of formatting whitespace, to write a nested element standalone. */
  dedent?: string;
  /** Namespace declarations the top element needs when written standalone. */
  declarations?: XmlAttribute[];
}

/** The XML text of a document or node; unchanged nodes are written exactly as they were parsed. */
export function serialize(node: XmlDocument | XmlNode): string {
  return write(node, { quote: documentOf(node)?.attributeQuote ?? "'" });
}

/**
 * An element as a document of its own, e.g. a device for attach/detach calls: its indentation moved
 * to column 0 and namespace prefixes it inherits declared on it.
 */
export function serializeStandalone(element: XmlElement): string {
  const declarations = [...usedPrefixes(element)].flatMap((prefix) => {
    const uri = element.lookupNamespace(prefix);
    const name = prefix === undefined ? 'xmlns' : `xmlns:${prefix}`;
    return uri === undefined || element.hasAttr(name) ? [] : [new XmlAttribute(name, uri)];
  });
  return write(element, { quote: documentOf(element)?.attributeQuote ?? "'", dedent: indentOf(element), declarations });
}

/** Namespace prefixes used in a subtree that no element of the subtree declares. */
function usedPrefixes(root: XmlElement): Set<string | undefined> {
  const used = new Set<string | undefined>();
  const declared = new Set<string | undefined>();
  const pending = [root];
  for (let element = pending.pop(); element !== undefined; element = pending.pop()) {
    used.add(element.prefix);
    for (const { name } of element.attributes) {
      if (name === 'xmlns') declared.add(undefined);
      else if (name.startsWith('xmlns:')) declared.add(name.slice(6));
      else if (name.includes(':')) used.add(name.slice(0, name.indexOf(':')));
    }
    pending.push(...element.children());
  }
  used.delete('xml');
  for (const prefix of declared) used.delete(prefix);
  return used;
}

function documentOf(node: XmlDocument | XmlNode): XmlDocument | undefined {
  let current: XmlDocument | XmlNode | null = node;
  while (current !== null && current.kind !== 'document') current = current.parent;
  return current ?? undefined;
}

function write(top: XmlDocument | XmlNode, options: WriteOptions): string {
  const out: string[] = [];
  if (top.kind === 'document' && top.bom) out.push('\uFEFF');
  // Iterative, so nesting depth is not limited by the call stack.
  const pending: Array<XmlDocument | XmlNode | string> = [top];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    switch (item.kind) {
      case 'document':
        pending.push(...item.nodes.toReversed());
        break;
      case 'element': {
        const extra = item === top ? (options.declarations ?? []) : [];
        out.push('<', item.name);
        for (const attribute of [...item.attributes, ...extra]) {
          const quote = attribute.quote ?? options.quote;
          const raw = spell(attribute.value, attribute.sourceValue, attribute.sourceRaw, (value) => escapeAttribute(value, quote));
          out.push(attribute.leading, attribute.name, attribute.equals, quote, raw, quote);
        }
        out.push(item.startTagEnd);
        if (item.nodes.length === 0 && item.selfClosing) {
          out.push('/>');
        } else {
          out.push('>');
          pending.push(`</${item.name}${item.endTagEnd}>`, ...item.nodes.toReversed());
        }
        break;
      }
      case 'text': {
        const { dedent } = options;
        const whitespace = dedent ? formatting(item) : undefined;
        out.push(whitespace === undefined ? item.written : whitespace.replaceAll(`\n${dedent}`, '\n'));
        break;
      }
      case 'cdata':
        out.push('<![CDATA[', item.value, ']]>');
        break;
      case 'comment':
        out.push('<!--', item.value, '-->');
        break;
      case 'pi':
        out.push('<?', item.target, item.separator, item.data, '?>');
        break;
      case 'doctype':
        out.push('<!DOCTYPE', item.body, '>');
        break;
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses a well-formed XML document (XML 1.0 with namespaces; no DTD-declared entities). */
export function parse(text: string): XmlDocument {
  return new Parser(text).parseDocument();
}

/** Parses a snippet holding one element, e.g. a device, and returns that element detached. */
export function parseElement(text: string): XmlElement {
  const root = parse(text).root;
  root.remove();
  return root;
}

const NOT_XML_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const WHITESPACE = /[ \t\r\n]*/y;
const XML_DECLARATION = /^version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*$/;
const NEEDS_DECODING_IN_TEXT = /[&\r]/;
const NEEDS_DECODING_IN_ATTRIBUTE = /[&\t\n\r]/;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface OpenElement {
  element: XmlElement;
  /** Offset of its '<', for messages about it. */
  start: number;
  /** Namespace prefixes in scope inside it. */
  prefixes: ReadonlySet<string>;
}

class Parser {
  private readonly src: string;
  private readonly doc = new XmlDocument();
  private pos = 0;
  private sawAttribute = false;

  constructor(src: string) {
    this.src = src;
  }

  parseDocument(): XmlDocument {
    const doc = this.doc;
    const invalid = NOT_XML_CHARACTER.exec(this.src);
    if (invalid !== null) {
      const code = invalid[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      this.fail(invalid.index, `invalid character U+${code}`);
    }
    if (this.src.startsWith('\uFEFF')) {
      doc.bom = true;
      this.pos = 1;
    }
    if (/^<\?xml[ \t\r\n?]/.test(this.src.slice(this.pos, this.pos + 6))) this.declaration(doc);
    let hasRoot = false;
    while (this.pos < this.src.length) {
      const start = this.pos;
      if (this.src[start] !== '<') {
        const end = this.indexOrEnd('<', start);
        const text = this.src.slice(start, end);
        const nonSpace = text.search(/[^ \t\r\n]/);
        if (nonSpace >= 0) this.fail(start + nonSpace, hasRoot ? 'text after the root element' : 'text before the root element');
        adopt(doc, new XmlText(text, text), doc.nodes.length);
        this.pos = end;
      } else if (this.src.startsWith('<!--', start)) {
        adopt(doc, this.comment(), doc.nodes.length);
      } else if (this.src.startsWith('<?', start)) {
        adopt(doc, this.processingInstruction(), doc.nodes.length);
      } else if (this.src.startsWith('<!DOCTYPE', start)) {
        if (hasRoot || doc.nodes.some((node) => node.kind === 'doctype')) this.fail(start, 'a DOCTYPE is only allowed once, before the root element');
        adopt(doc, this.doctype(), doc.nodes.length);
      } else if (this.src.startsWith('<![CDATA[', start)) {
        this.fail(start, 'CDATA section outside the root element');
      } else if (this.src.startsWith('</', start)) {
        this.fail(start, `closing tag </${this.nameAt(start + 2) ?? ''}> without an opening tag`);
      } else {
        if (hasRoot) this.fail(start, `a second root element <${this.nameAt(start + 1) ?? ''}>: a document has one root element`);
        this.rootElement(doc);
        hasRoot = true;
      }
    }
    if (!hasRoot) this.fail(this.pos, this.src.trim() === '' ? 'the document is empty' : 'the document has no root element');
    return doc;
  }

  private declaration(doc: XmlDocument): void {
    const start = this.pos;
    const declaration = this.processingInstruction(true);
    if (!XML_DECLARATION.test(declaration.data)) this.fail(start, 'malformed XML declaration');
    adopt(doc, declaration, doc.nodes.length);
  }

  /** The root element and everything inside it, with an explicit stack instead of recursion. */
  private rootElement(doc: XmlDocument): void {
    const open: OpenElement[] = [];
    let prefixes: ReadonlySet<string> = new Set(['xml', 'xmlns']);
    const openElement = (parent: XmlParent): void => {
      const start = this.pos;
      const element = this.startTag(prefixes);
      adopt(parent, element.element, parent.nodes.length);
      if (!element.element.selfClosing) {
        open.push({ ...element, start });
        prefixes = element.prefixes;
      }
    };
    openElement(doc);
    while (open.length > 0) {
      const current = open.at(-1)!;
      const parent = current.element;
      const start = this.pos;
      if (start >= this.src.length) {
        const opened = locate(this.src, current.start);
        this.fail(start, `unclosed tag '${parent.name}' opened at ${opened.line}:${opened.column}`);
      }
      if (this.src[start] !== '<') {
        adopt(parent, this.text(), parent.nodes.length);
      } else if (this.src.startsWith('</', start)) {
        this.endTag(current);
        open.pop();
        prefixes = open.at(-1)?.prefixes ?? prefixes;
      } else if (this.src.startsWith('<!--', start)) {
        adopt(parent, this.comment(), parent.nodes.length);
      } else if (this.src.startsWith('<![CDATA[', start)) {
        adopt(parent, this.cdata(), parent.nodes.length);
      } else if (this.src.startsWith('<?', start)) {
        adopt(parent, this.processingInstruction(), parent.nodes.length);
      } else if (this.src.startsWith('<!', start)) {
        this.fail(start, this.src.startsWith('<!DOCTYPE', start) ? 'a DOCTYPE is not allowed inside an element' : "unexpected '<!'");
      } else {
        openElement(parent);
      }
    }
  }

  private startTag(inScope: ReadonlySet<string>): { element: XmlElement; prefixes: ReadonlySet<string> } {
    const start = this.pos;
    this.pos++;
    const name = this.name('an element name after "<"');
    const element = new XmlElement(name);
    for (;;) {
      const leading = this.whitespace();
      if (this.pos >= this.src.length) this.fail(this.pos, `unexpected end of input in the tag <${name}>`);
      if (this.src[this.pos] === '>' || this.src.startsWith('/>', this.pos)) {
        element.startTagEnd = leading;
        element.selfClosing = this.src[this.pos] === '/';
        this.pos += element.selfClosing ? 2 : 1;
        break;
      }
      if (this.nameAt(this.pos) === undefined) this.fail(this.pos, `unexpected character '${this.src[this.pos]}' in the tag <${name}>`);
      if (leading === '') this.fail(this.pos, `attributes must be separated by whitespace in the tag <${name}>`);
      const attributeStart = this.pos;
      const attribute = this.attribute(leading);
      if (element.hasAttr(attribute.name)) this.fail(attributeStart, `duplicate attribute '${attribute.name}' in the tag <${name}>`);
      element.attributes.push(attribute);
    }
    return { element, prefixes: this.checkNamespaces(element, start, inScope) };
  }

  private attribute(leading: string): XmlAttribute {
    const name = this.name('an attribute name');
    const equalsStart = this.pos;
    this.whitespace();
    if (this.src[this.pos] !== '=') this.fail(this.pos, `attribute '${name}' has no value`);
    this.pos++;
    this.whitespace();
    const equals = this.src.slice(equalsStart, this.pos);
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(this.pos, `the value of attribute '${name}' must be in quotes`);
    const valueStart = this.pos + 1;
    const end = this.src.indexOf(quote, valueStart);
    if (end < 0) this.fail(this.pos, `unterminated value of attribute '${name}'`);
    const raw = this.src.slice(valueStart, end);
    const lessThan = raw.indexOf('<');
    if (lessThan >= 0) this.fail(valueStart + lessThan, `'<' is not allowed in the value of attribute '${name}'`);
    const value = this.decode(raw, valueStart, true);
    this.pos = end + 1;
    if (!this.sawAttribute) {
      this.sawAttribute = true;
      this.doc.attributeQuote = quote;
    }
    return new XmlAttribute(name, value, leading, equals, quote, raw);
  }

  /** The prefixes in scope inside the element, after checking its own names use declared ones. */
  private checkNamespaces(element: XmlElement, start: number, inScope: ReadonlySet<string>): ReadonlySet<string> {
    if (!element.name.includes(':') && !element.attributes.some((attribute) => attribute.name.includes(':'))) return inScope;
    let prefixes = inScope;
    const declared = element.attributes.filter((attribute) => attribute.name.startsWith('xmlns:'));
    for (const declaration of declared) {
      if (declaration.value === '') this.fail(start, `namespace prefix '${declaration.name.slice(6)}' cannot be declared empty`);
    }
    if (declared.length > 0) prefixes = new Set([...inScope, ...declared.map((declaration) => declaration.name.slice(6))]);
    for (const name of [element.name, ...element.attributes.map((attribute) => attribute.name)]) {
      const parts = name.split(':');
      if (parts.length > 2 || parts.includes('')) this.fail(start, `'${name}' is not a valid qualified name`);
      if (parts.length === 2 && !prefixes.has(parts[0]!)) this.fail(start, `namespace prefix '${parts[0]}' of '${name}' is not declared`);
    }
    return prefixes;
  }

  private endTag(current: OpenElement): void {
    const start = this.pos;
    this.pos += 2;
    const name = this.name('an element name after "</"');
    const trailing = this.whitespace();
    if (this.src[this.pos] !== '>') this.fail(this.pos, `expected '>' to end </${name}>`);
    if (name !== current.element.name) {
      const opened = locate(this.src, current.start);
      this.fail(start, `mismatched closing tag </${name}>: expected </${current.element.name}> (opened at ${opened.line}:${opened.column})`);
    }
    current.element.endTagEnd = trailing;
    // Only an element written empty as <x></x> keeps that form once emptied; one that had content closes as <x/>.
    current.element.selfClosing = current.element.nodes.length > 0;
    this.pos++;
  }

  private text(): XmlText {
    const start = this.pos;
    const end = this.indexOrEnd('<', start);
    const raw = this.src.slice(start, end);
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) this.fail(start + cdataEnd, "']]>' is not allowed in text");
    const value = this.decode(raw, start, false);
    this.pos = end;
    return new XmlText(value, raw);
  }

  private comment(): XmlComment {
    const start = this.pos;
    const end = this.src.indexOf('-->', start + 4);
    if (end < 0) this.fail(start, 'unterminated comment');
    const value = this.src.slice(start + 4, end);
    const doubleHyphen = value.indexOf('--');
    if (doubleHyphen >= 0) this.fail(start + 4 + doubleHyphen, "'--' is not allowed inside a comment");
    if (value.endsWith('-')) this.fail(end - 1, "a comment cannot end with '--->'");
    this.pos = end + 3;
    return new XmlComment(value);
  }

  private cdata(): XmlCData {
    const start = this.pos;
    const end = this.src.indexOf(']]>', start + 9);
    if (end < 0) this.fail(start, 'unterminated CDATA section');
    this.pos = end + 3;
    return new XmlCData(this.src.slice(start + 9, end));
  }

  private processingInstruction(isDeclaration = false): XmlProcessingInstruction {
    const start = this.pos;
    this.pos += 2;
    const target = this.name('a processing instruction target');
    if (!isDeclaration && target.toLowerCase() === 'xml') this.fail(start, 'the XML declaration is only allowed at the very start of the document');
    const separator = this.whitespace();
    const end = this.src.indexOf('?>', this.pos);
    if (end < 0) this.fail(start, 'unterminated processing instruction');
    if (separator === '' && end !== this.pos) this.fail(this.pos, `expected whitespace after the processing instruction target '${target}'`);
    const data = this.src.slice(this.pos, end);
    this.pos = end + 2;
    return new XmlProcessingInstruction(target, separator, data);
  }

  /** Kept as written; quoted literals and comments in the internal subset may contain '>'. */
  private doctype(): XmlDocType {
    const start = this.pos;
    const bodyStart = start + '<!DOCTYPE'.length;
    if (!/[ \t\r\n]/.test(this.src[bodyStart] ?? '')) this.fail(bodyStart, "expected whitespace after '<!DOCTYPE'");
    let inSubset = false;
    for (let i = bodyStart; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '"' || c === "'") {
        i = this.src.indexOf(c, i + 1);
        if (i < 0) break;
      } else if (inSubset && this.src.startsWith('<!--', i)) {
        i = this.src.indexOf('-->', i + 4);
        if (i < 0) break;
      } else if (c === '[' || c === ']') {
        inSubset = c === '[';
      } else if (c === '>' && !inSubset) {
        this.pos = i + 1;
        return new XmlDocType(this.src.slice(bodyStart, i));
      }
    }
    return this.fail(start, 'unterminated DOCTYPE');
  }

  /** Resolves character and predefined entity references and normalizes line breaks (and, in attributes, whitespace). */
  private decode(raw: string, offset: number, isAttribute: boolean): string {
    if (!(isAttribute ? NEEDS_DECODING_IN_ATTRIBUTE : NEEDS_DECODING_IN_TEXT).test(raw)) return raw;
    const normalize = (part: string): string => {
      const lines = part.replace(/\r\n?/g, '\n');
      return isAttribute ? lines.replace(/[\t\n]/g, ' ') : lines;
    };
    let value = '';
    let done = 0;
    for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', done)) {
      value += normalize(raw.slice(done, amp));
      const semicolon = raw.indexOf(';', amp);
      const reference = semicolon < 0 ? undefined : raw.slice(amp + 1, semicolon);
      value += this.resolveReference(reference, offset + amp);
      done = semicolon + 1;
    }
    return value + normalize(raw.slice(done));
  }

  private resolveReference(reference: string | undefined, offset: number): string {
    if (reference !== undefined && reference.startsWith('#')) {
      const digits = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(reference);
      if (digits === null) this.fail(offset, `malformed character reference '&${reference};'`);
      const code = digits[1] === undefined ? Number(digits[2]) : parseInt(digits[1], 16);
      const char = code <= 0x10ffff ? String.fromCodePoint(code) : '';
      if (char === '' || NOT_XML_CHARACTER.test(char)) this.fail(offset, `character reference '&${reference};' is not an allowed XML character`);
      return char;
    }
    const predefined = reference === undefined ? undefined : PREDEFINED_ENTITIES[reference];
    if (predefined !== undefined) return predefined;
    if (reference !== undefined && this.nameAt(0, reference) === reference) this.fail(offset, `unknown entity '&${reference};'`);
    return this.fail(offset, "'&' must be written as '&amp;'");
  }

  private name(expected: string): string {
    const name = this.nameAt(this.pos);
    if (name === undefined) this.fail(this.pos, `expected ${expected}`);
    this.pos += name.length;
    return name;
  }

  private nameAt(offset: number, text = this.src): string | undefined {
    NAME.lastIndex = offset;
    return NAME.exec(text)?.[0];
  }

  private whitespace(): string {
    WHITESPACE.lastIndex = this.pos;
    const found = WHITESPACE.exec(this.src)![0];
    this.pos += found.length;
    return found;
  }

  private indexOrEnd(search: string, from: number): number {
    const index = this.src.indexOf(search, from);
    return index < 0 ? this.src.length : index;
  }

  private fail(offset: number, reason: string): never {
    throw new XmlSyntaxError(reason, this.src, offset);
  }
}
