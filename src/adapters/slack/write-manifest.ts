// `npx tsx src/adapters/slack/write-manifest.ts` rewrites slack-manifest.yml from the registry.
// `… --url https://pulse.example.com/slack/events` prints a manifest for that host instead (paste it
// into "Create New App → From a manifest"; the committed file keeps the placeholder), and
// `… --socket-mode` prints one for Socket Mode (no public URL).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allCommands } from '../../commands/index.ts';
import { slackManifest, toYaml } from './manifest.ts';

export const MANIFEST_FILE = fileURLToPath(new URL('../../../slack-manifest.yml', import.meta.url));

export const MANIFEST_HEADER = `# Slack app manifest for Pulse, generated from the command registry by
#   npx tsx src/adapters/slack/write-manifest.ts
# Do not edit by hand: add the command to src/commands and regenerate.
# Replace YOUR-HOST with the public host that serves /slack/events (see docs/slack.md), or run
#   npx tsx src/adapters/slack/write-manifest.ts --url https://HOST/slack/events
# to print a copy with your host filled in.
`;

export function manifestText(url?: string, socketMode = false): string {
  return MANIFEST_HEADER + toYaml(slackManifest(allCommands(), { ...(url ? { url } : {}), ...(socketMode ? { socketMode } : {}) }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { url: { type: 'string' }, 'socket-mode': { type: 'boolean', default: false } } });
  if (values.url || values['socket-mode']) {
    process.stdout.write(manifestText(values.url, values['socket-mode']));
  } else {
    writeFileSync(MANIFEST_FILE, manifestText());
    process.stderr.write(`wrote ${MANIFEST_FILE}\n`);
  }
}
