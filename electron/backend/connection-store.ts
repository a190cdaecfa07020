// User-added connections persist in $XDG_CONFIG_HOME/vireo/connections.json (default ~/.config).
import { rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readConfigText, writeConfigJson } from './config-file.js';
import { z } from 'zod';

const storedConnection = z.object({
  id: z.string().min(1),
  uri: z.string().min(1),
  name: z.string().min(1),
  autoconnect: z.boolean(),
});
export type StoredConnection = z.infer<typeof storedConnection>;

const storedFile = z.object({ version: z.literal(1), connections: z.array(storedConnection) });

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vireo');
}

export class ConnectionStore {
  readonly file: string;
  /** Saves run one after another so an older list never lands after a newer one. */
  private saving: Promise<void> = Promise.resolve();

  constructor(configDir: string) {
    this.file = join(configDir, 'connections.json');
  }

  /** A missing file is an empty list; an unreadable one is set aside (kept for the user) and treated as empty. */
  async load(): Promise<StoredConnection[]> {
    const text = await readConfigText(this.file);
    if (text === undefined) return [];
    try {
      return storedFile.parse(JSON.parse(text)).connections;
    } catch (e) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      console.warn(`Vireo: ${this.file} is not a valid connection list (${(e as Error).message}); moved to ${aside}`);
      await rename(this.file, aside);
      return [];
    }
  }

  save(connections: StoredConnection[]): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => writeConfigJson(this.file, { connections }));
    return this.saving;
  }
}
