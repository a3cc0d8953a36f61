import type {
  ActionsBlock,
  Button,
  InputBlock,
  KnownBlock,
  ModalView,
  Overflow,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { formatCredits } from '../../../shared/money.ts';
import type { Market, QuoteResponse } from '../../../shared/schemas/index.ts';
import { clip, percent } from '../../integrations/notification.ts';
import { escapeMrkdwn } from '../../integrations/slackFormat.ts';

/**
 * Slack Block Kit for two-way chat: the buttons on posted market messages and the modals they
 * open. Every field is clipped to Slack's own limit (button and option text 75, modal title
 * and submit 24, private_metadata 3000).
 */

export const ACTION = {
  forecast: 'parity_forecast',
  buy: 'parity_buy',
  admin: 'parity_admin',
  amount: 'parity_amount',
} as const;

export const VIEW = {
  forecast: 'parity_forecast',
  buy: 'parity_buy',
  close: 'parity_close',
  resolve: 'parity_resolve',
  create: 'parity_new',
} as const;

/** What a modal carries between opening and submission. */
export interface ViewMeta {
  /** The market. */
  m?: string;
  /** The outcome, by index. */
  o?: number;
  /** The channel the modal was opened from (the answer goes there, ephemerally). */
  c?: string;
}

const plain = (text: string, max: number) => ({
  type: 'plain_text' as const,
  text: clip(text, max),
  emoji: true,
});

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, 75), value };
}

/** `<market id>:<outcome index>`: fits Slack's values and Discord's 100-character custom ids. */
export function outcomeRef(marketId: string, index: number): string {
  return `${marketId}:${index}`;
}

export function parseOutcomeRef(ref: string): { marketId: string; index: number } | undefined {
  const m = /^([a-z0-9-]{1,80}):(\d{1,2})$/.exec(ref);
  return m ? { marketId: m[1]!, index: Number(m[2]) } : undefined;
}

/**
 * The action row of a posted market message: "Forecast" and "Buy" while it is open, the admin
 * overflow (Close, Resolve…) while it is open or closed, nothing once it is settled.
 */
export function marketActions(m: Market): ActionsBlock | undefined {
  const elements: (Button | Overflow)[] = [];
  if (m.status === 'open') {
    elements.push({
      type: 'button',
      action_id: ACTION.forecast,
      text: plain('Forecast', 75),
      value: m.id,
      style: 'primary',
    });
    const buyable = m.type === 'binary' ? m.outcomes : [];
    for (const [i, o] of buyable.entries()) {
      elements.push({
        type: 'button',
        action_id: `${ACTION.buy}_${i}`,
        text: plain(`Buy ${o.label}`, 75),
        value: outcomeRef(m.id, i),
      });
    }
    if (m.type === 'multiple') {
      elements.push({
        type: 'button',
        action_id: `${ACTION.buy}_any`,
        text: plain('Buy…', 75),
        value: outcomeRef(m.id, 0),
      });
    }
  }
  if (m.status === 'open' || m.status === 'closed') {
    const options = [option('Resolve…', `resolve:${m.id}`)];
    if (m.status === 'open') options.unshift(option('Close trading', `close:${m.id}`));
    elements.push({ type: 'overflow', action_id: ACTION.admin, options });
  }
  if (elements.length === 0) return undefined;
  return { type: 'actions', block_id: `parity_actions:${m.id}`, elements };
}

function meta(v: ViewMeta): string {
  return JSON.stringify(v);
}

export function readMeta(raw: string | undefined): ViewMeta {
  try {
    const v = JSON.parse(raw ?? '{}') as ViewMeta;
    return typeof v === 'object' && v !== null ? v : {};
  } catch {
    return {};
  }
}

function section(mrkdwn: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, 3000) } };
}

function questionBlock(m: Market): SectionBlock {
  return section(`*${escapeMrkdwn(m.question)}*`);
}

function textInput(
  blockId: string,
  label: string,
  opts: {
    initial?: string;
    placeholder?: string;
    multiline?: boolean;
    maxLength?: number;
    optional?: boolean;
    hint?: string;
    dispatch?: boolean;
  } = {},
): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, 2000),
    optional: opts.optional ?? false,
    dispatch_action: opts.dispatch ?? false,
    ...(opts.hint ? { hint: plain(opts.hint, 2000) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: blockId === 'amount' ? ACTION.amount : blockId,
      multiline: opts.multiline ?? false,
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(opts.initial !== undefined ? { initial_value: opts.initial } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder, 150) } : {}),
      ...(opts.dispatch
        ? { dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } }
        : {}),
    },
  };
}

function outcomeSelect(m: Market, blockId: string, label: string, initial?: number): InputBlock {
  const options = m.outcomes.map((o, i) =>
    option(`${o.label} (${percent(o.probability)})`, String(i)),
  );
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, 2000),
    element: {
      type: 'static_select',
      action_id: blockId,
      options,
      ...(initial !== undefined && options[initial] ? { initial_option: options[initial] } : {}),
    },
  };
}

function modal(
  callbackId: string,
  title: string,
  submit: string,
  blocks: KnownBlock[],
  v: ViewMeta,
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, 24),
    submit: plain(submit, 24),
    close: plain('Cancel', 24),
    private_metadata: meta(v),
    blocks,
  };
}

