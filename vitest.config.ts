import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Model files import 'faultline'; in tests that is this checkout's source.
    alias: { faultline: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    // properties/: hashing and ID generation as property tests (docs/properties.md).
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
