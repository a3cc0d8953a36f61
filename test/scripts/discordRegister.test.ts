import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DISCORD_COMMANDS } from '../../server/chat/discord/commands.ts';
import { type Receiver, type Reply, startReceiver } from '../helpers/receiver.ts';

const APP = '123456789012345678';
const TOKEN = 'test-bot-token.abc';
const GLOBAL = `/v10/applications/${APP}/commands`;

/** `npm run discord:register` as a child process: its exit code and what it printed. */
function register(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number; out: string; err: string }> {
  // Start from a clean slate so a developer's own Discord settings never leak into a test.
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(base))
    if (k.startsWith('DISCORD_') || k === 'PUBLIC_URL') delete base[k];
  return new Promise((resolve) => {
    execFile(
      // As `npm run discord:register` runs it (tsx), minus the tsx CLI's own extra process.
      process.execPath,
      ['--import', 'tsx', 'scripts/discordRegister.ts', ...args],
      { env: { ...base, ...env }, cwd: process.cwd(), timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

/** Discord answers a successful PUT with the commands as registered, ids added. */
function registered(): Reply {
  return {
    status: 200,
    body: DISCORD_COMMANDS.map((c, i) => ({
      ...c,
      id: String(1_000_000 + i),
      application_id: APP,
      version: '1',
    })),
  };
}

/** Runs `fn` against a stand-in Discord answering every request with `reply`, then closes it. */
async function withDiscord(
  fn: (d: Receiver) => Promise<void>,
  reply: () => Reply = registered,
): Promise<void> {
  const d = await startReceiver(() => reply());
  try {
    await fn(d);
  } finally {
    await d.close();
  }
}

const commandNames = DISCORD_COMMANDS.map((c) => `/${c.name}`);

const env = (url: string, extra: Record<string, string> = {}) => ({
  DISCORD_API_URL: url,
  DISCORD_APPLICATION_ID: APP,
  DISCORD_BOT_TOKEN: TOKEN,
  ...extra,
});

// Each test starts its own child process and stand-in, so they run side by side.
describe.concurrent('npm run discord:register', () => {
  it('PUTs DISCORD_COMMANDS to the global commands endpoint with the bot token', async ({
    expect,
  }) => {
    await withDiscord(async (d) => {
      const r = await register([], env(d.url));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(d.requests).toHaveLength(1);
      const [req] = d.requests;
      expect(req?.method).toBe('PUT');
      expect(req?.path).toBe(GLOBAL);
      expect(req?.headers.authorization).toBe(`Bot ${TOKEN}`);
      expect(req?.headers['content-type']).toMatch(/^application\/json\b/);
      expect(req?.headers['user-agent']).toMatch(/^DiscordBot \(.+, 1\)$/);
      expect(req?.json).toEqual(DISCORD_COMMANDS);
      // It names each command Discord registered (three of them), and says where.
      expect(commandNames).toEqual(['/odds', '/forecast', '/parity']);
      expect(r.out.trim()).toBe(
        `registered ${commandNames.join(', ')} globally (may take up to an hour to appear)`,
      );
    });
  });

  it('tolerates a trailing slash on DISCORD_API_URL', async ({ expect }) => {
    await withDiscord(async (d) => {
      const r = await register([], env(`${d.url}/`));
      expect(r.code).toBe(0);
      expect(d.requests.map((q) => q.path)).toEqual([GLOBAL]);
    });
  });

  it('--guild <id> registers in that server only', async ({ expect }) => {
    await withDiscord(async (d) => {
      const r = await register(['--guild', '987654321098765432'], env(d.url));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(d.requests).toHaveLength(1);
      const [req] = d.requests;
      expect(req?.method).toBe('PUT');
      expect(req?.path).toBe(`/v10/applications/${APP}/guilds/987654321098765432/commands`);
      expect(req?.headers.authorization).toBe(`Bot ${TOKEN}`);
      expect(req?.json).toEqual(DISCORD_COMMANDS);
      expect(r.out.trim()).toBe(
        `registered ${commandNames.join(', ')} in server 987654321098765432`,
      );
    });
  });

  it('refuses a --guild that is not a snowflake, without a request', async ({ expect }) => {
    await withDiscord(async (d) => {
      const r = await register(['--guild', '../../users/@me'], env(d.url));
      expect(r.code).toBe(2);
      expect(r.err).toContain('invalid server id "../../users/@me"');
      expect(d.requests).toHaveLength(0);
    });
  });

  it("reports Discord's refusal (401) with its status and message, cleanly", async ({ expect }) => {
    await withDiscord(
      async (d) => {
        const r = await register([], env(d.url, { DISCORD_BOT_TOKEN: 'wrong' }));
        expect(r.code).toBe(2);
        expect(d.requests).toHaveLength(1);
        expect(d.requests[0]?.headers.authorization).toBe('Bot wrong');
        expect(r.out).toBe('');
        expect(r.err.trim()).toBe(
          'Discord refused the commands (401): {"message":"401: Unauthorized","code":0}',
        );
        expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      },
      () => ({ status: 401, body: { message: '401: Unauthorized', code: 0 } }),
    );
  });

  it('reports a 400 validation error with the body Discord sent', async ({ expect }) => {
    const body = {
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        '0': { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'bad' }] } },
      },
    };
    await withDiscord(
      async (d) => {
        const r = await register([], env(d.url));
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        expect(r.err).toContain('Discord refused the commands (400)');
        expect(r.err).toContain('Invalid Form Body');
        expect(r.err).toContain('APPLICATION_COMMAND_INVALID_NAME');
        expect(r.err).not.toMatch(/\n\s+at /);
      },
      () => ({ status: 400, body }),
    );
  });

  it('reports an unreachable Discord cleanly', async ({ expect }) => {
    const d = await startReceiver();
    const url = d.url;
    await d.close();
    const r = await register([], env(url));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim()).toMatch(new RegExp(`^could not reach Discord at ${url}: `));
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it.for([
    ['DISCORD_APPLICATION_ID', { DISCORD_BOT_TOKEN: TOKEN }],
    ['DISCORD_BOT_TOKEN', { DISCORD_APPLICATION_ID: APP }],
  ] as const)(
    'without %s it exits non-zero naming it, and sends nothing',
    async ([missing, vars], { expect }) => {
      await withDiscord(async (d) => {
        const r = await register([], { DISCORD_API_URL: d.url, ...vars });
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        expect(r.err).toContain(missing);
        expect(r.err).not.toMatch(/\n\s+at /);
        expect(d.requests).toHaveLength(0);
      });
    },
  );
});

/** The parts of a command or option the limits concern, whatever its kind. */
interface Part {
  name: string;
  description?: string;
  required?: boolean;
  options?: Part[];
  choices?: { name: string; value: string | number }[];
}

// https://discord.com/developers/docs/interactions/application-commands#application-command-object
const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const SUBCOMMAND = 1;
const SUBCOMMAND_GROUP = 2;

function checkPart(part: Part, where: string, problems: string[]): void {
  if (!NAME.test(part.name) || part.name !== part.name.toLowerCase()) {
    problems.push(`${where}: name ${JSON.stringify(part.name)}`);
  }
  const desc = part.description ?? '';
  if (desc.length < 1 || desc.length > 100) {
    problems.push(`${where}: description of ${desc.length} characters`);
  }
  const options = part.options ?? [];
  if (options.length > 25) problems.push(`${where}: ${options.length} options`);
  const names = options.map((o) => o.name);
  if (new Set(names).size !== names.length) problems.push(`${where}: duplicate option names`);
  // Required options must come before optional ones.
  const firstOptional = options.findIndex((o) => !o.required);
  if (firstOptional >= 0 && options.slice(firstOptional).some((o) => o.required)) {
    problems.push(`${where}: a required option after an optional one`);
  }
  const choices = part.choices ?? [];
  if (choices.length > 25) problems.push(`${where}: ${choices.length} choices`);
  for (const c of choices) {
    if (c.name.length < 1 || c.name.length > 100) problems.push(`${where}: choice ${c.name}`);
    if (typeof c.value === 'string' && c.value.length > 100) {
      problems.push(`${where}: choice value ${c.value}`);
    }
  }
  for (const o of options) checkPart(o, `${where} ${o.name}`, problems);
}

/** Name, description, option and choice text together: Discord allows 4000 characters. */
function characters(part: Part): number {
  return (
    part.name.length +
    (part.description ?? '').length +
    (part.choices ?? []).reduce((a, c) => a + c.name.length + String(c.value).length, 0) +
    (part.options ?? []).reduce((a, o) => a + characters(o), 0)
  );
}

describe('DISCORD_COMMANDS', () => {
  const commands = DISCORD_COMMANDS as unknown as (Part & { type?: number })[];

  it("keeps within Discord's documented limits", () => {
    const problems: string[] = [];
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.length).toBeLessThanOrEqual(100);
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of commands) {
      expect(c.type ?? 1).toBe(1); // chat input (slash) commands
      checkPart(c, `/${c.name}`, problems);
      if (characters(c) > 4000) problems.push(`/${c.name}: ${characters(c)} characters`);
    }
    expect(problems).toEqual([]);
  });

  it('nests subcommands at most two deep, and does not mix them with plain options', () => {
    const problems: string[] = [];
    const kind = (o: Part) => (o as Part & { type: number }).type;
    for (const c of commands) {
      const opts = c.options ?? [];
      const subs = opts.filter((o) => kind(o) === SUBCOMMAND || kind(o) === SUBCOMMAND_GROUP);
      if (subs.length > 0 && subs.length !== opts.length) problems.push(`/${c.name}: mixed`);
      for (const s of subs) {
        for (const o of s.options ?? []) {
          const k = kind(o);
          if (kind(s) === SUBCOMMAND && (k === SUBCOMMAND || k === SUBCOMMAND_GROUP)) {
            problems.push(`/${c.name} ${s.name}: nested in a subcommand`);
          }
          if (kind(s) === SUBCOMMAND_GROUP && k !== SUBCOMMAND) {
            problems.push(`/${c.name} ${s.name}: a group may hold only subcommands`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
