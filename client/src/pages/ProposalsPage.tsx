import { useQuery } from '@tanstack/react-query';
import { Navigate, useSearchParams } from 'react-router-dom';
import { api, describeError } from '../api.ts';
import { MyProposals } from '../components/proposals/MyProposals.tsx';
import { NewProposalForm } from '../components/proposals/ProposalForm.tsx';
import { ReviewQueue } from '../components/proposals/ReviewQueue.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { useSpaces } from '../hooks/useSpaces.ts';
import './proposals.css';

type Section = 'mine' | 'review' | 'new';

/**
 * `/proposals`: questions the user proposed and what became of them; for reviewers (admins,
 * and the moderators and owners of a space) the queue of pending proposals; and a form to
 * propose a question to the public site or a space.
 */
export default function ProposalsPage() {
  const { me, isLoading } = useMe();
  const [params, setParams] = useSearchParams();
  const spaces = useSpaces();
  const username = me?.user.username ?? null;
  const q = useQuery({
    queryKey: ['proposals', username],
    queryFn: () => api.proposals(),
    enabled: username !== null,
  });
  usePageTitle('Proposals');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading…
      </p>
    );
  }
  if (!me) return <Navigate to="/login?next=/proposals" replace />;

  const all = q.data ?? [];
  const mine = all.filter((p) => p.proposer === username);
  // The server adds look-alikes to exactly the pending proposals the caller reviews.
  const queue = all.filter((p) => p.status === 'pending' && p.duplicates !== undefined);
  const reviewer =
    me.user.role === 'admin' ||
    queue.length > 0 ||
    (spaces.data ?? []).some((s) => s.role === 'owner' || s.role === 'moderator');
  const tabs = [
    {
      id: 'mine' as const,
      label: (
        <>
          My proposals <span className="count">{mine.length}</span>
        </>
      ),
    },
    ...(reviewer
      ? [
          {
            id: 'review' as const,
            label: (
              <>
                Review queue <span className="count">{queue.length}</span>
              </>
            ),
          },
        ]
      : []),
    { id: 'new' as const, label: 'Propose a question' },
  ];
  const asked = params.get('s');
  const section: Section = tabs.find((t) => t.id === asked)?.id ?? 'mine';
  return (
    <section className="stack proposals-page">
      <h1>Proposals</h1>
      <Tabs
        label="Proposals"
        tabs={tabs}
        value={section}
        onChange={(id) => setParams(id === 'mine' ? {} : { s: id }, { replace: true })}
      />
      {q.error ? (
        <p className="error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      {q.isLoading && section !== 'new' && <p className="muted">Loading proposals…</p>}
      {q.data && section === 'mine' && <MyProposals proposals={mine} spaces={spaces.data} />}
      {q.data && section === 'review' && <ReviewQueue proposals={queue} spaces={spaces.data} />}
      {section === 'new' && <NewProposalForm chooseSpace />}
    </section>
  );
}
