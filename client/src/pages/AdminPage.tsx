import { Link, useSearchParams } from 'react-router-dom';
import { AuditLog } from '../components/admin/AuditLog.tsx';
import { CreateMarketForm } from '../components/admin/CreateMarketForm.tsx';
import { MarketAdminList } from '../components/admin/MarketAdminList.tsx';
import { SimulationSwitch } from '../components/admin/SimulationSwitch.tsx';
import { Webhooks } from '../components/admin/Webhooks.tsx';
import { Tabs } from '../components/Tabs.tsx';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

const SECTIONS = [
  { id: 'markets', label: 'Markets' },
  { id: 'create', label: 'New market' },
  { id: 'audit', label: 'Audit log' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'simulation', label: 'Simulation' },
] as const;
type Section = (typeof SECTIONS)[number]['id'];

/** `/admin`: create, close, resolve and cancel markets; audit log, webhooks and the simulation. */
export default function AdminPage() {
  const { me, isLoading } = useMe();
  const [params, setParams] = useSearchParams();
  usePageTitle('Admin');
  const section = (SECTIONS.find((s) => s.id === params.get('s'))?.id ?? 'markets') as Section;
  if (isLoading) return <p className="muted loading">Loading…</p>;
  if (me?.user.role !== 'admin') {
    return (
      <section className="page narrow panel">
        <h1>Admins only</h1>
        <p>This console is for administrators.</p>
        {!me && (
          <Link className="button" to="/login?next=/admin">
            Sign in
          </Link>
        )}
      </section>
    );
  }
  return (
    <section className="stack">
      <h1>Admin</h1>
      <Tabs
        label="Admin sections"
        tabs={SECTIONS}
        value={section}
        onChange={(id) => setParams(id === 'markets' ? {} : { s: id }, { replace: true })}
      />
      {section === 'markets' && <MarketAdminList />}
      {section === 'create' && <CreateMarketForm />}
      {section === 'audit' && <AuditLog />}
      {section === 'webhooks' && <Webhooks />}
      {section === 'simulation' && <SimulationSwitch />}
    </section>
  );
}
