import { createContext, useContext } from 'react';
import type { ApiClient } from '../../shared/api/contract.js';
import { useUi } from '../stores/ui.js';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside <ApiContext.Provider>');
  return client;
}

/** Runs an API call from a UI action; a failure becomes the notice the user sees. */
export function reportFailure(promise: Promise<unknown>): void {
  promise.catch((e: unknown) => useUi.getState().showNotice(e instanceof Error ? e.message : String(e)));
}
