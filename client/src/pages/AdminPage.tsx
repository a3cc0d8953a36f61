// Replaced by the real page.
export default function AdminPage() {
  return <p className="muted">AdminPage</p>;
}
