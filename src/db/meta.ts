// Small facts about the store itself (key → value).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export async function getMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/** Sets the value unless one is already there; returns the value that stands. */
export async function setMetaOnce(db: Kysely<Database>, key: string, value: string): Promise<string> {
  await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await getMeta(db, key)) ?? value;
}
