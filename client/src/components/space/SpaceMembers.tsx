import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { Member, Space, SpaceRole } from '../../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../../api.ts';
import { date } from '../../format.ts';
import { ConfirmDialog } from '../admin/ConfirmDialog.tsx';

const ROLES: { id: SpaceRole; label: string }[] = [
  { id: 'member', label: 'Member' },
  { id: 'moderator', label: 'Moderator' },
  { id: 'owner', label: 'Owner' },
];

/** What each role may do, said once beside the list. */
const ABOUT =
  'Members see the space, trade and propose questions. Moderators also create markets, review proposals, resolve markets and invite members. Owners also invite moderators and manage members.';

function errorText(e: unknown, self: boolean): string {
  if (
    e instanceof ApiError &&
    (e.details as { reason?: unknown } | undefined)?.reason === 'last_owner'
  ) {
    return self
      ? 'You are the only owner: make another member owner before you leave.'
      : 'A space needs an owner: make another member owner first.';
  }
  return describeError(e);
}

/**
 * A space's members and their roles. Owners change roles and remove members; anyone leaves.
 */
export function SpaceMembers({
  space,
  me,
  owns,
}: {
  space: Space;
  me: string | null;
  owns: boolean;
}) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const q = useQuery({
    queryKey: ['members', space.id],
    queryFn: () => api.members(space.id),
  });
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ['members', space.id] }),
      qc.invalidateQueries({ queryKey: ['space', space.id] }),
      qc.invalidateQueries({ queryKey: ['spaces'] }),
    ]);
  const setRole = useMutation({
    mutationFn: ({ username, role }: { username: string; role: SpaceRole }) =>
      api.setMemberRole(space.id, username, role),
    onMutate: () => setError(null),
    onSuccess: refresh,
    onError: (e, v) => setError(errorText(e, v.username === me)),
  });
  /** Whom the open confirmation dialog is about: the caller (leaving) or a member. */
  const [removing, setRemoving] = useState<string | null>(null);
  const remove = async (username: string) => {
    try {
      await api.removeMember(space.id, username);
    } catch (e) {
      // Shown in the dialog, which stays open.
      throw new Error(errorText(e, username === me));
    }
    if (username === me) {
      // Leaving a private space takes its pages away too.
      await qc.invalidateQueries({ queryKey: ['spaces'] });
      qc.removeQueries({ queryKey: ['space', space.id] });
      navigate('/', { replace: true });
      return;
    }
    await refresh();
  };
  const busy = setRole.isPending;
  const members = q.data ?? [];
  const isMember = members.some((m) => m.username === me);

  return (
    <section className="panel" aria-labelledby="members-h">
      <div className="spread">
        <h2 id="members-h">
          Members <span className="count">{members.length || space.members}</span>
        </h2>
        {isMember && (
          <button
            type="button"
            className="ghost small-btn"
            disabled={busy}
            onClick={() => setRemoving(me)}
            data-testid="leave-space"
          >
            Leave space
          </button>
        )}
      </div>
      <p className="muted small">{ABOUT}</p>
      {error && (
        <p className="error" role="alert" data-testid="members-error">
          {error}
        </p>
      )}
      {q.error ? <p className="error">{describeError(q.error)}</p> : null}
      {q.isLoading && <p className="muted">Loading members…</p>}
      {members.length > 0 && (
        <div className="table-wrap">
          <table data-testid="members">
            <caption className="sr-label">Members of {space.name}</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {owns && (
                  <th scope="col">
                    <span className="sr-label">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <MemberRow
                  key={m.username}
                  member={m}
                  me={me}
                  owns={owns}
                  busy={busy}
                  onRole={(role) => setRole.mutate({ username: m.username, role })}
                  onRemove={() => setRemoving(m.username)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {removing && (
        <ConfirmDialog
          title={removing === me ? `Leave ${space.name}?` : `Remove ${removing}?`}
          confirmLabel={removing === me ? 'Leave space' : 'Remove member'}
          danger
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
          testId="confirm-remove"
        >
          <p>
            {removing === me
              ? space.visibility === 'private'
                ? 'You will no longer see this space or its markets. An invite link brings you back.'
                : 'You will no longer propose questions here. An invite link brings you back.'
              : `${removing} loses the space's member rights at once${
                  space.visibility === 'private' ? ' and no longer sees its markets' : ''
                }.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function MemberRow({
  member: m,
  me,
  owns,
  busy,
  onRole,
  onRemove,
}: {
  member: Member;
  me: string | null;
  owns: boolean;
  busy: boolean;
  onRole: (role: SpaceRole) => void;
  onRemove: () => void;
}) {
  const self = m.username === me;
  return (
    <tr data-testid="member" data-username={m.username}>
      <td>
        <Link to={`/users/${m.username}`}>{m.username}</Link>
        {self && <span className="muted small"> (you)</span>}
      </td>
      <td>
        {owns ? (
          <>
            <label htmlFor={`role-${m.username}`} className="sr-label">
              Role of {m.username}
            </label>
            <select
              id={`role-${m.username}`}
              className="role-select"
              value={m.role}
              disabled={busy}
              onChange={(e) => onRole(e.target.value as SpaceRole)}
              data-testid="member-role"
            >
              {ROLES.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          </>
        ) : (
          <span className={`role role-${m.role}`}>{m.role}</span>
        )}
      </td>
      <td className="muted small nowrap">{date(m.joinedAt)}</td>
      {owns && (
        <td className="num">
          {!self && (
            <button
              type="button"
              className="ghost small-btn"
              disabled={busy}
              onClick={onRemove}
              data-testid="member-remove"
            >
              Remove<span className="sr-label"> {m.username}</span>
            </button>
          )}
        </td>
      )}
    </tr>
  );
}
