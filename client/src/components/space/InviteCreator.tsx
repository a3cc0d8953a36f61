import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { CreateInviteRequest, type Invite, type Space } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime } from '../../format.ts';
import { CopyButton } from '../CopyButton.tsx';

const EXPIRIES = [
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
] as const;

/**
 * Makes an invite link to the space (owners and moderators; only owners invite moderators):
 * the role it gives, how many people may use it and how long it works.
 */
export function InviteCreator({ space, owns }: { space: Space; owns: boolean }) {
  const id = useId();
  const [role, setRole] = useState<'member' | 'moderator'>('member');
  const [maxUses, setMaxUses] = useState('');
  const [days, setDays] = useState<number>(7);
  const [invalid, setInvalid] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: CreateInviteRequest) => api.createInvite(space.id, body),
  });
  const submit = () => {
    setInvalid(null);
    const body = {
      role,
      expiresAt: new Date(Date.now() + days * 86_400_000).toISOString(),
      ...(maxUses.trim() ? { maxUses: Number(maxUses) } : {}),
    };
    const parsed = CreateInviteRequest.safeParse(body);
    if (!parsed.success) {
      setInvalid('Uses: a whole number from 1 to 10,000, or empty for no limit.');
      return;
    }
    create.mutate(parsed.data);
  };
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Invite people</h2>
      <p className="muted small">
        Anyone with the link can join {space.name} with the role it gives
        {space.visibility === 'private' ? ' and see its markets' : ''}, until it expires or is used
        up. Share it only with the people it is for.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              value={role}
              onChange={(e) => setRole(e.target.value === 'moderator' ? 'moderator' : 'member')}
              data-testid="invite-role"
            >
              <option value="member">Member</option>
              {owns && <option value="moderator">Moderator</option>}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-uses`}>Uses (empty: no limit)</label>
            <input
              id={`${id}-uses`}
              inputMode="numeric"
              value={maxUses}
              onChange={(e) => setMaxUses(e.target.value)}
              aria-invalid={invalid ? true : undefined}
              data-testid="invite-max-uses"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-expiry`}>Expires after</label>
            <select
              id={`${id}-expiry`}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
              data-testid="invite-expiry"
            >
              {EXPIRIES.map((x) => (
                <option key={x.days} value={x.days}>
                  {x.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        {(invalid || create.error) && (
          <p className="error" role="alert">
            {invalid ?? describeError(create.error)}
          </p>
        )}
        <button type="submit" disabled={create.isPending} data-testid="invite-create">
          {create.isPending ? 'Creating…' : 'Create invite link'}
        </button>
      </form>
      {create.data && <InviteLink invite={create.data} />}
    </section>
  );
}

function InviteLink({ invite }: { invite: Invite }) {
  return (
    <div className="notice secret-box invite-link" role="status">
      <p className="small">
        A link for a {invite.role}
        {invite.maxUses
          ? `, good for ${invite.maxUses} ${invite.maxUses === 1 ? 'use' : 'uses'}`
          : ''}
        {invite.expiresAt ? `, until ${dateTime(invite.expiresAt)}` : ''}:
      </p>
      <div className="secret-row">
        <code className="token" data-testid="invite-url">
          {invite.url}
        </code>
        <CopyButton text={invite.url} label="Copy link" />
      </div>
    </div>
  );
}
