// details.validate through the ApiSession both shells use, on the Demo connection (libvirt's test
// driver), against the real schema libvirt0 installs: the Demo VM's definition is valid, an unknown
// element is reported at its line, malformed XML at its line and column, and nothing is applied.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBinding } from '../../native/index.js';
import type { DetailsIssue, VmDetails } from '../../shared/details/model.js';
import type { ApiError } from '../../shared/models/error.js';
import { type Backend, createBackend } from './backend.js';
import { validateDomainXml } from './domain-validate.js';
import { ApiSession } from './session.js';

const vm = { connectionId: 'demo', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' };

let dir: string;
let backend: Backend;
let session: ApiSession;

async function call<T>(method: string, params: unknown): Promise<T> {
  const outcome = await session.call(method, params);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value as T;
}
async function refusal(method: string, params: unknown): Promise<ApiError> {
  const outcome = await session.call(method, params);
  if (outcome.ok) throw new Error(`${method} was expected to fail`);
  return outcome.error;
}
const validate = (xml: string) => call<DetailsIssue[]>('details.validate', { connectionId: 'demo', xml });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vireo-validate-'));
  backend = createBackend({ detected: [], configDir: join(dir, 'config') });
  session = new ApiSession(backend, () => undefined);
  await backend.start();
});

afterAll(async () => {
  session?.dispose();
  await backend?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('details.validate (Demo connection, /usr/share/libvirt/schemas)', () => {
  it('finds the Demo VM definition valid, and reports an unknown element at its line without applying it', async () => {
    const { inactiveXml } = await call<VmDetails>('details.get', vm);
    expect(await validate(inactiveXml)).toEqual([]);

    const lines = inactiveXml.split('\n');
    const at = lines.findIndex((line) => line.includes('</vcpu>')) + 1;
    lines.splice(at, 0, '  <frobnicator/>');
    expect(await validate(lines.join('\n'))).toEqual([{ subject: 'xml', line: at + 1, message: 'Element domain has extra content: frobnicator' }]);

    expect((await call<VmDetails>('details.get', vm)).inactiveXml).toBe(inactiveXml);
  });

  it('reports malformed XML at its line and column', async () => {
    expect((await validate("<domain type='test'>\n  <name>x</nam>\n</domain>"))[0]).toEqual({
      subject: 'xml',
      line: 2,
      column: 16,
      message: 'Opening and ending tag mismatch: name line 2 and nam',
    });
  });

  it('refuses an unknown connection and params without XML', async () => {
    expect(await refusal('details.validate', { connectionId: 'nope', xml: '<domain/>' })).toMatchObject({ code: 'not-found' });
    expect(await refusal('details.validate', { connectionId: 'demo' })).toMatchObject({ code: 'invalid-input', issues: [{ path: ['xml'] }] });
  });

  it('says clearly when the schema is not there', async () => {
    await expect(validateDomainXml(loadBinding(), '<domain/>', join(dir, 'no-schemas'))).rejects.toMatchObject({
      code: 'VIR_ERR_OPEN_FAILED',
      message: expect.stringContaining("cannot read libvirt's domain schema"),
    });
  });
});
