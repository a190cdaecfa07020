// App-wide preferences the backend applies ($XDG_CONFIG_HOME/vireo/preferences.json): for now
// the stats interval, shared by every window.
import { join } from 'node:path';
import { z } from 'zod';
import { readConfigText, writeConfigJson } from './config-file.js';
import { STATS_INTERVAL_LIMITS_MS } from '../../shared/models/stats.js';

const preferencesFile = z.object({
  version: z.literal(1),
  statsIntervalMs: z.number().int().min(STATS_INTERVAL_LIMITS_MS.min).max(STATS_INTERVAL_LIMITS_MS.max).catch(STATS_INTERVAL_LIMITS_MS.default),
});
export type Preferences = Omit<z.infer<typeof preferencesFile>, 'version'>;

export const DEFAULT_PREFERENCES: Preferences = { statsIntervalMs: STATS_INTERVAL_LIMITS_MS.default };

export class PreferencesStore {
  readonly file: string;
  private saving: Promise<void> = Promise.resolve();

  constructor(configDir: string) {
    this.file = join(configDir, 'preferences.json');
  }

  /** Missing or unreadable: the defaults (an unreadable file is left for the user and overwritten on the next save). */
  async load(): Promise<Preferences> {
    try {
      const text = await readConfigText(this.file);
      if (text === undefined) return { ...DEFAULT_PREFERENCES };
      const { version: _version, ...preferences } = preferencesFile.parse(JSON.parse(text));
      return preferences;
    } catch (e) {
      console.warn(`Vireo: ignoring ${this.file}: ${(e as Error).message}`);
      return { ...DEFAULT_PREFERENCES };
    }
  }

  save(preferences: Preferences): Promise<void> {
    this.saving = this.saving.catch(() => undefined).then(() => writeConfigJson(this.file, preferences));
    return this.saving;
  }
}
