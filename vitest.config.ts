import { defineConfig } from 'vitest/config';

// On PostgreSQL (PULSE_TEST_DATABASE_URL) each test store is a schema migrated from scratch and every
// write a round trip to the server: the slowest tests (a few thousand demo customers, several
// processes at once) take several times their SQLite time there.
const onPostgres = Boolean(process.env.PULSE_TEST_DATABASE_URL?.trim());

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: onPostgres ? 180_000 : 60_000,
    hookTimeout: onPostgres ? 180_000 : 60_000,
    pool: 'forks',
  },
});
