import type { ApiEvents, EventMessage, EventName } from '../../shared/api/contract.js';

type Listener = (message: EventMessage) => void;

/** Fans backend events out to every session (each renderer window or WebSocket). */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    const message = { event, payload } as EventMessage;
    for (const listener of this.listeners) listener(message);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
