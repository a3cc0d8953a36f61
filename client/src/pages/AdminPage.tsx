import { Link, useSearchParams } from 'react-router-dom';
import { AuditLog } from '../components/admin/AuditLog.tsx';
import { CreateMarketForm } from '../components/admin/CreateMarketForm.tsx';
import { Deliveries } from '../components/admin/Deliveries.tsx';
import { MarketAdminList } from '../components/admin/MarketAdminList.tsx';
import { SimulationSwitch } from '../components/admin/SimulationSwitch.tsx';
import { Webhooks } from '../components/admin/Webhooks.tsx';
import { CsvDownloads } from '../components/CsvDownloads.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './admin.css';

const SECTIONS = [
  { id: 'markets', label: 'Markets' },
  { id: 'create', label: 'New market' },
  { id: 'audit', label: 'Audit log' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'deliveries', label: 'Deliveries' },
  { id: 'simulation', label: 'Simulation' },
] as const;
type Section = (typeof SECTIONS)[number]['id'];

/** `/admin`: markets and their lifecycle, the audit log, team-channel webhooks, the simulation. */
export default function AdminPage() {
  const { me, isLoading } = useMe();
  const [params, setParams] = useSearchParams();
  const section: Section = SECTIONS.find((s) => s.id === params.get('s'))?.id ?? 'markets';
  const label = SECTIONS.find((s) => s.id === section)!.label;
  usePageTitle(me?.user.role === 'admin' ? `Admin · ${label}` : 'Admin');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading…
      </p>
    );
  }
  if (me?.user.role !== 'admin') {
    return (
      <section className="page narrow panel" data-testid="admin-denied">
        <h1>Admins only</h1>
        <p>
          This console creates, closes and resolves markets and runs the simulation, so only
          administrators can use it.{' '}
          {me ? `You are signed in as ${me.user.username}, a trader.` : 'You are not signed in.'}
        </p>
        <div className="row">
          {!me && (
            <Link className="button" to="/login?next=/admin">
              Sign in as an admin
            </Link>
          )}
          <Link className="button ghost" to="/">
            Back to the markets
          </Link>
        </div>
      </section>
    );
  }
  return (
    <section className="stack admin-page">
      <h1>Admin</h1>
      <Tabs
        label="Admin sections"
        tabs={SECTIONS}
        value={section}
        onChange={(id) => setParams(id === 'markets' ? {} : { s: id }, { replace: true })}
      />
      <section aria-label={label}>
        {section === 'markets' && <MarketAdminList />}
        {section === 'create' && <CreateMarketForm />}
        {section === 'audit' && <AuditLog />}
        {section === 'webhooks' && <Webhooks />}
        {section === 'deliveries' && <Deliveries />}
        {section === 'simulation' && <SimulationSwitch />}
      </section>
      <CsvDownloads
        title="Export everything as CSV"
        testId="admin-csv"
        files={[
          { label: 'trades', href: '/api/admin/export/trades.csv' },
          { label: 'forecasts', href: '/api/admin/export/forecasts.csv' },
          { label: 'ledger', href: '/api/admin/export/ledger.csv' },
        ]}
      />
    </section>
  );
}