/** "Forecast": a probability for Yes, or an outcome and its probability. */
export function forecastModal(
  m: Market,
  channel: string | undefined,
  current?: number[],
): ModalView {
  const start = current ?? m.outcomes.map((o) => o.probability);
  const blocks: KnownBlock[] = [questionBlock(m)];
  if (m.type === 'multiple') blocks.push(outcomeSelect(m, 'outcome', 'Outcome', 0));
  blocks.push(
    textInput(
      'probability',
      m.type === 'binary'
        ? `Your probability of ${m.outcomes[0]!.label} (%)`
        : 'Your probability of that outcome (%)',
      {
        initial: m.type === 'binary' ? String(Math.round((start[0] ?? 0.5) * 100)) : undefined,
        placeholder: '65',
        maxLength: 6,
        hint:
          m.type === 'multiple'
            ? 'The other outcomes share the rest in proportion to your last forecast (or the market).'
            : undefined,
      },
    ),
  );
  return modal(VIEW.forecast, 'Forecast', 'Record', blocks, { m: m.id, c: channel });
}

/** What an amount would buy, as the buy modal shows it. */
export function quoteLine(
  m: Market,
  index: number,
  amountCents: number,
  q: QuoteResponse | undefined,
  why?: string,
): string {
  const o = m.outcomes[index]!;
  if (!q) return why ? `_${escapeMrkdwn(why)}_` : '';
  return `${formatCredits(amountCents)} credits buys about *${q.shares.toFixed(2)}* ${escapeMrkdwn(o.label)} shares · ${escapeMrkdwn(o.label)} ${percent(o.probability)} → ${percent(q.probabilities[index] ?? 0)}`;
}

/** "Buy": an amount of credits, with the quote for it (press Enter to requote). */
export function buyModal(
  m: Market,
  index: number,
  channel: string | undefined,
  amountCents: number,
  quoteText: string,
): ModalView {
  const o = m.outcomes[index]!;
  const blocks: KnownBlock[] = [questionBlock(m)];
  if (m.type === 'multiple') blocks.push(outcomeSelect(m, 'outcome', 'Outcome', index));
  blocks.push(
    textInput('amount', 'Amount (credits)', {
      initial: (amountCents / 100).toFixed(amountCents % 100 === 0 ? 0 : 2),
      maxLength: 12,
      dispatch: true,
      hint: 'Press Enter to see the quote for this amount.',
    }),
    {
      type: 'context',
      block_id: 'quote',
      elements: [{ type: 'mrkdwn', text: clip(quoteText || ' ', 3000) }],
    },
  );
  return modal(VIEW.buy, `Buy ${m.type === 'binary' ? o.label : ''}`.trim(), 'Buy', blocks, {
    m: m.id,
    o: index,
    c: channel,
  });
}

/** "Close trading": a confirmation. */
export function closeModal(m: Market, channel: string | undefined): ModalView {
  return modal(
    VIEW.close,
    'Close trading',
    'Close',
    [questionBlock(m), section('Trading stops for everyone. The market can still be resolved.')],
    { m: m.id, c: channel },
  );
}

/** "Resolve…": the outcome (or cancel and refund), confirmed by submitting. */
export function resolveModal(m: Market, channel: string | undefined): ModalView {
  const options = [
    ...m.outcomes.map((o, i) => option(o.label, String(i))),
    option('Cancel the market and refund everyone', 'cancel'),
  ];
  return modal(
    VIEW.resolve,
    'Resolve market',
    'Resolve',
    [
      questionBlock(m),
      {
        type: 'input',
        block_id: 'outcome',
        label: plain('What happened?', 2000),
        element: { type: 'static_select', action_id: 'outcome', options },
      },
      section('Winning shares pay 1 credit each, at once. This cannot be undone from Slack.'),
    ],
    { m: m.id, c: channel },
  );
}

/**
 * `/parity new`: a question, its close date, and outcomes for multiple choice. An admin's
 * opens at once; anyone else's is a proposal, for which the criteria are required.
 */
export function createModal(
  channel: string | undefined,
  today: string,
  propose = false,
): ModalView {
  return modal(
    VIEW.create,
    propose ? 'Propose a question' : 'New question',
    propose ? 'Propose' : 'Create',
    [
      textInput('question', 'Question', { maxLength: 300, placeholder: 'Will … by …?' }),
      {
        type: 'input',
        block_id: 'closes',
        label: plain('Trading closes on', 2000),
        element: { type: 'datepicker', action_id: 'closes', initial_date: today },
      },
      textInput('outcomes', 'Outcomes (one per line; leave empty for Yes/No)', {
        multiline: true,
        optional: true,
        maxLength: 2000,
      }),
      textInput('criteria', 'Resolution criteria', {
        multiline: true,
        optional: !propose,
        maxLength: 5000,
      }),
    ],
    { c: channel },
  );
}

/** An ephemeral answer: mrkdwn-escaped text, as a section and as the notification fallback. */
export function ephemeral(
  text: string,
  extra: KnownBlock[] = [],
): {
  response_type: 'ephemeral';
  text: string;
  blocks: KnownBlock[];
} {
  const safe = clip(escapeMrkdwn(text), 3000);
  return { response_type: 'ephemeral', text: safe, blocks: [section(safe), ...extra] };
}
