// The Electron shell's console transport (MessagePort) without Electron: the page side
// (shared/api/stream-port.ts, what the preload runs) and the main side (stream-port.ts, what
// main.ts runs) over a real Node MessageChannel, to the serial console of a tiny guest on the lab's
// libvirtd. The one stand-in is the shape of Electron's MessagePortMain (it emits {data} events
// where Node's port emits the value), adapted below.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamHandle } from '../../shared/api/contract.js';
import type { Outcome } from '../../shared/api/dispatch.js';
import { FlowGate } from '../../shared/api/flow.js';
import { type PagePort, openStreamOverPort } from '../../shared/api/stream-port.js';
import { LAB_URI, type LabGuest, defineGuest, labReady, removeGuest, virsh } from '../test/lab.js';
import { type Harness, startHarness, until } from '../test/backend-harness.js';
import { Received, write } from '../test/received.js';
import { type MainPort, serveStreamPort } from './stream-port.js';

const ready = labReady();

/** Electron's MessagePortMain, as far as serveStreamPort uses it, on a Node MessagePort. */
function asMessagePortMain(port: MessagePort): MainPort {
  return {
    postMessage: (message) => port.postMessage(message),
    on: (event: 'message' | 'close', listener: (event: { data: unknown }) => void) =>
      event === 'message' ? port.on('message', (data: unknown) => listener({ data })) : port.on('close', () => (listener as () => void)()),
    start: () => port.start(),
    close: () => port.close(),
  };
}

describe.skipIf(!ready)('console streams over a MessagePort (the Electron transport)', () => {
  let lab: Harness;
  let guest: LabGuest;
  const vm = () => ({ connectionId: 'launch', uuid: guest.uuid });

  /** Opens a stream the way the preload and main.ts do; `gate` is main's backpressure. */
  function open(channel: string, params: unknown, gate = new FlowGate()): { rx: Received; opened: Promise<Outcome<StreamHandle>> } {
    const { port1, port2 } = new MessageChannel();
    const rx = new Received();
    const outcome = openStreamOverPort(port1 as unknown as PagePort, rx.sink);
    void serveStreamPort(lab.session, asMessagePortMain(port2), channel, params, gate);
    return { rx, opened: outcome };
  }
  async function refusal(channel: string, params: unknown) {
    const outcome = await open(channel, params).opened;
    if (outcome.ok) throw new Error(`${channel} opened`);
    return outcome.error;
  }
  /** Opens the serial console, once the previous test's session has let go of it (main closes it soon after the page does). */
  async function openSerial(gate?: FlowGate): Promise<{ rx: Received; handle: StreamHandle }> {
    return until(
      async () => {
        const stream = open('console.serial', vm(), gate);
        const outcome = await stream.opened;
        return outcome.ok ? { rx: stream.rx, handle: outcome.value } : undefined;
      },
      10_000,
      'the serial console free',
    );
  }

  beforeAll(async () => {
    guest = defineGuest({ prefix: 'vireo-test-port' });
    virsh('start', guest.name);
    lab = await startHarness({ launchUri: LAB_URI });
  });

  afterAll(async () => {
    await lab?.dispose();
    if (guest) removeGuest(guest.name);
  });

  it('carries the serial console both ways, and the page acknowledges what it took', async () => {
    const gate = new FlowGate();
    const stream = await openSerial(gate);
    await stream.rx.waitFor('tiny# ', 120_000, () => write(stream.handle, '\r'));
    stream.rx.text = '';
    // Enough output for several messages: every byte comes back acknowledged.
    write(stream.handle, 'seq 1 3000; echo port-$((6*7))\r');
    await stream.rx.waitFor(/port-42/, 60_000);
    expect(stream.rx.text).toContain('\r\n2999\r\n3000\r\n');
    await expect.poll(() => gate.inFlight, { timeout: 5_000 }).toBe(0);
    // Closing on the page releases the console in libvirt: opening it again needs no force.
    stream.handle.close();
    const again = await openSerial();
    await again.rx.waitFor('tiny# ', 30_000, () => write(again.handle, '\r'));
    again.handle.close();
  });

  it('ends the stream on the page when the guest goes away', async () => {
    const stream = await openSerial();
    await stream.rx.waitFor('tiny# ', 30_000, () => write(stream.handle, '\r'));
    virsh('destroy', guest.name);
    await stream.rx.waitForEnd();
    expect(stream.rx.ended).toBeNull();
    virsh('start', guest.name);
  });

  it('passes main’s refusal to the page: bad params, unknown stream, unknown VM', async () => {
    expect(await refusal('console.serial', { connectionId: 'launch' })).toMatchObject({ code: 'invalid-input' });
    expect(await refusal('console.nothing', vm())).toMatchObject({ code: 'unknown-method' });
    expect(await refusal('console.serial', { connectionId: 'launch', uuid: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ code: 'VIR_ERR_NO_DOMAIN' });
  });
});
