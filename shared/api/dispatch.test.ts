import { type Mock, describe, expect, it, vi } from 'vitest';
import { type ApiHandlers, type ApiStreamHandlers, type CallContext, type MethodName, type StreamHandle, methodNames } from './contract.js';
import { dispatch, dispatchStream } from './dispatch.js';
import { ApiCallError } from './errors.js';

const TEST_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const context = { sessionId: 'session-1' };

type HandlerMock = Mock<(params: unknown, context: CallContext) => Promise<unknown>>;

/** Every handler a mock resolving null; typed both ways, for dispatch and for assertions. */
function fakeHandlers(): ApiHandlers & Record<MethodName, HandlerMock> {
  const mocks = Object.fromEntries(methodNames.map((name) => [name, vi.fn<(params: unknown, context: CallContext) => Promise<unknown>>(async () => null)]));
  return mocks as unknown as ApiHandlers & Record<MethodName, HandlerMock>;
}

describe('dispatch', () => {
  it('runs the handler with validated params, defaults applied, and the caller context', async () => {
    const handlers = fakeHandlers();
    handlers['connections.add'].mockResolvedValue({ id: 'x' });
    const outcome = await dispatch(handlers, 'connections.add', { uri: 'qemu:///system' }, context);
    expect(outcome).toEqual({ ok: true, value: { id: 'x' } });
    expect(handlers['connections.add']).toHaveBeenCalledWith({ uri: 'qemu:///system', autoconnect: false }, context);
  });

  it('treats absent params as {}', async () => {
    const handlers = fakeHandlers();
    expect(await dispatch(handlers, 'connections.list', undefined, context)).toMatchObject({ ok: true });
  });

  it('refuses invalid params with the schema issues and never calls the handler', async () => {
    const handlers = fakeHandlers();
    const outcome = await dispatch(handlers, 'domains.start', { connectionId: 'demo', uuid: 'nope' }, context);
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'invalid-input',
        message: 'Invalid params for domains.start: uuid: uuid must look like 6695eb01-f6a4-8304-79aa-97f2502e193f',
        issues: [{ path: ['uuid'], message: 'uuid must look like 6695eb01-f6a4-8304-79aa-97f2502e193f' }],
      },
    });
    expect(handlers['domains.start']).not.toHaveBeenCalled();
  });

  it('refuses unknown and inherited method names', async () => {
    for (const name of ['domains.explode', 'constructor', '__proto__']) {
      expect(await dispatch(fakeHandlers(), name, {}, context)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('passes the backend own errors through', async () => {
    const handlers = fakeHandlers();
    handlers['connections.remove'].mockRejectedValue(new ApiCallError({ code: 'not-removable', message: '"Demo" is built in' }));
    expect(await dispatch(handlers, 'connections.remove', { connectionId: 'demo' }, context)).toEqual({
      ok: false,
      error: { code: 'not-removable', message: '"Demo" is built in' },
    });
  });

  it('maps libvirt errors to their VIR_ERR code with libvirt details', async () => {
    const handlers = fakeHandlers();
    const libvirtError = Object.assign(new Error('Domain not found'), { code: 'VIR_ERR_NO_DOMAIN', virCode: 42, virDomain: 10, virDomainName: 'VIR_FROM_DOM', virLevel: 2 });
    handlers['domains.resume'].mockRejectedValue(libvirtError);
    expect(await dispatch(handlers, 'domains.resume', { connectionId: 'demo', uuid: TEST_UUID }, context)).toEqual({
      ok: false,
      error: { code: 'VIR_ERR_NO_DOMAIN', message: 'Domain not found', libvirt: { virCode: 42, virDomainName: 'VIR_FROM_DOM' } },
    });
  });

  it('reports anything else as internal', async () => {
    const handlers = fakeHandlers();
    handlers['domains.reset'].mockRejectedValue(new TypeError('boom'));
    expect(await dispatch(handlers, 'domains.reset', { connectionId: 'demo', uuid: TEST_UUID }, context)).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });
});

describe('dispatchStream', () => {
  const sink = { data: () => undefined, end: () => undefined };
  const params = { connectionId: 'demo', uuid: TEST_UUID };

  it('answers not-implemented for a declared channel without a handler', async () => {
    expect(await dispatchStream({}, 'console.serial', params, sink, context)).toMatchObject({ ok: false, error: { code: 'not-implemented' } });
  });

  it('validates params before opening', async () => {
    const open = vi.fn<() => Promise<StreamHandle>>();
    const handlers = { 'console.graphics': open } as unknown as Partial<ApiStreamHandlers>;
    expect(await dispatchStream(handlers, 'console.graphics', { ...params, index: -1 }, sink, context)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', issues: [{ path: ['index'], message: 'index must be 0 or more' }] },
    });
    expect(open).not.toHaveBeenCalled();
  });

  it('opens with parsed params and returns the handle', async () => {
    const handle: StreamHandle = { write: () => undefined, close: () => undefined };
    const open = vi.fn<ApiStreamHandlers['console.serial']>(async () => handle);
    const outcome = await dispatchStream({ 'console.serial': open }, 'console.serial', params, sink, context);
    expect(outcome).toEqual({ ok: true, value: handle });
    expect(open).toHaveBeenCalledWith({ ...params, device: null, force: false }, sink, context);
  });
});
