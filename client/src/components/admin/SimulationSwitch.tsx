import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, describeError } from '../../api.ts';

/** Starts and stops the live simulation bots, with their seed and trading rate. */
export function SimulationSwitch() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['simulation'], queryFn: api.simulation });
  const [seed, setSeed] = useState('');
  const [rate, setRate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (q.data) {
      setSeed(String(q.data.seed));
      setRate(String(q.data.tradesPerMinute));
    }
  }, [q.data]);
  if (q.error) return <p className="error">{describeError(q.error)}</p>;
  if (!q.data) return <p className="muted">Loading…</p>;
  const running = q.data.running;
  const apply = async (next: boolean) => {
    setError(null);
    setPending(true);
    try {
      const body: { running: boolean; seed?: number; tradesPerMinute?: number } = { running: next };
      if (seed.trim()) body.seed = Number(seed);
      if (rate.trim()) body.tradesPerMinute = Number(rate);
      qc.setQueryData(['simulation'], await api.setSimulation(body));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <section className="panel narrow-panel" aria-labelledby="sim-h">
      <h2 id="sim-h">Simulation</h2>
      <p className="muted">
        Bots (the article's people, informed, noise and momentum traders) trade the open markets
        through the same code path as people. The seed fixes every draw.
      </p>
      <p data-testid="sim-status">
        Status:{' '}
        <strong className={running ? 'up' : 'muted'}>{running ? 'running' : 'stopped'}</strong>
      </p>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="sim-seed">Seed</label>
          <input
            id="sim-seed"
            inputMode="numeric"
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="sim-rate">Trades per minute</label>
          <input
            id="sim-rate"
            inputMode="decimal"
            value={rate}
            onChange={(e) => setRate(e.target.value)}
          />
        </div>
      </div>
      <div className="row">
        <button type="button" disabled={pending} onClick={() => apply(!running)}>
          {running ? 'Stop the simulation' : 'Start the simulation'}
        </button>
        {running && (
          <button type="button" className="ghost" disabled={pending} onClick={() => apply(true)}>
            Apply seed and rate
          </button>
        )}
      </div>
      {error && <p className="error">{error}</p>}
    </section>
  );
}
