// Replaced by the real page.
export default function ChannelPage() {
  return <p className="muted">ChannelPage</p>;
}
