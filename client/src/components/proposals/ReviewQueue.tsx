import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  type Market,
  type Proposal,
  RejectProposalRequest,
  type Space,
  UpdateProposalRequest,
} from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime, relative } from '../../format.ts';
import { changedFields, draftOf, issueText } from '../../lib/proposalDraft.ts';
import { ProposalFields } from './ProposalForm.tsx';
import { ProposalSummary, placeOf } from './ProposalSummary.tsx';

interface Decided {
  proposal: Proposal;
  market?: Market;
}

/**
 * Pending proposals the user reviews (the admins: the public site's and every space's; a
 * space's moderators and owners: that space's), each with any look-alike questions, to edit,
 * approve (the market opens at once) or reject with a reason.
 */
export function ReviewQueue({
  proposals,
  spaces,
}: {
  proposals: readonly Proposal[];
  spaces: readonly Space[] | undefined;
}) {
  const [decided, setDecided] = useState<Decided[]>([]);
  return (
    <div className="stack">
      {decided.length > 0 && (
        <ul className="proposal-decided" aria-label="Decided just now">
          {decided.map((d) => (
            <li
              key={d.proposal.id}
              className={d.market ? 'success' : 'notice'}
              data-testid="proposal-decided"
            >
              {d.market ? (
                <>
                  Approved “{d.proposal.question}”:{' '}
                  <Link to={`/markets/${d.market.id}`} data-testid="approved-market-link">
                    open the market
                  </Link>
                  .
                </>
              ) : (
                <>
                  Rejected “{d.proposal.question}”: {d.proposal.reason}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {proposals.length === 0 ? (
        <p className="muted panel" data-testid="review-empty">
          Nothing waits for review.
        </p>
      ) : (
        <ul className="proposal-list" data-testid="review-queue">
          {proposals.map((p) => (
            <ReviewItem
              key={p.id}
              proposal={p}
              spaces={spaces}
              onDecided={(d) => setDecided((old) => [d, ...old])}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function ReviewItem({
  proposal: p,
  spaces,
  onDecided,
}: {
  proposal: Proposal;
  spaces: readonly Space[] | undefined;
  onDecided: (d: Decided) => void;
}) {
  const qc = useQueryClient();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(() => draftOf(p));
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [pending, setPending] = useState(false);

  const act = async (work: () => Promise<Decided>) => {
    setPending(true);
    setErrors([]);
    try {
      const d = await work();
      onDecided(d);
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['proposals'] }),
        qc.invalidateQueries({ queryKey: ['markets'] }),
      ]);
    } catch (e) {
      setErrors([describeError(e)]);
    } finally {
      setPending(false);
    }
  };
  const approve = () => {
    const parsed = UpdateProposalRequest.safeParse(editing ? changedFields(p, draft) : {});
    if (!parsed.success) {
      setErrors(parsed.error.issues.map(issueText));
      return;
    }
    void act(() => api.approveProposal(p.id, parsed.data));
  };
  const reject = () => {
    const parsed = RejectProposalRequest.safeParse({ reason });
    if (!parsed.success) {
      setErrors(['Say why in at least 3 characters: the proposer sees it.']);
      return;
    }
    void act(async () => ({ proposal: await api.rejectProposal(p.id, parsed.data.reason) }));
  };

  return (
    <li className="panel proposal" data-testid="review-item" data-proposal-id={p.id}>
      <div className="spread proposal-head">
        <span className="badge">{placeOf(p, spaces)}</span>
        <span className="muted small">
          by <Link to={`/users/${p.proposer}`}>{p.proposer}</Link>,{' '}
          <time dateTime={p.createdAt} title={dateTime(p.createdAt)}>
            {relative(p.createdAt)}
          </time>
        </span>
      </div>
      <h3 className="proposal-q">{p.question}</h3>
      {(p.duplicates ?? []).length > 0 && (
        <div className="notice proposal-dupes" role="note" data-testid="proposal-duplicates">
          <strong>Looks like a question already asked:</strong>
          <ul>
            {p.duplicates!.map((d) => (
              <li key={`${d.kind}:${d.id}`}>
                {d.kind === 'market' ? (
                  <>
                    the market <Link to={`/markets/${d.id}`}>{d.question}</Link>
                  </>
                ) : (
                  <>another pending proposal: “{d.question}”</>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {editing ? (
        <div className="proposal-edit">
          <ProposalFields draft={draft} onChange={setDraft} />
        </div>
      ) : (
        <ProposalSummary proposal={p} />
      )}
      {rejecting && (
        <div className="field">
          <label htmlFor={`${id}-reason`}>Why not (the proposer sees this)</label>
          <textarea
            id={`${id}-reason`}
            rows={2}
            value={reason}
            maxLength={2000}
            onChange={(e) => setReason(e.target.value)}
            data-testid="reject-reason"
          />
        </div>
      )}
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <div className="row review-actions">
        {rejecting ? (
          <>
            <button
              type="button"
              className="danger"
              disabled={pending}
              onClick={reject}
              data-testid="reject-confirm"
            >
              {pending ? 'Rejecting…' : 'Reject with this reason'}
            </button>
            <button type="button" className="ghost" onClick={() => setRejecting(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" disabled={pending} onClick={approve} data-testid="approve">
              {pending ? 'Opening…' : editing ? 'Approve with edits' : 'Approve'}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setEditing(!editing);
                setDraft(draftOf(p));
              }}
              data-testid="review-edit"
            >
              {editing ? 'Discard edits' : 'Edit first'}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => setRejecting(true)}
              data-testid="reject"
            >
              Reject…
            </button>
          </>
        )}
      </div>
    </li>
  );
}
