// One client of the backend (a renderer window, a WebSocket): calls go through the validating
// dispatch, events are forwarded, and what the client held is released when it goes away.
import { randomUUID } from 'node:crypto';
import type { CallContext, EventMessage, StreamHandle, StreamSink } from '../../shared/api/contract.js';
import { type Outcome, dispatch, dispatchStream } from '../../shared/api/dispatch.js';
import type { Backend } from './backend.js';

export class ApiSession {
  readonly context: CallContext = { sessionId: randomUUID() };
  private readonly streams = new Set<StreamHandle>();
  private readonly unsubscribe: () => void;
  private disposed = false;

  constructor(
    private readonly backend: Backend,
    sendEvent: (message: EventMessage) => void,
  ) {
    this.unsubscribe = backend.events.subscribe(sendEvent);
  }

  call(method: string, params: unknown): Promise<Outcome<unknown>> {
    return dispatch(this.backend.handlers, method, params, this.context);
  }

  /** The returned handle forgets the stream when closed; disposing the session closes the rest. */
  async openStream(channel: string, params: unknown, toClient: StreamSink): Promise<Outcome<StreamHandle>> {
    let handle: StreamHandle | undefined;
    const sink: StreamSink = {
      data: (bytes) => toClient.data(bytes),
      end: (error) => {
        if (handle) this.streams.delete(handle);
        toClient.end(error);
      },
    };
    const outcome = await dispatchStream(this.backend.streams, channel, params, sink, this.context);
    if (!outcome.ok) return outcome;
    const opened = outcome.value;
    if (this.disposed) {
      opened.close();
      return { ok: false, error: { code: 'transport-closed', message: 'The client went away while the stream opened' } };
    }
    handle = {
      write: (bytes) => opened.write(bytes),
      close: () => {
        if (handle) this.streams.delete(handle);
        opened.close();
      },
      pause: () => opened.pause?.(),
      resume: () => opened.resume?.(),
    };
    this.streams.add(handle);
    return { ok: true, value: handle };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const stream of this.streams) stream.close();
    this.backend.endSession(this.context.sessionId);
  }
}
