import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type APIInteractionResponse,
  type APIModalInteractionResponseCallbackData,
  ButtonStyle,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  TextInputStyle,
} from 'discord-api-types/v10';
import { z } from 'zod';
import { DomainError } from '../../../shared/errors.ts';
import { type ChatIdentity, ForecastRequest, type Market } from '../../../shared/schemas/index.ts';
import { parse } from '../../http/errors.ts';
import { marketLink } from '../../integrations/channelCtx.ts';
import { clip, percent } from '../../integrations/notification.ts';
import { searchMarkets, topMovers } from '../../integrations/slashCommand.ts';
import { ANONYMOUS } from '../../services/access.ts';
import { once } from '../../services/context.ts';
import { listMarkets, requireMarket } from '../../services/markets.ts';
import { marketView } from '../../services/views.ts';
import {
  type Actor,
  buyFromChat,
  chatErrorText,
  closeFromChat,
  forecastFromChat,
  forecastMarket,
  parseCredits,
  resolveFromChat,
  vectorFor,
} from '../actions.ts';
import { type ChatCtx, countAction, followUp, within } from '../chatCtx.ts';
import { createLinkCode, linkedUser, setReminders, unlinkFromChat } from '../links.ts';
import { parseOutcomeRef } from '../slack/blocks.ts';

/** Discord, both ways: application commands, message buttons, and the modals they open. */

const Snowflake = z.string().regex(/^\d{1,25}$/);
const DUser = z.object({
  id: Snowflake,
  username: z.string().max(100),
  global_name: z.string().max(100).nullable().optional(),
});
const LeafOption = z.object({
  name: z.string().max(32),
  type: z.number().int(),
  value: z.union([z.string().max(6000), z.number(), z.boolean()]).optional(),
});
const CommandOption = LeafOption.extend({ options: z.array(LeafOption).max(25).optional() });

export const DiscordInteraction = z.object({
  id: Snowflake,
  application_id: Snowflake,
  type: z.number().int(),
  token: z.string().min(1).max(500),
  guild_id: Snowflake.optional(),
  channel_id: Snowflake.optional(),
  member: z.object({ user: DUser }).optional(),
  user: DUser.optional(),
  data: z
    .object({
      name: z.string().max(32).optional(),
      options: z.array(CommandOption).max(25).optional(),
      custom_id: z.string().max(100).optional(),
      values: z.array(z.string().max(100)).max(25).optional(),
      components: z
        .array(
          z.object({
            type: z.number().int(),
            components: z
              .array(
                z.object({
                  type: z.number().int(),
                  custom_id: z.string().max(100),
                  value: z.string().max(4000).optional(),
                }),
              )
              .max(5),
          }),
        )
        .max(5)
        .optional(),
    })
    .optional(),
});
export type DiscordInteraction = z.infer<typeof DiscordInteraction>;

const EPHEMERAL = MessageFlags.Ephemeral;
const NO_MENTIONS = { parse: [] };

function message(
  content: string,
  extra: {
    embeds?: APIEmbed[];
    components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  } = {},
): APIInteractionResponse {
  return {
    type: InteractionResponseType.ChannelMessageWithSource,
    data: {
      content: clip(content, 2000),
      flags: EPHEMERAL,
      allowed_mentions: NO_MENTIONS,
      ...extra,
    },
  };
}

function identityOf(i: DiscordInteraction): ChatIdentity {
  const u = i.member?.user ?? i.user;
  if (!u) throw new DomainError('validation_failed', 'the interaction names no user');
  return {
    platform: 'discord',
    teamId: i.guild_id ?? 'dm',
    externalUserId: u.id,
    externalName: u.global_name ?? u.username,
  };
}

async function linkPrompt(
  c: ChatCtx,
  id: ChatIdentity,
  intro: string,
): Promise<APIInteractionResponse> {
  const { url } = await createLinkCode(c.ctx, id, c.baseUrl());
  return message(
    `${intro}${intro.endsWith(',') ? ' open' : ' Open'} this link while signed in to Parity to link your Discord account (valid 10 minutes, once): ${url}`,
    {
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.Button,
              style: ButtonStyle.Link,
              label: 'Link your Discord account',
              url,
            },
          ],
        },
      ],
    },
  );
}

