/** Helpers for the XML model's tests; nothing outside tests imports this (it reads files with Node). */
import { readdirSync, readFileSync } from 'node:fs';

const corpusDirectory = new URL('./corpus/', import.meta.url);

/** The real domain XMLs in corpus/, by file name, exactly as stored. */
export const corpus: ReadonlyArray<readonly [name: string, xml: string]> = readdirSync(corpusDirectory)
  .filter((name) => name.endsWith('.xml'))
  .toSorted()
  .map((name) => [name, readFileSync(new URL(name, corpusDirectory), 'utf8')] as const);

export function corpusFile(name: string): string {
  const found = corpus.find(([file]) => file === name);
  if (found === undefined) throw new Error(`no corpus file ${name}`);
  return found[1];
}

/** Lines only in `before` and lines only in `after`, by a longest-common-subsequence line diff. */
export function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const common = Array.from({ length: a.length + 1 }, () => Array.from<number>({ length: b.length + 1 }).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i]![j + 1]! >= common[i + 1]![j]!)) {
      added.push(b[j++]!);
    } else {
      removed.push(a[i++]!);
    }
  }
  return { removed, added };
}

/** A small seeded PRNG (mulberry32), so property tests are reproducible. */
export function seededRandom(seed: number): { next: () => number; int: (below: number) => number; pick: <T>(items: readonly T[]) => T } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  return { next, int, pick: (items) => items[int(items.length)]! };
}
