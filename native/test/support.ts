// Helpers shared by the binding's tests.
import { type LibvirtError, isLibvirtError } from '../index.js';

export const noDaemon = process.env.VIREO_NO_DAEMON === '1';
export const badArg = { code: 'ERR_INVALID_ARG' };

/** The code a call rejects with ('resolved' when it does not reject). */
export async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'resolved';
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
}

/** Runs named calls one after the other: ["name -> CODE", ...] for a single assertion. */
export async function codesOf(calls: [string, () => Promise<unknown>][]): Promise<string[]> {
  const out: string[] = [];
  for (const [name, call] of calls) out.push(`${name} -> ${await codeOf(call)}`);
  return out;
}

export const expected = (calls: [string, unknown][], code: string): string[] => calls.map(([name]) => `${name} -> ${code}`);

/** The LibvirtError a promise rejects with; fails when it resolves or rejects otherwise. */
export async function failure(p: Promise<unknown>): Promise<LibvirtError> {
  const e = await p.then(
    () => {
      throw new Error('expected the call to reject');
    },
    (err: unknown) => err,
  );
  if (!isLibvirtError(e)) throw new Error(`expected a LibvirtError, got ${String(e)}`);
  return e;
}
