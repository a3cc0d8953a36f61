import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { ApiError, api, describeError } from '../api.ts';
import { ForecastHistory } from '../components/ForecastHistory.tsx';
import { ProfileStats } from '../components/ProfileStats.tsx';
import { date } from '../format.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

/** `/users/:username`: a forecaster's public record: profit, scores, calibration, forecasts. */
export default function UserPage() {
  const { username = '' } = useParams<{ username: string }>();
  usePageTitle(username);
  const q = useQuery({ queryKey: ['profile', username], queryFn: () => api.profile(username) });
  if (q.error) {
    return (
      <section className="page narrow">
        <h1>{q.error instanceof ApiError && q.error.status === 404 ? 'No such user' : 'Error'}</h1>
        <p>{describeError(q.error)}</p>
        <Link to="/leaderboard">See the leaderboard</Link>
      </section>
    );
  }
  if (!q.data) return <p className="muted loading">Loading profile…</p>;
  const u = q.data.user;
  return (
    <section className="stack">
      <header>
        <h1 data-testid="profile-name">{u.username}</h1>
        <p className="muted">
          {u.role === 'admin' ? 'Admin · ' : ''}Forecasting since {date(u.createdAt)}
        </p>
      </header>
      <ProfileStats profile={q.data} />
      <ForecastHistory username={u.username} />
    </section>
  );
}
