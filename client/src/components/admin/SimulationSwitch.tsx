import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { SimulationRequest } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';

/** Starts and stops the live simulation bots, with their seed and trading rate. */
export function SimulationSwitch() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['simulation'], queryFn: () => api.simulation() });
  const [seed, setSeed] = useState('');
  const [rate, setRate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => {
    if (q.data) {
      setSeed(String(q.data.seed));
      setRate(String(q.data.tradesPerMinute));
    }
  }, [q.data]);
  if (q.error) {
    return (
      <p className="error" role="alert">
        {describeError(q.error)}
      </p>
    );
  }
  if (!q.data) return <p className="muted">Loading…</p>;
  const running = q.data.running;
  const dirty = seed !== String(q.data.seed) || rate !== String(q.data.tradesPerMinute);

  const apply = async (next: boolean) => {
    setError(null);
    setSaved(null);
    const parsed = SimulationRequest.safeParse({
      running: next,
      ...(seed.trim() ? { seed: Number(seed) } : {}),
      ...(rate.trim() ? { tradesPerMinute: Number(rate) } : {}),
    });
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0];
      setError(
        field === 'seed'
          ? 'The seed is a whole number from 0 to 2,147,483,648.'
          : 'Trades per minute is a number from 1 to 6,000.',
      );
      return;
    }
    setPending(true);
    try {
      const res = await api.setSimulation(parsed.data);
      qc.setQueryData(['simulation'], res);
      setSaved(
        res.running
          ? `Running with seed ${res.seed} at ${res.tradesPerMinute} trades a minute.`
          : 'Stopped.',
      );
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
        Bots (the article's people, noise and momentum traders) trade the open markets through the
        same code path as people, under accounts named <code>bot_…</code>. The seed fixes every
        draw, so the same seed replays the same decisions.
      </p>
      <div className="sim-switch">
        <button
          type="button"
          role="switch"
          aria-checked={running}
          aria-labelledby="sim-switch-label"
          className={`switch ${running ? 'on' : ''}`}
          disabled={pending}
          onClick={() => void apply(!running)}
          data-testid="sim-toggle"
        >
          <span className="switch-knob" aria-hidden="true" />
        </button>
        <span id="sim-switch-label">Live simulation</span>
        <strong className={running ? 'up' : 'muted'} data-testid="sim-status" aria-live="polite">
          {running ? 'running' : 'stopped'}
        </strong>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply(running);
        }}
      >
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
        <button type="submit" className="ghost" disabled={pending || !dirty}>
          {running ? 'Apply seed and rate' : 'Save seed and rate'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
    </section>
  );
}
