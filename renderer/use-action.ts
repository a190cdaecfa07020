// One change at a time from a view (take a snapshot, stop a network...): busy while it runs, its
// failure kept as the message to show, success as true.
import { useState } from 'react';

export function useAction(): { busy: boolean; error: string | null; act(call: () => Promise<unknown>): Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await call();
      return true;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, act };
}
