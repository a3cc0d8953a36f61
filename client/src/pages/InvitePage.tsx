import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { InviteToken, type Space } from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { SpaceBadge } from '../components/space/SpaceBadge.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import { retryServerErrors, useSpaces } from '../hooks/useSpaces.ts';
import './space.css';

/**
 * `/invite/:token`: an invite link to a space. It shows what it would join; the signed-in
 * user joins with one click (a signed-out one signs in first and comes back here).
 */
export default function InvitePage() {
  const { token = '' } = useParams();
  const { me, isLoading } = useMe();
  usePageTitle('Join a space');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading…
      </p>
    );
  }
  const here = `/invite/${encodeURIComponent(token)}`;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(here)}`} replace />;
  return (
    <section className="page narrow">
      <div className="panel invite-card">
        {InviteToken.safeParse(token).success ? (
          <Invite token={token} />
        ) : (
          <InviteGone error={new ApiError(404, 'not_found', 'not an invite token')} />
        )}
      </div>
    </section>
  );
}

function Invite({ token }: { token: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const spaces = useSpaces();
  const preview = useQuery({
    queryKey: ['invite', token],
    queryFn: () => api.invitePreview(token),
    // An expired or used-up link stays that way: only a failure of the server is retried.
    retry: retryServerErrors,
    staleTime: 60_000,
  });
  const join = useMutation({
    mutationFn: () => api.acceptInvite(token),
    onSuccess: async (space: Space) => {
      await qc.invalidateQueries({ queryKey: ['spaces'] });
      await qc.invalidateQueries({ queryKey: ['space', space.id] });
      navigate(`/spaces/${space.id}`, { replace: true });
    },
  });
  const error = preview.error ?? join.error;
  // The session ended since the page loaded: sign in again and come back.
  if (error instanceof ApiError && error.status === 401) {
    return <Navigate to={`/login?next=${encodeURIComponent(`/invite/${token}`)}`} replace />;
  }
  if (error) return <InviteGone error={error} />;
  if (!preview.data) {
    return (
      <p className="muted" aria-live="polite">
        Loading the invite…
      </p>
    );
  }
  const { space, role } = preview.data;
  const already = spaces.data?.find((s) => s.id === space.id && s.role);
  // Accepting again only matters when it raises a member to moderator.
  const upgrades = role === 'moderator' && already?.role === 'member';
  const open = already && !upgrades;
  return (
    <div data-testid="invite-preview">
      <SpaceBadge visibility={space.visibility} />
      <h1 data-testid="invite-space-name">{space.name}</h1>
      <p>
        You are invited to join <strong>{space.name}</strong> as a{' '}
        <strong data-testid="invite-role-name">{role}</strong>.{' '}
        {space.visibility === 'private'
          ? 'Its markets, trades and discussion are for its members only.'
          : 'Its markets are public; members propose the questions.'}
      </p>
      {role === 'moderator' && (
        <p className="muted small">
          Moderators also create markets, review proposed questions and resolve markets.
        </p>
      )}
      {already && (
        <p className="notice small">
          You are already a {already.role} of this space
          {upgrades ? '; joining makes you a moderator' : ''}.
        </p>
      )}
      <div className="row invite-actions">
        <button
          type="button"
          disabled={join.isPending}
          onClick={() => (open ? navigate(`/spaces/${space.id}`) : join.mutate())}
          data-testid="invite-join"
        >
          {join.isPending ? 'Joining…' : open ? 'Open the space' : `Join ${space.name}`}
        </button>
        <Link to="/">Not now</Link>
      </div>
    </div>
  );
}

function InviteGone({ error }: { error: unknown }) {
  const gone = error instanceof ApiError && error.code === 'not_found';
  return (
    <div role="alert" data-testid="invite-error">
      <h1>{gone ? 'This invite link does not work' : 'You could not join'}</h1>
      {gone ? (
        <p>
          This invite link does not exist, has expired or is used up. Ask the person who sent it for
          a new one.
        </p>
      ) : (
        <p className="error">{describeError(error)}</p>
      )}
      <p className="muted small">
        <Link to="/">Back to the markets</Link>
      </p>
    </div>
  );
}
