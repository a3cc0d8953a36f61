import type { Market } from '../../../shared/schemas/index.ts';
import { STATUS_LABEL } from '../format.ts';

export function StatusBadge({ market }: { market: Market }) {
  const outcome =
    market.status === 'resolved'
      ? market.outcomes.find((o) => o.id === market.resolution?.outcomeId)?.label
      : undefined;
  return (
    <span className={`badge badge-${market.status}`}>
      {STATUS_LABEL[market.status]}
      {outcome ? `: ${outcome}` : ''}
    </span>
  );
}
