import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['native/test/**/*.test.ts', 'electron/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.restart.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        // Tests that restart the lab's libvirtd: alone, after every other project, since a
        // restart drops every other test's connection to qemu:///system.
        test: {
          name: 'daemon-restart',
          include: ['electron/**/*.restart.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
