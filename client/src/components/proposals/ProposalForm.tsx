import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  CreateProposalRequest,
  type Proposal,
  UpdateProposalRequest,
} from '../../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../../api.ts';
import { useSpaces } from '../../hooks/useSpaces.ts';
import {
  changedFields,
  draftOf,
  emptyDraft,
  fieldsOf,
  issueText,
  type ProposalDraft,
} from '../../lib/proposalDraft.ts';

/** The fields of a proposal, controlled: for proposing, editing and a reviewer's edits. */
export function ProposalFields({
  draft,
  onChange,
}: {
  draft: ProposalDraft;
  onChange: (d: ProposalDraft) => void;
}) {
  const id = useId();
  const set = (patch: Partial<ProposalDraft>) => onChange({ ...draft, ...patch });
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-q`}>Question</label>
        <input
          id={`${id}-q`}
          value={draft.question}
          onChange={(e) => set({ question: e.target.value })}
          maxLength={300}
          placeholder="Will … by …?"
          data-testid="proposal-question"
          required
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-c`}>Resolution criteria</label>
        <textarea
          id={`${id}-c`}
          rows={3}
          value={draft.criteria}
          onChange={(e) => set({ criteria: e.target.value })}
          placeholder="Resolves Yes if … according to …"
          data-testid="proposal-criteria"
          required
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-d`}>Background (optional)</label>
        <textarea
          id={`${id}-d`}
          rows={2}
          value={draft.description}
          onChange={(e) => set({ description: e.target.value })}
        />
      </div>
      <div className="form-grid">
        <fieldset className="field">
          <legend>Type</legend>
          <div className="segmented">
            <button
              type="button"
              aria-pressed={draft.type === 'binary'}
              onClick={() => set({ type: 'binary' })}
            >
              Yes / No
            </button>
            <button
              type="button"
              aria-pressed={draft.type === 'multiple'}
              onClick={() => set({ type: 'multiple' })}
            >
              Multiple choice
            </button>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-t`}>Closes at (your time)</label>
          <input
            id={`${id}-t`}
            type="datetime-local"
            value={draft.closesAt}
            onChange={(e) => set({ closesAt: e.target.value })}
            data-testid="proposal-closes"
          />
        </div>
      </div>
      {draft.type === 'multiple' && (
        <div className="field">
          <label htmlFor={`${id}-o`}>Outcomes, one a line (2–20)</label>
          <textarea
            id={`${id}-o`}
            rows={4}
            value={draft.outcomes}
            onChange={(e) => set({ outcomes: e.target.value })}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-s`}>Sources, one address a line (optional)</label>
        <textarea
          id={`${id}-s`}
          rows={2}
          value={draft.sources}
          onChange={(e) => set({ sources: e.target.value })}
          placeholder="https://…"
        />
      </div>
    </>
  );
}

function errorsOf(e: unknown): string[] {
  if (e instanceof ApiError && e.code === 'rate_limited') {
    return [`${e.message.replace(/^at most/, 'At most')}. Try again tomorrow.`];
  }
  return [describeError(e)];
}

function Errors({ errors }: { errors: string[] }) {
  if (!errors.length) return null;
  return (
    <ul className="error" role="alert">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

/**
 * Proposes a question for review: to `spaceId`, or, with `chooseSpace`, to the public site or
 * one of the user's spaces.
 */
export function NewProposalForm({
  spaceId,
  chooseSpace = false,
}: {
  spaceId?: string;
  chooseSpace?: boolean;
}) {
  const qc = useQueryClient();
  const id = useId();
  const spaces = useSpaces();
  const [where, setWhere] = useState(spaceId ?? '');
  const [draft, setDraft] = useState(() => emptyDraft());
  const [errors, setErrors] = useState<string[]>([]);
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState<Proposal | null>(null);
  const target = chooseSpace ? where : (spaceId ?? '');
  const submit = async () => {
    setErrors([]);
    setSent(null);
    const parsed = CreateProposalRequest.safeParse({
      ...fieldsOf(draft),
      ...(target ? { spaceId: target } : {}),
    });
    if (!parsed.success) {
      setErrors(parsed.error.issues.map(issueText));
      return;
    }
    setPending(true);
    try {
      setSent(await api.propose(parsed.data));
      setDraft(emptyDraft());
      await qc.invalidateQueries({ queryKey: ['proposals'] });
    } catch (e) {
      setErrors(errorsOf(e));
    } finally {
      setPending(false);
    }
  };
  const members = (spaces.data ?? []).filter((s) => s.role);
  return (
    <form
      className="panel"
      aria-labelledby={`${id}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="propose-form"
    >
      <h2 id={`${id}-h`}>Propose a question</h2>
      <p className="muted small">
        {target
          ? "The space's moderators review it: they may edit it, then open it as a market or say why not."
          : 'The admins review it: they may edit it, then open it as a market or say why not.'}{' '}
        A good question has a clear answer by a date, and criteria anyone could check.
      </p>
      {chooseSpace && (
        <div className="field">
          <label htmlFor={`${id}-where`}>Where</label>
          <select
            id={`${id}-where`}
            value={where}
            onChange={(e) => setWhere(e.target.value)}
            data-testid="proposal-where"
          >
            <option value="">Public site</option>
            {members.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <ProposalFields draft={draft} onChange={setDraft} />
      <Errors errors={errors} />
      {sent && (
        <p className="success" role="status" data-testid="proposal-sent">
          Sent for review: “{sent.question}”. <Link to="/proposals">Your proposals</Link> show what
          the reviewers decide.
        </p>
      )}
      <button type="submit" disabled={pending} data-testid="proposal-submit">
        {pending ? 'Sending…' : 'Send for review'}
      </button>
    </form>
  );
}

/** Edits a pending proposal (its proposer, or a reviewer before deciding). */
export function EditProposalForm({ proposal, onDone }: { proposal: Proposal; onDone: () => void }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(proposal));
  const [errors, setErrors] = useState<string[]>([]);
  const [pending, setPending] = useState(false);
  const submit = async () => {
    setErrors([]);
    const parsed = UpdateProposalRequest.safeParse(changedFields(proposal, draft));
    if (!parsed.success) {
      setErrors(parsed.error.issues.map(issueText));
      return;
    }
    if (Object.keys(parsed.data).length === 0) {
      onDone();
      return;
    }
    setPending(true);
    try {
      await api.updateProposal(proposal.id, parsed.data);
      await qc.invalidateQueries({ queryKey: ['proposals'] });
      onDone();
    } catch (e) {
      setErrors(errorsOf(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <form
      className="proposal-edit"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      data-testid="proposal-edit-form"
    >
      <ProposalFields draft={draft} onChange={setDraft} />
      <Errors errors={errors} />
      <div className="row">
        <button type="submit" disabled={pending} data-testid="proposal-save">
          {pending ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
