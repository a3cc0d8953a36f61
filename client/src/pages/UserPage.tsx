import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { ApiError, api, describeError } from '../api.ts';
import { BotBadge, isBot } from '../components/BotBadge.tsx';
import { CsvDownloads } from '../components/CsvDownloads.tsx';
import { ForecastHistory } from '../components/ForecastHistory.tsx';
import { ProfileStats } from '../components/ProfileStats.tsx';
import { date } from '../format.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

/** `/users/:username`: a forecaster's public record: profit, scores, calibration, forecasts. */
export default function UserPage() {
  const { username = '' } = useParams<{ username: string }>();
  usePageTitle(username);
  const q = useQuery({
    queryKey: ['profile', username],
    queryFn: () => api.profile(username),
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
  });
  if (q.error) {
    const missing =
      q.error instanceof ApiError &&
      (q.error.status === 404 || q.error.code === 'validation_failed');
    return (
      <section className="page narrow panel" data-testid="profile-missing">
        <h1>{missing ? 'No such forecaster' : 'The profile could not be loaded'}</h1>
        <p>
          {missing
            ? `Nobody here goes by “${username}”.${
                /^[a-z0-9_]{3,32}$/.test(username)
                  ? ''
                  : ' Usernames are 3–32 characters of a–z, 0–9 and _.'
              }`
            : describeError(q.error)}
        </p>
        <Link className="button ghost" to="/leaderboard">
          See the leaderboard
        </Link>
      </section>
    );
  }
  if (!q.data) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading profile…
      </p>
    );
  }
  const u = q.data.user;
  return (
    <section className="stack">
      <header>
        <h1 data-testid="profile-name">
          {u.username} {u.role === 'admin' && <span className="badge">Admin</span>}{' '}
          <BotBadge username={u.username} />
        </h1>
        <p className="muted" data-testid="profile-meta">
          {isBot(u.username)
            ? 'Simulated trader'
            : u.role === 'admin'
              ? 'Administrator'
              : 'Forecaster'}{' '}
          · joined {date(u.createdAt)} · {q.data.stats.forecasts}{' '}
          {q.data.stats.forecasts === 1 ? 'forecast' : 'forecasts'}, {q.data.stats.resolved} on
          resolved questions
        </p>
      </header>
      <ProfileStats profile={q.data} />
      <ForecastHistory username={u.username} />
      <CsvDownloads
        title="Download as CSV"
        testId="profile-csv"
        files={[
          {
            label: 'forecasts',
            href: `/api/users/${encodeURIComponent(u.username)}/forecasts.csv`,
          },
        ]}
      />
    </section>
  );
}
