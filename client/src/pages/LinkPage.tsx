import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useParams } from 'react-router-dom';
import { type ChatLink, LinkCode } from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { memberName, PLATFORM_NAME, placeName } from '../components/ChatAccounts.tsx';
import { dateTime, relative } from '../format.ts';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './link.css';

/**
 * `/link/:code`: the one-time URL `/parity link` answers with in Slack or Discord. The signed-in
 * user confirms, and the chat identity behind the code acts as them from then on.
 */
export default function LinkPage() {
  const { code = '' } = useParams();
  const { me, isLoading } = useMe();
  usePageTitle('Link a chat account');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading…
      </p>
    );
  }
  if (!me) return <Navigate to={`/login?next=/link/${encodeURIComponent(code)}`} replace />;
  return (
    <section className="page narrow">
      <div className="panel link-card">
        {LinkCode.safeParse(code).success ? (
          <ConfirmLink code={code} username={me.user.username} />
        ) : (
          <LinkError error={new ApiError(404, 'not_found', 'not a link code')} />
        )}
      </div>
    </section>
  );
}

function ConfirmLink({ code, username }: { code: string; username: string }) {
  const qc = useQueryClient();
  const preview = useQuery({
    queryKey: ['link', code],
    queryFn: () => api.linkPreview(code),
    // The answer holds until the code is used; asking again after that only says it is gone.
    staleTime: Number.POSITIVE_INFINITY,
    // An unknown, used or expired code stays that way: only a failure of the server is retried.
    retry: (failures, e) => !(e instanceof ApiError && e.status < 500) && failures < 1,
  });
  const confirm = useMutation({
    mutationFn: () => api.confirmLink(code),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me', 'chat'] }),
  });

  if (confirm.data) return <Linked link={confirm.data} username={username} />;
  const error = preview.error ?? confirm.error;
  // The session ended since the page loaded: sign in again and come back here.
  if (error instanceof ApiError && error.status === 401) {
    return <Navigate to={`/login?next=/link/${code}`} replace />;
  }
  if (error) return <LinkError error={error} />;
  if (!preview.data) {
    return (
      <p className="muted" aria-live="polite">
        Loading the link…
      </p>
    );
  }
  const { identity, expiresAt } = preview.data;
  const platform = PLATFORM_NAME[identity.platform];
  return (
    <>
      <h1>Link your {platform} account</h1>
      <p className="link-question" data-testid="link-preview">
        Link the {platform} account <strong>{memberName(identity)}</strong> ({placeName(identity)})
        to your Parity account <strong>{username}</strong>?
      </p>
      <p className="muted small">
        Whoever uses that {platform} account will forecast as you, so link only your own. This link
        works once and expires at <time dateTime={expiresAt}>{dateTime(expiresAt)}</time> (
        {relative(expiresAt)}).
      </p>
      <div className="row link-actions">
        <button
          type="button"
          disabled={confirm.isPending}
          onClick={() => confirm.mutate()}
          data-testid="link-confirm"
        >
          {confirm.isPending ? 'Linking…' : 'Link account'}
        </button>
        <Link to="/">Not now</Link>
      </div>
    </>
  );
}

function Linked({ link, username }: { link: ChatLink; username: string }) {
  const platform = PLATFORM_NAME[link.platform];
  return (
    <div className="link-done" role="status" data-testid="link-done">
      <h1>
        <span className="link-tick" aria-hidden="true">
          ✓
        </span>{' '}
        Linked
      </h1>
      <p>
        Your {platform} account <strong>{memberName(link)}</strong> now acts as{' '}
        <strong>{username}</strong> on Parity.
      </p>
      <p>
        Back in {platform}, <code>/forecast &lt;market&gt; 65%</code> records your forecast.
      </p>
      <p className="muted small">
        <Link to="/me">Your account</Link> lists your linked chat accounts: unlink them or turn the
        daily reminders off there.
      </p>
    </div>
  );
}

function LinkError({ error }: { error: unknown }) {
  const gone = error instanceof ApiError && error.code === 'not_found';
  return (
    <div className="link-error" role="alert" data-testid="link-error">
      <h1>{gone ? 'This link no longer works' : 'The account could not be linked'}</h1>
      {gone ? (
        <p>
          Link URLs work once, for 10 minutes, and this one was used or has expired. Run{' '}
          <code>/parity link</code> in Slack or Discord again for a new one.
        </p>
      ) : (
        <p className="error">{describeError(error)}</p>
      )}
      <p className="muted small">
        <Link to="/me">Your account</Link> lists the chat accounts already linked.
      </p>
    </div>
  );
}