async function actorOr(c: ChatCtx, id: ChatIdentity): Promise<Actor | APIInteractionResponse> {
  const user = await linkedUser(c.ctx, id);
  return user
    ? { identity: id, user }
    : linkPrompt(c, id, 'Link your account first; nothing was recorded.');
}

function isActor(x: Actor | APIInteractionResponse): x is Actor {
  return 'user' in x;
}

function oddsEmbed(c: ChatCtx, m: Market, line: string): APIEmbed {
  return {
    title: clip(m.question, 256),
    url: marketLink(c.channels, m.id),
    description: clip(line, 4096),
  };
}

function oddsLine(m: Market): string {
  const shown =
    m.type === 'binary'
      ? m.outcomes.slice(0, 1)
      : [...m.outcomes].sort((a, b) => b.probability - a.probability).slice(0, 5);
  return `${shown.map((o) => `${o.label} ${percent(o.probability)}`).join(' · ')} · closes ${m.closesAt.slice(0, 10)}`;
}

async function oddsCommand(c: ChatCtx, query: string): Promise<APIInteractionResponse> {
  if (query.trim()) {
    const found = searchMarkets(await listMarkets(c.ctx, ANONYMOUS, 'open'), query);
    if (found.length === 0)
      return message(
        `No open market matches “${clip(query, 100)}”. Try /odds alone for the top movers.`,
      );
    return message(`Odds for “${clip(query, 100)}”`, {
      embeds: found.map((m) => oddsEmbed(c, m, oddsLine(m))),
    });
  }
  const since = new Date(c.ctx.now().getTime() - 86_400_000).toISOString();
  const movers = await topMovers(c.channels, since);
  if (movers.length === 0)
    return message('No open market moved in the last 24 hours. Try /odds <words> to look one up.');
  return message('Top movers, last 24 hours', {
    embeds: movers.map((x) => oddsEmbed(c, x.market, oddsLine(x.market))),
  });
}

function option(i: DiscordInteraction, name: string): string | number | boolean | undefined {
  const top = i.data?.options ?? [];
  return (top.find((o) => o.name === name) ?? top[0]?.options?.find((o) => o.name === name))?.value;
}

function modalValue(i: DiscordInteraction, id: string): string {
  for (const row of i.data?.components ?? []) {
    for (const c of row.components) if (c.custom_id === id) return c.value ?? '';
  }
  return '';
}

function textInput(
  customId: string,
  label: string,
  opts: { value?: string; max: number; placeholder?: string; required?: boolean },
) {
  return {
    type: ComponentType.ActionRow as const,
    components: [
      {
        type: ComponentType.TextInput as const,
        custom_id: customId,
        label: clip(label, 45),
        style: TextInputStyle.Short,
        max_length: opts.max,
        required: opts.required ?? true,
        ...(opts.value !== undefined ? { value: opts.value } : {}),
        ...(opts.placeholder ? { placeholder: clip(opts.placeholder, 100) } : {}),
      },
    ],
  };
}

function modal(data: APIModalInteractionResponseCallbackData): APIInteractionResponse {
  return { type: InteractionResponseType.Modal, data: { ...data, title: clip(data.title, 45) } };
}

function settled(m: Market): APIInteractionResponse {
  return message(
    m.status === 'closed'
      ? `“${m.question}” is closed: trading has stopped and it awaits resolution.`
      : `“${m.question}” is ${m.status}: there is nothing left to trade or forecast.`,
  );
}

/** Answers one verified interaction. Slow work is deferred and finished through the webhook. */
export async function discordInteraction(
  c: ChatCtx,
  i: DiscordInteraction,
): Promise<APIInteractionResponse> {
  if (i.type === InteractionType.Ping) return { type: InteractionResponseType.Pong };
  const work = handle(c, i).catch((err) => message(chatErrorText(c.ctx, err)));
  const raced = await within(work);
  if (raced.done) return raced.value;
  const url = `${c.channels.settings.discordApiUrl}/webhooks/${i.application_id}/${i.token}/messages/@original`;
  void raced.later
    .then((r) =>
      'data' in r && r.data && 'content' in r.data ? followUp(c, 'PATCH', url, r.data) : undefined,
    )
    .catch((err) => c.ctx.log.warn({ err }, 'Discord follow-up failed'));
  return {
    type: InteractionResponseType.DeferredChannelMessageWithSource,
    data: { flags: EPHEMERAL },
  };
}

