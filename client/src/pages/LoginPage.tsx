// Replaced by the real page.
export default function LoginPage() {
  return <p className="muted">LoginPage</p>;
}
