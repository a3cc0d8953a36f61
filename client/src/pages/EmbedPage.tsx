// Replaced by the real page.
export default function EmbedPage() {
  return <p className="muted">EmbedPage</p>;
}