async function handle(c: ChatCtx, i: DiscordInteraction): Promise<APIInteractionResponse> {
  const id = identityOf(i);
  if (i.type === InteractionType.ApplicationCommand && i.data?.name === 'odds') {
    return oddsCommand(c, String(option(i, 'query') ?? ''));
  }
  await countAction(c, id);
  const key = `discord:${i.id}`;
  if (i.type === InteractionType.ApplicationCommand) {
    switch (i.data?.name) {
      case 'forecast': {
        const actor = await actorOr(c, id);
        if (!isActor(actor)) return actor;
        const text = `${option(i, 'market') ?? ''} ${option(i, 'outcome') ?? ''} ${option(i, 'probability') ?? ''}%`;
        return message(
          await once(key, () => forecastFromChat(c.ctx, actor, text.replace(/\s+/g, ' '))),
        );
      }
      case 'parity': {
        const sub = i.data.options?.[0]?.name;
        if (sub === 'link') {
          const user = await linkedUser(c.ctx, id);
          return linkPrompt(
            c,
            id,
            user
              ? `This Discord account is linked to ${user.username}; to link it to another account,`
              : 'To forecast and trade from Discord,',
          );
        }
        if (sub === 'unlink') {
          return message(await unlinkFromChat(c.ctx, id));
        }
        if (sub === 'reminders') {
          const actor = await actorOr(c, id);
          if (!isActor(actor)) return actor;
          const on = option(i, 'enabled') === true;
          await setReminders(c.ctx, actor.user, on);
          return message(
            on ? 'Reminders are on: at most one direct message a day.' : 'Reminders are off.',
          );
        }
        return message('Use /parity link, /parity unlink or /parity reminders.');
      }
      default:
        return message(`Unknown command /${i.data?.name ?? ''}.`);
    }
  }
  const actor = await actorOr(c, id);
  if (!isActor(actor)) return actor;
  const customId = i.data?.custom_id ?? '';
  const [kind = '', rest = ''] = [customId.slice(0, 2), customId.slice(3)];
  if (i.type === InteractionType.MessageComponent) return component(c, actor, kind, rest, i, key);
  if (i.type === InteractionType.ModalSubmit) return submitModal(c, actor, kind, rest, i, key);
  return message('This kind of interaction is not supported.');
}

async function marketOf(c: ChatCtx, id: string): Promise<Market> {
  return marketView(await requireMarket(c.ctx.store, id));
}

