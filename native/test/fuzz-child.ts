// Throws random arguments at every function of the binding, in a child process so that a
// crash (segfault, abort) shows up as a failed exit status instead of killing the runner.
// Prints one JSON line: {seed, calls, rejected, resolved, threw}.
import { loadBinding } from '../index.js';

const seed = Number(process.argv[2] ?? Date.now() % 1_000_000);
const rounds = Number(process.argv[3] ?? 20);
let state = seed >>> 0 || 1;
function rand(n: number): number {
  // xorshift32: reproducible from the printed seed
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}

const lv = loadBinding() as unknown as Record<string, unknown>;
const binding = loadBinding();
// Never fuzz open() with random strings: a random URI could name a remote host.
const skip = new Set(['open']);

async function main(): Promise<void> {
  const conn = await binding.open('test:///default');
  const closed = await binding.open('test:///default');
  await binding.close(closed);
  const samples: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => conn,
    () => closed,
    () => ({}),
    () => ({ __vireoConnection: 42 }),
    () => [],
    () => [1, 'a', null],
    () => rand(2) === 0,
    () => rand(1000),
    () => -1,
    () => 2 ** 53,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => 1.5,
    () => 10n ** 30n,
    () => '',
    () => 'test',
    () => '6695eb01-f6a4-8304-79aa-97f2502e193f',
    () => 'x'.repeat(rand(5000)),
    () => 'a\u0000b',
    () => '<domain type="test"><name>fuzz' + rand(1e6) + '</name><memory>1024</memory><os><type>hvm</type></os></domain>',
    () => '<not-closed',
    () => Buffer.alloc(rand(64)),
    () => () => undefined,
    () => Symbol('s'),
    () => ({ live: 'yes', config: 3, validate: true, force: true }),
    () => ({ cap: 'nonsense', domains: [1, 2] }),
  ];
  const pick = () => samples[rand(samples.length)]!();
  const names = Object.keys(lv).filter((k) => typeof lv[k] === 'function' && !skip.has(k)).toSorted();
  let calls = 0;
  let rejected = 0;
  let resolved = 0;
  let threw = 0;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const args = Array.from({ length: rand(6) }, pick);
      calls++;
      try {
        const result = (lv[name] as (...a: unknown[]) => unknown)(...args);
        const settled = await Promise.race([
          Promise.resolve(result).then(
            () => 'resolved',
            () => 'rejected',
          ),
          new Promise((r) => setTimeout(() => r('pending'), 5000)),
        ]);
        if (settled === 'resolved') resolved++;
        else if (settled === 'rejected') rejected++;
        else throw new Error(`${name} neither resolved nor rejected within 5 s`);
      } catch (e) {
        if (e instanceof Error && e.message.includes('within 5 s')) throw e;
        threw++;
      }
    }
  }
  await binding.unsubscribeEvents(conn).catch(() => undefined);
  await binding.close(conn);
  console.log(JSON.stringify({ seed, functions: names.length, calls, rejected, resolved, threw }));
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
