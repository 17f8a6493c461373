import { defineConfig } from 'vitest/config';

// Tests assert behaviour, never speed (the bench measures that). On a busy 2-core machine a test
// against PostgreSQL or a spawned process can take several seconds, so vitest's 5 s default
// would fail sound tests; process tests set their own, longer limits.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
