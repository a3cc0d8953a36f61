import type { Proposal, Space } from '../../../../shared/schemas/index.ts';
import { dateTime, relative } from '../../format.ts';
import { LinkifiedText } from '../LinkifiedText.tsx';

export const STATUS_TEXT: Record<Proposal['status'], string> = {
  pending: 'Pending review',
  approved: 'Approved',
  rejected: 'Rejected',
};

export function ProposalStatusBadge({ proposal }: { proposal: Proposal }) {
  return (
    <span className={`badge proposal-${proposal.status}`} data-testid="proposal-status">
      {STATUS_TEXT[proposal.status]}
    </span>
  );
}

/** Where a proposal goes: a space's name, or the public site. */
export function placeOf(p: Proposal, spaces: readonly Space[] | undefined): string {
  if (!p.spaceId) return 'Public site';
  return spaces?.find((s) => s.id === p.spaceId)?.name ?? 'a space';
}

/** A proposal's text as the proposer wrote it: criteria, background, outcomes and sources. */
export function ProposalSummary({ proposal: p }: { proposal: Proposal }) {
  return (
    <dl className="proposal-facts">
      <dt>Resolves</dt>
      <dd className="proposal-text">{p.criteria}</dd>
      {p.description && (
        <>
          <dt>Background</dt>
          <dd className="proposal-text">{p.description}</dd>
        </>
      )}
      <dt>Type</dt>
      <dd>{p.type === 'binary' ? 'Yes / No' : `Multiple choice: ${p.outcomes.join(', ')}`}</dd>
      <dt>Closes</dt>
      <dd>
        <time dateTime={p.closesAt}>{dateTime(p.closesAt)}</time>{' '}
        <span className="muted">({relative(p.closesAt)})</span>
      </dd>
      {p.sources.length > 0 && (
        <>
          <dt>Sources</dt>
          <dd>
            <ul className="proposal-sources">
              {p.sources.map((s) => (
                <li key={s}>
                  <LinkifiedText text={s} />
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
    </dl>
  );
}
