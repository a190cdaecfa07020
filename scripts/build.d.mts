// Types of scripts/build.mjs, for the tests that bundle the Electron shell.
export function buildElectron(outdir?: string): Promise<unknown>;
export function build(): Promise<void>;
