/**
 * Typed values stored in XML, declared once per model as a table of fields: each field says where
 * its value lives relative to an element ('name' is a child's text, 'target/@dev' an attribute of a
 * child, '@type' an attribute of the element itself) and how it converts. Writing undefined removes
 * the value and any element left empty by that.
 */
import type { ChildOrder, XmlElement } from './document.js';

export interface Field<T> {
  read(owner: XmlElement): T | undefined;
  /** `order` places elements the write has to create. */
  write(owner: XmlElement, value: T | undefined, order: ChildOrder): void;
}

export type FieldTable = Readonly<Record<string, Field<unknown>>>;
export type FieldValue<F> = F extends Field<infer T> ? T : never;
/** A plain object of a table's values, e.g. for a form's state; absent keys are unset. */
export type FieldValues<T extends FieldTable> = { [K in keyof T]?: FieldValue<T[K]> };

interface Location {
  /** The element holding the value, relative to the owner; undefined: the owner itself. */
  path: string | undefined;
  /** The attribute holding the value; undefined: the element's text. */
  attribute: string | undefined;
}

function parseLocation(location: string): Location {
  const attribute = /^(?:(.*)\/)?@([^/[\]@=]+)$/.exec(location);
  if (attribute === null) return { path: location, attribute: undefined };
  return { path: attribute[1], attribute: attribute[2] };
}

export function readLocation(owner: XmlElement, location: string): string | undefined {
  const { path, attribute } = parseLocation(location);
  const element = path === undefined ? owner : owner.find(path);
  if (element === undefined) return undefined;
  return attribute === undefined ? element.text() : element.attr(attribute);
}

function writeLocation(owner: XmlElement, location: string, text: string | undefined, order: ChildOrder): void {
  const { path, attribute } = parseLocation(location);
  if (text !== undefined) {
    const element = path === undefined ? owner : owner.ensureChild(path, order);
    if (attribute === undefined) element.setText(text);
    else element.setAttr(attribute, text);
    return;
  }
  const element = path === undefined ? owner : owner.find(path);
  if (element === undefined) return;
  if (attribute !== undefined) {
    element.setAttr(attribute, null);
    pruneEmpty(element, owner);
  } else if (element === owner) {
    element.setText('');
  } else {
    const parent = element.parent;
    element.remove();
    if (parent?.kind === 'element') pruneEmpty(parent, owner);
  }
}

/** Removes `element` and then its ancestors below `keep` while they are left with neither attributes nor content. */
export function pruneEmpty(element: XmlElement, keep: XmlElement): void {
  let current: XmlElement = element;
  while (current !== keep && current.attributes.length === 0 && current.nodes.length === 0 && current.parent?.kind === 'element') {
    const parent = current.parent;
    current.remove();
    current = parent;
  }
}

function valueField<T>(location: string, decode: (text: string) => T | undefined, encode: (value: T) => string): Field<T> {
  return {
    read: (owner) => {
      const text = readLocation(owner, location);
      return text === undefined ? undefined : decode(text);
    },
    write: (owner, value, order) => writeLocation(owner, location, value === undefined ? undefined : encode(value), order),
  };
}

/** Any string; T narrows it to the values the schema allows (unchecked when read). */
export const stringField = <T extends string = string>(location: string): Field<T> =>
  valueField(location, (text) => text as T, (value) => value);

/** A decimal or 0x-hex integer, as libvirt accepts them; undefined for anything else. */
export const parseInteger = (text: string | undefined): number | undefined =>
  text !== undefined && /^\s*(?:[+-]?[0-9]+|0x[0-9a-fA-F]+)\s*$/.test(text) ? Number(text) : undefined;

/** An integer, written in decimal. */
export const integerField = (location: string): Field<number> => valueField(location, parseInteger, String);

/** A two-valued attribute such as enable='yes'/'no' or state='on'/'off'. */
export const switchField = (location: string, on = 'yes', off = 'no'): Field<boolean> =>
  valueField(location, (text) => (text === on ? true : text === off ? false : undefined), (value) => (value ? on : off));

/** An element whose presence is the value, like a disk's <readonly/>. */
export const presenceField = (path: string): Field<boolean> => ({
  read: (owner) => owner.find(path) !== undefined,
  write: (owner, value, order) => {
    if (value === true) owner.ensureChild(path, order);
    else writeLocation(owner, path, undefined, order);
  },
});

/** An element and the typed values a field table declares under it. */
export class FieldSet<T extends FieldTable> {
  readonly element: XmlElement;
  private readonly fields: T;
  private readonly order: ChildOrder;

  constructor(element: XmlElement, fields: T, order: ChildOrder) {
    this.element = element;
    this.fields = fields;
    this.order = order;
  }

  get<K extends keyof T>(name: K): FieldValue<T[K]> | undefined {
    return this.fields[name]!.read(this.element) as FieldValue<T[K]> | undefined;
  }

  /** Writes a value; undefined or null removes it. Writing the value get() gives changes nothing, not even its spelling. */
  set<K extends keyof T>(name: K, value: FieldValue<T[K]> | null | undefined): this {
    if (this.get(name) !== (value ?? undefined)) this.fields[name]!.write(this.element, value ?? undefined, this.order);
    return this;
  }

  values(): FieldValues<T> {
    const values: FieldValues<T> = {};
    for (const name of Object.keys(this.fields) as Array<keyof T>) {
      const value = this.get(name);
      if (value !== undefined) values[name] = value;
    }
    return values;
  }

  /** Writes the given keys (an undefined value removes that one) in table order; other values stay. */
  update(values: FieldValues<T>): this {
    for (const name of Object.keys(this.fields) as Array<keyof T>) {
      if (Object.hasOwn(values, name)) this.set(name, values[name]);
    }
    return this;
  }
}