async function component(
  c: ChatCtx,
  actor: Actor,
  kind: string,
  rest: string,
  i: DiscordInteraction,
  key: string,
): Promise<APIInteractionResponse> {
  switch (kind) {
    case 'pf': {
      const m = await marketOf(c, rest);
      if (m.status !== 'open') return settled(m);
      const components =
        m.type === 'binary'
          ? [
              textInput('p', `Your probability of ${m.outcomes[0]!.label} (%)`, {
                max: 6,
                value: String(Math.round(m.outcomes[0]!.probability * 100)),
              }),
            ]
          : [
              textInput('o', 'Outcome', {
                max: 80,
                placeholder: m.outcomes.map((o) => o.label).join(', '),
              }),
              textInput('p', 'Your probability of it (%)', { max: 6, placeholder: '40' }),
            ];
      return modal({ custom_id: `mf:${m.id}`, title: `Forecast: ${m.question}`, components });
    }
    case 'pb': {
      const ref = parseOutcomeRef(rest);
      const m = ref ? await marketOf(c, ref.marketId) : undefined;
      if (!ref || !m?.outcomes[ref.index])
        throw new DomainError('validation_failed', 'a malformed button');
      if (m.status !== 'open') return settled(m);
      return modal({
        custom_id: `mb:${rest}`,
        title: `Buy ${m.outcomes[ref.index]!.label}`,
        components: [textInput('a', 'Amount (credits)', { max: 12, value: '10' })],
      });
    }
    case 'pa': {
      const verb = i.data?.values?.[0];
      if (actor.user.role !== 'admin')
        throw new DomainError(
          'forbidden',
          `only admins can ${verb === 'close' ? 'close' : 'resolve'} markets`,
        );
      const m = await marketOf(c, rest);
      if (verb === 'close') {
        if (m.status !== 'open') return settled(m);
        return message(`Close trading on “${m.question}”? Trading stops for everyone.`, {
          components: [
            {
              type: ComponentType.ActionRow,
              components: [
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Danger,
                  label: 'Close trading',
                  custom_id: `cc:${m.id}`,
                },
              ],
            },
          ],
        });
      }
      if (m.status !== 'open' && m.status !== 'closed') return settled(m);
      return message(`Resolve “${m.question}”: what happened?`, {
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.StringSelect,
                custom_id: `rs:${m.id}`,
                options: [
                  ...m.outcomes.map((o, idx) => ({
                    label: clip(o.label, 100),
                    value: String(idx),
                  })),
                  { label: 'Cancel the market and refund everyone', value: 'cancel' },
                ],
              },
            ],
          },
        ],
      });
    }
    case 'rs': {
      if (actor.user.role !== 'admin')
        throw new DomainError('forbidden', 'only admins can resolve markets');
      const m = await marketOf(c, rest);
      const choice = i.data?.values?.[0] ?? '';
      const label =
        choice === 'cancel' ? 'cancelled (everyone refunded)' : m.outcomes[Number(choice)]?.label;
      if (!label) throw new DomainError('validation_failed', 'choose what happened');
      return message(
        `Resolve “${m.question}” as ${label}? Winning shares pay at once; this cannot be undone from Discord.`,
        {
          components: [
            {
              type: ComponentType.ActionRow,
              components: [
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Danger,
                  label: 'Resolve',
                  custom_id: `rc:${m.id}:${choice}`,
                },
              ],
            },
          ],
        },
      );
    }
    case 'cc':
      return message(await once(key, () => closeFromChat(c.ctx, actor, rest)));
    case 'rc': {
      const at = rest.lastIndexOf(':');
      const m = await marketOf(c, rest.slice(0, at));
      const choice = rest.slice(at + 1);
      const outcome = choice === 'cancel' ? 'cancel' : m.outcomes[Number(choice)]?.id;
      if (!outcome) throw new DomainError('validation_failed', 'choose what happened');
      return message(await once(key, () => resolveFromChat(c.ctx, actor, m.id, outcome)));
    }
    default:
      return message('This button is not Parity’s, or is out of date.');
  }
}

async function submitModal(
  c: ChatCtx,
  actor: Actor,
  kind: string,
  rest: string,
  i: DiscordInteraction,
  key: string,
): Promise<APIInteractionResponse> {
  if (kind === 'mf') {
    const m = await marketOf(c, rest);
    const raw = modalValue(i, 'p').trim().replace(/%$/, '');
    const p = Number(raw) / 100;
    if (!/^\d{1,3}(\.\d+)?$/.test(raw) || !(p >= 0 && p <= 1))
      throw new DomainError('validation_failed', 'a probability is a percentage from 0 to 100');
    if (m.type === 'binary') {
      return message(
        await once(key, () =>
          forecastMarket(c.ctx, actor, m.id, parse(ForecastRequest, { probability: p })),
        ),
      );
    }
    const label = modalValue(i, 'o').trim().toLowerCase();
    const index = m.outcomes.findIndex((o) => o.label.toLowerCase() === label);
    if (index < 0)
      throw new DomainError(
        'validation_failed',
        `no outcome “${modalValue(i, 'o').trim()}”: ${m.outcomes.map((o) => o.label).join(', ')}`,
      );
    const mine = (await c.ctx.store.forecastsOfMarket(m.id))
      .filter((f) => f.userId === actor.user.id)
      .at(-1);
    const req = parse(ForecastRequest, {
      probabilities: vectorFor(m, index, p, mine?.probabilities),
    });
    return message(await once(key, () => forecastMarket(c.ctx, actor, m.id, req)));
  }
  if (kind === 'mb') {
    const ref = parseOutcomeRef(rest);
    const m = ref ? await marketOf(c, ref.marketId) : undefined;
    const o = ref && m ? m.outcomes[ref.index] : undefined;
    if (!ref || !m || !o) throw new DomainError('validation_failed', 'a malformed form');
    const cents = parseCredits(modalValue(i, 'a'));
    return message(await once(key, () => buyFromChat(c.ctx, actor, m.id, o.id, cents)));
  }
  return message('This form is not Parity’s, or is out of date.');
}
