/**
 * Element paths, a small XPath subset for finding and creating elements:
 *   devices/disk[@device="cdrom"]/target    child steps, attribute tests
 *   devices/disk[target/@dev="vda"]         tests on a descendant's attribute...
 *   os[type="hvm"]                          ...or on a child's text
 *   os/boot[2]  devices/*[@type]            1-based positions, any name, presence tests
 */
import type { XmlElement } from './document.js';

/** `[2]` picks the second candidate; `[a/@b="v"]` keeps candidates whose a/@b is "v"; `[a]` those that have an a. */
export type PathPredicate =
  | { kind: 'position'; position: number }
  | { kind: 'test'; elements: string[]; attribute: string | undefined; equals: string | undefined };

export interface PathStep {
  /** A qualified name, or '*' for any element. */
  name: string;
  predicates: PathPredicate[];
}

export class XmlPathError extends Error {
  constructor(path: string, reason: string) {
    super(`invalid XML path '${path}': ${reason}`);
    this.name = 'XmlPathError';
  }
}

const PATH_NAME = /[^\s/[\]@='"*]+/y;
const POSITION = /[0-9]+/y;
const compiledPaths = new Map<string, PathStep[]>();
/** Paths are mostly literals, but some embed values (a disk's target); bound the cache for those. */
const COMPILED_PATHS_KEPT = 500;

export function compilePath(path: string): PathStep[] {
  let steps = compiledPaths.get(path);
  if (steps === undefined) {
    steps = new PathParser(path).parse();
    if (compiledPaths.size >= COMPILED_PATHS_KEPT) compiledPaths.clear();
    compiledPaths.set(path, steps);
  }
  return steps;
}

class PathParser {
  private readonly path: string;
  private pos = 0;

  constructor(path: string) {
    this.path = path;
  }

  parse(): PathStep[] {
    const steps = [this.step()];
    while (this.eat('/')) steps.push(this.step());
    if (this.pos < this.path.length) this.fail(`unexpected '${this.path[this.pos]}' at offset ${this.pos}`);
    return steps;
  }

  private step(): PathStep {
    const name = this.eat('*') ? '*' : this.name();
    const predicates: PathPredicate[] = [];
    while (this.eat('[')) {
      predicates.push(this.predicate());
      if (!this.eat(']')) this.fail(`expected ']' at offset ${this.pos}`);
    }
    return { name, predicates };
  }

  private predicate(): PathPredicate {
    const digits = this.match(POSITION);
    if (digits !== undefined) {
      const position = Number(digits);
      if (position < 1) this.fail('positions start at 1');
      return { kind: 'position', position };
    }
    const elements: string[] = [];
    let attribute: string | undefined;
    do {
      if (this.eat('@')) {
        attribute = this.name();
        break;
      }
      elements.push(this.name());
    } while (this.eat('/'));
    const equals = this.eat('=') ? this.literal() : undefined;
    return { kind: 'test', elements, attribute, equals };
  }

  private name(): string {
    return this.match(PATH_NAME) ?? this.fail(`expected a name at offset ${this.pos}`);
  }

  private literal(): string {
    const quote = this.path[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(`expected a quoted value at offset ${this.pos}`);
    const end = this.path.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated quoted value');
    const value = this.path.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.path);
    if (found === null) return undefined;
    this.pos = pattern.lastIndex;
    return found[0];
  }

  private eat(text: string): boolean {
    if (!this.path.startsWith(text, this.pos)) return false;
    this.pos += text.length;
    return true;
  }

  private fail(reason: string): never {
    throw new XmlPathError(this.path, reason);
  }
}

/** The elements `steps` lead to from `from`, in document order. */
export function selectPath(from: XmlElement, steps: readonly PathStep[]): XmlElement[] {
  let current = [from];
  for (const step of steps) current = current.flatMap((element) => selectStep(element, step));
  return current;
}

/** The children of `parent` one step matches. */
export function selectStep(parent: XmlElement, step: PathStep): XmlElement[] {
  let matches = parent.children().filter((child) => step.name === '*' || child.name === step.name);
  for (const predicate of step.predicates) {
    matches =
      predicate.kind === 'position'
        ? matches.slice(predicate.position - 1, predicate.position)
        : matches.filter((candidate) => passesTest(candidate, predicate));
  }
  return matches;
}

function passesTest(candidate: XmlElement, test: Extract<PathPredicate, { kind: 'test' }>): boolean {
  let scope = [candidate];
  for (const name of test.elements) scope = scope.flatMap((element) => element.children().filter((child) => child.name === name));
  const { attribute } = test;
  const values = attribute === undefined ? scope.map((element) => element.text()) : scope.flatMap((element) => element.attr(attribute) ?? []);
  return test.equals === undefined ? values.length > 0 : values.includes(test.equals);
}
