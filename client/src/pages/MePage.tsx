// Replaced by the real page.
export default function MePage() {
  return <p className="muted">MePage</p>;
}
