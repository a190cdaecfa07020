// App-wide preferences the backend applies ($XDG_CONFIG_HOME/vireo/preferences.json): for now
// the stats interval, shared by every window.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
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
      const { version: _version, ...preferences } = preferencesFile.parse(JSON.parse(await readFile(this.file, 'utf8')));
      return preferences;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') console.warn(`Vireo: ignoring ${this.file}: ${(e as Error).message}`);
      return { ...DEFAULT_PREFERENCES };
    }
  }

  save(preferences: Preferences): Promise<void> {
    const body = `${JSON.stringify({ version: 1, ...preferences }, null, 2)}\n`;
    this.saving = this.saving.catch(() => undefined).then(() => this.write(body));
    return this.saving;
  }

  // Write-then-rename: a crash mid-save leaves the previous file intact.
  private async write(body: string): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, body, { mode: 0o600 });
    await rename(temp, this.file);
  }
}
