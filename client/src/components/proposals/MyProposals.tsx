import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Proposal, Space } from '../../../../shared/schemas/index.ts';
import { dateTime, relative } from '../../format.ts';
import { EditProposalForm } from './ProposalForm.tsx';
import { ProposalStatusBadge, ProposalSummary, placeOf } from './ProposalSummary.tsx';

/** The user's own proposals, newest first: what was decided, and why when rejected. */
export function MyProposals({
  proposals,
  spaces,
}: {
  proposals: readonly Proposal[];
  spaces: readonly Space[] | undefined;
}) {
  if (proposals.length === 0) {
    return (
      <p className="muted panel" data-testid="my-proposals-empty">
        You have not proposed a question yet.
      </p>
    );
  }
  return (
    <ul className="proposal-list" data-testid="my-proposals">
      {proposals.map((p) => (
        <MyProposal key={p.id} proposal={p} spaces={spaces} />
      ))}
    </ul>
  );
}

function MyProposal({
  proposal: p,
  spaces,
}: {
  proposal: Proposal;
  spaces: readonly Space[] | undefined;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <li className="panel proposal" data-testid="my-proposal" data-proposal-id={p.id}>
      <div className="spread proposal-head">
        <ProposalStatusBadge proposal={p} />
        <span className="muted small">
          {placeOf(p, spaces)} · proposed{' '}
          <time dateTime={p.createdAt} title={dateTime(p.createdAt)}>
            {relative(p.createdAt)}
          </time>
        </span>
      </div>
      <h3 className="proposal-q">{p.question}</h3>
      {p.status === 'approved' && p.marketId && (
        <p className="success" data-testid="proposal-market">
          Opened as a market{p.decidedBy ? ` by ${p.decidedBy}` : ''}:{' '}
          <Link to={`/markets/${p.marketId}`} data-testid="proposal-market-link">
            trade on it
          </Link>
          .
        </p>
      )}
      {p.status === 'rejected' && (
        <p className="notice" data-testid="proposal-reason">
          Rejected{p.decidedBy ? ` by ${p.decidedBy}` : ''}
          {p.decidedAt ? `, ${relative(p.decidedAt)}` : ''}: {p.reason ?? 'no reason given'}
        </p>
      )}
      {editing ? (
        <EditProposalForm proposal={p} onDone={() => setEditing(false)} />
      ) : (
        <>
          <ProposalSummary proposal={p} />
          {p.status === 'pending' && (
            <button
              type="button"
              className="ghost small-btn"
              onClick={() => setEditing(true)}
              data-testid="proposal-edit"
            >
              Edit
            </button>
          )}
        </>
      )}
    </li>
  );
}
