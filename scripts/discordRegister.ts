// `npm run discord:register [-- --guild <id>]`: registers Parity's application commands with
// Discord (global, or in one server, where they appear at once). Needs DISCORD_APPLICATION_ID
// and DISCORD_BOT_TOKEN; DISCORD_API_URL points elsewhere for a test.
import { parseArgs } from 'node:util';
import { DISCORD_COMMANDS } from '../server/chat/discord/commands.ts';
import { loadConfig } from '../server/config.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

let guild: string | undefined;
try {
  guild = parseArgs({ options: { guild: { type: 'string' } }, strict: true }).values.guild;
} catch (err) {
  fail(`${(err as Error).message}\nusage: npm run discord:register [-- --guild <server id>]`);
}
if (guild !== undefined && !/^\d{1,25}$/.test(guild))
  fail(`invalid server id ${JSON.stringify(guild)}`);
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  fail((err as Error).message);
}
const app = config.DISCORD_APPLICATION_ID;
const token = config.DISCORD_BOT_TOKEN;
if (!app || !token)
  fail('set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (Developer Portal → your application)');

const base = config.DISCORD_API_URL.replace(/\/+$/, '');
const url = `${base}/v10/applications/${app}${guild ? `/guilds/${guild}` : ''}/commands`;
// PUT replaces the whole set: commands removed here disappear from Discord too.
const res = await fetch(url, {
  method: 'PUT',
  headers: {
    authorization: `Bot ${token}`,
    'content-type': 'application/json',
    // Discord asks bots to say who they are in this form.
    'user-agent': `DiscordBot (${config.PUBLIC_URL ?? 'http://localhost'}, 1)`,
  },
  body: JSON.stringify(DISCORD_COMMANDS),
  signal: AbortSignal.timeout(15_000),
}).catch((err: Error) => fail(`could not reach Discord at ${base}: ${err.message}`));
const text = await res.text();
if (!res.ok) fail(`Discord refused the commands (${res.status}): ${text.slice(0, 500)}`);
const names = (JSON.parse(text) as { name: string }[]).map((c) => `/${c.name}`);
console.log(
  `registered ${names.join(', ')} ${guild ? `in server ${guild}` : 'globally (may take up to an hour to appear)'}`,
);
