import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  ButtonStyle,
  ComponentType,
} from 'discord-api-types/v10';
import type { Market } from '../../../shared/schemas/index.ts';
import { clip } from '../../integrations/notification.ts';
import { outcomeRef } from '../slack/blocks.ts';

/** Buttons under a posted market message: Forecast and Buy while open, admin actions until settled. */
export function discordComponents(
  m: Market,
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const row: APIComponentInMessageActionRow[] = [];
  if (m.status === 'open') {
    row.push({
      type: ComponentType.Button,
      style: ButtonStyle.Primary,
      label: 'Forecast',
      custom_id: `pf:${m.id}`,
    });
    if (m.type === 'binary') {
      for (const [i, o] of m.outcomes.entries()) {
        row.push({
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: clip(`Buy ${o.label}`, 80),
          custom_id: `pb:${outcomeRef(m.id, i)}`,
        });
      }
    }
  }
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  if (row.length > 0) rows.push({ type: ComponentType.ActionRow, components: row });
  if (m.status === 'open' || m.status === 'closed') {
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: `pa:${m.id}`,
          placeholder: 'Admin…',
          options: [
            ...(m.status === 'open' ? [{ label: 'Close trading', value: 'close' }] : []),
            { label: 'Resolve…', value: 'resolve' },
          ],
        },
      ],
    });
  }
  return rows;
}
