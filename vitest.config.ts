import { defineConfig } from 'vitest/config';

// On PostgreSQL (PULSE_TEST_DATABASE_URL) test stores are seeded through the row-by-row upsert
// until the batched import lands: seeding a few thousand demo customers takes tens of seconds there.
const onPostgres = Boolean(process.env.PULSE_TEST_DATABASE_URL?.trim());

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: onPostgres ? 180_000 : 60_000,
    hookTimeout: onPostgres ? 180_000 : 60_000,
    pool: 'forks',
  },
});
