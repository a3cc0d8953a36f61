// Replaced by the real page.
export default function UserPage() {
  return <p className="muted">UserPage</p>;
}
