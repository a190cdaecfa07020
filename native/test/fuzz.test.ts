import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fuzz-child.ts', import.meta.url));

describe('binding fuzz', () => {
  it('survives random arguments to every function', () => {
    const seed = Date.now() % 1_000_000;
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, String(seed), '15'], { encoding: 'utf8', timeout: 120_000 });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    // A crash gives a signal or a non-zero status; the seed reproduces it.
    expect({ status: run.status, signal: run.signal, stderr: run.stderr.slice(-2000), seed }).toMatchObject({ status: 0, signal: null });
    const report = JSON.parse(last) as { functions: number; calls: number; rejected: number; resolved: number; threw: number };
    expect(report.functions).toBeGreaterThan(5);
    expect(report.calls).toBe(report.rejected + report.resolved + report.threw);
    // Nearly all random calls must be refused cleanly (rejected), not thrown synchronously.
    expect(report.threw).toBe(0);
    expect(report.rejected).toBeGreaterThan(report.calls / 2);
  });
});
