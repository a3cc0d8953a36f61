// Replaced by the real page.
export default function MarketPage() {
  return <p className="muted">MarketPage</p>;
}
