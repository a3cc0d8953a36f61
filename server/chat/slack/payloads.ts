import { z } from 'zod';

/**
 * The parts of Slack's requests that Parity reads, validated at the edge like any other input.
 * Slack sends many more fields; they are ignored (objects are not strict).
 */

const Id = z.string().min(1).max(64);

/** A slash command's form (`application/x-www-form-urlencoded`). */
export const SlackCommandForm = z.object({
  command: z.string().max(100).default('/odds'),
  text: z.string().max(4000).default(''),
  team_id: Id.optional(),
  user_id: Id.optional(),
  // Display only: a long name is cut, not a reason to refuse a signed command (the 16 KB body
  // limit bounds it).
  user_name: z
    .string()
    .transform((n) => n.slice(0, 100))
    .optional(),
  channel_id: Id.optional(),
  trigger_id: z.string().max(200).optional(),
  response_url: z.url().max(2000).optional(),
});
export type SlackCommandForm = z.infer<typeof SlackCommandForm>;

const User = z.object({
  id: Id,
  username: z.string().max(100).optional(),
  name: z.string().max(100).optional(),
  team_id: Id.optional(),
});

const Team = z.object({ id: Id }).nullable().optional();

/** One value of a submitted (or dispatched) input, whatever its element. */
const StateValue = z.object({
  type: z.string().max(64),
  value: z.string().max(10_000).nullable().optional(),
  selected_option: z
    .object({ value: z.string().max(150) })
    .nullable()
    .optional(),
  selected_date: z.string().max(20).nullable().optional(),
});

const ViewState = z.object({
  values: z.record(z.string().max(255), z.record(z.string().max(255), StateValue)),
});

const View = z.object({
  id: Id,
  hash: z.string().max(200).optional(),
  callback_id: z.string().max(255).default(''),
  private_metadata: z.string().max(3000).default(''),
  state: ViewState.default({ values: {} }),
});

const Action = z.object({
  action_id: z.string().max(255),
  block_id: z.string().max(255).optional(),
  value: z.string().max(2000).optional(),
  selected_option: z.object({ value: z.string().max(150) }).optional(),
});

export const BlockActions = z.object({
  type: z.literal('block_actions'),
  team: Team,
  user: User,
  trigger_id: z.string().max(200),
  response_url: z.url().max(2000).optional(),
  channel: z.object({ id: Id }).optional(),
  view: View.optional(),
  actions: z.array(Action).min(1).max(10),
});
export type BlockActions = z.infer<typeof BlockActions>;

export const ViewSubmission = z.object({
  type: z.literal('view_submission'),
  team: Team,
  user: User,
  view: View,
});
export type ViewSubmission = z.infer<typeof ViewSubmission>;

/** `view_closed` and the rest: acknowledged, nothing to do. */
const Other = z.object({
  type: z
    .string()
    .max(64)
    .refine((t) => t !== 'block_actions' && t !== 'view_submission', 'a malformed interaction'),
});

export const SlackInteraction = z.union([BlockActions, ViewSubmission, Other]);
export type SlackInteraction = z.infer<typeof SlackInteraction>;

export type SlackViewState = z.infer<typeof ViewState>;

/** A submitted input's text (or selected value, or date). */
export function stateText(state: SlackViewState, block: string): string | undefined {
  const v = Object.values(state.values[block] ?? {})[0];
  return v?.value ?? v?.selected_option?.value ?? v?.selected_date ?? undefined;
}
