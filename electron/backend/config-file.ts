// Vireo's JSON files in $XDG_CONFIG_HOME/vireo: read as text, written so that a crash never
// leaves half a file, readable only by the user (connection URIs can name hosts and users).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file's text, or undefined when it does not exist. */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** `value` as versioned, indented JSON; write-then-rename keeps the previous file on a crash. */
export async function writeConfigJson(file: string, value: object): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ version: 1, ...value }, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
