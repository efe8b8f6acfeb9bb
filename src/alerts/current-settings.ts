// The alert settings in force: what admins stored over the defaults.
import type { Kysely } from 'kysely';
import { alertSettingRows } from '../db/alert-owners.ts';
import type { Database } from '../db/schema.ts';
import { settingsFromRows, type AlertSettings } from './settings.ts';

export async function currentAlertSettings(db: Kysely<Database>): Promise<AlertSettings> {
  return settingsFromRows(await alertSettingRows(db));
}
