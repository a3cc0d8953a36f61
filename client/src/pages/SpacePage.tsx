import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { Space } from '../../../shared/schemas/index.ts';
import { ApiError, describeError } from '../api.ts';
import { CreateMarketForm } from '../components/admin/CreateMarketForm.tsx';
import { NewProposalForm } from '../components/proposals/ProposalForm.tsx';
import { InviteCreator } from '../components/space/InviteCreator.tsx';
import { SpaceBadge } from '../components/space/SpaceBadge.tsx';
import { SpaceLeaderboard } from '../components/space/SpaceLeaderboard.tsx';
import { SpaceMarkets } from '../components/space/SpaceMarkets.tsx';
import { SpaceMembers } from '../components/space/SpaceMembers.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { useSpace } from '../hooks/useSpaces.ts';
import './space.css';

type Section = 'markets' | 'leaderboard' | 'members' | 'propose' | 'invite' | 'create';

/**
 * `/spaces/:id`: a space's markets, leaderboard and members; proposing a question to it; and
 * for its moderators and owners, invite links and new markets. A private space the visitor is
 * not in answers as one that does not exist.
 */
export default function SpacePage() {
  const { id } = useParams<{ id: string }>();
  const q = useSpace(id);
  usePageTitle(q.data?.name ?? 'Space');
  if (q.error) {
    const missing = q.error instanceof ApiError && q.error.status === 404;
    return (
      <section className="page narrow" data-testid={missing ? 'space-not-found' : 'space-error'}>
        <h1>{missing ? 'No such space' : 'This space could not be loaded'}</h1>
        <p>
          {missing
            ? 'There is no space at this address, or it is private and you are not a member. Ask a member for an invite link.'
            : describeError(q.error)}
        </p>
        <Link to="/">Back to the markets</Link>
      </section>
    );
  }
  if (!q.data) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading the space…
      </p>
    );
  }
  return <SpaceView key={q.data.id} space={q.data} />;
}

function SpaceView({ space }: { space: Space }) {
  const { me } = useMe();
  const [params, setParams] = useSearchParams();
  const username = me?.user.username ?? null;
  const admin = me?.user.role === 'admin';
  // The server decides; these only choose which controls to offer.
  const owns = admin || space.role === 'owner';
  const moderates = owns || space.role === 'moderator';
  const member = !!space.role;
  const tabs: { id: Section; label: string }[] = [
    { id: 'markets', label: 'Markets' },
    { id: 'leaderboard', label: 'Leaderboard and calibration' },
    { id: 'members', label: 'Members' },
    ...(member || admin ? [{ id: 'propose' as const, label: 'Propose a question' }] : []),
    ...(moderates ? [{ id: 'invite' as const, label: 'Invite' }] : []),
    ...(moderates ? [{ id: 'create' as const, label: 'New market' }] : []),
  ];
  const section: Section = tabs.find((t) => t.id === params.get('tab'))?.id ?? 'markets';
  const label = tabs.find((t) => t.id === section)!.label;
  return (
    <section className="stack space-page" data-testid="space-page" data-space-id={space.id}>
      <header className="space-head">
        <div className="row">
          <SpaceBadge visibility={space.visibility} />
          {space.role && <span className="badge">you: {space.role}</span>}
        </div>
        <h1 data-testid="space-name">{space.name}</h1>
        <p className="muted small">
          {space.members} {space.members === 1 ? 'member' : 'members'}.{' '}
          {space.visibility === 'private'
            ? 'Only members see this space, its markets and its discussion.'
            : 'Anyone can see and trade on its markets.'}
        </p>
      </header>
      <Tabs
        label="Space sections"
        tabs={tabs}
        value={section}
        onChange={(t) => setParams(t === 'markets' ? {} : { tab: t }, { replace: true })}
      />
      <section aria-label={label}>
        {section === 'markets' && <SpaceMarkets spaceId={space.id} />}
        {section === 'leaderboard' && <SpaceLeaderboard spaceId={space.id} me={username} />}
        {section === 'members' && <SpaceMembers space={space} me={username} owns={owns} />}
        {section === 'propose' && <NewProposalForm spaceId={space.id} />}
        {section === 'invite' && <InviteCreator space={space} owns={owns} />}
        {section === 'create' && <CreateMarketForm spaceId={space.id} />}
      </section>
    </section>
  );
}
