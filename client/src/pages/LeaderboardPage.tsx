// Replaced by the real page.
export default function LeaderboardPage() {
  return <p className="muted">LeaderboardPage</p>;
}
