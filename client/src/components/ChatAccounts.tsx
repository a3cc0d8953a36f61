import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ChatIdentity,
  ChatLink,
  ChatPlatform,
  ChatSettingsResponse,
} from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { date } from '../format.ts';

export const PLATFORM_NAME: Record<ChatPlatform, string> = { slack: 'Slack', discord: 'Discord' };

/** "@alice", or the member id when the chat tool sent no name. */
export function memberName(identity: ChatIdentity): string {
  return identity.externalName ? `@${identity.externalName}` : identity.externalUserId;
}

/** Where the member is: a Slack workspace, a Discord server, or a direct message with the app. */
export function placeName(identity: ChatIdentity): string {
  const { platform, teamId } = identity;
  switch (platform) {
    case 'slack':
      return `workspace ${teamId}`;
    case 'discord':
      return teamId === 'dm' ? 'direct message with the app' : `server ${teamId}`;
    default: {
      const never: never = platform;
      return never;
    }
  }
}

const keyOf = (l: ChatIdentity) => `${l.platform}/${l.teamId}/${l.externalUserId}`;
const QUERY_KEY = ['me', 'chat'];

/** `/me`: the Slack and Discord accounts linked to this user, and the daily reminders switch. */
export function ChatAccounts({ admin }: { admin: boolean }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: QUERY_KEY, queryFn: api.chatSettings });
  const reminders = useMutation({
    mutationFn: (enabled: boolean) => api.setReminders(enabled),
    onSuccess: (res) => qc.setQueryData<ChatSettingsResponse>(QUERY_KEY, res),
    onSettled: () => qc.invalidateQueries({ queryKey: QUERY_KEY }),
  });
  const unlink = useMutation({
    mutationFn: (link: ChatLink) => api.unlinkChat(link),
    onSettled: () => qc.invalidateQueries({ queryKey: QUERY_KEY }),
  });
  const error = q.error ?? reminders.error ?? unlink.error;
  // While the change is on its way, the box shows what was asked for.
  const remindersOn = reminders.isPending ? reminders.variables : q.data?.reminders;

  return (
    <section className="panel" aria-labelledby="chat-h" data-testid="chat-accounts">
      <div className="spread">
        <h2 id="chat-h">Chat accounts</h2>
        {q.data && (
          <label className="check">
            <input
              type="checkbox"
              checked={remindersOn ?? false}
              disabled={reminders.isPending}
              onChange={(e) => reminders.mutate(e.target.checked)}
              aria-describedby="chat-reminders-hint"
              data-testid="chat-reminders"
            />
            Daily reminders in Slack/Discord
          </label>
        )}
      </div>
      <p id="chat-reminders-hint" className="muted small">
        Reminders: once a day, a direct message to your linked accounts about markets that moved
        since you forecast them{admin ? ', and markets waiting for you to resolve them' : ''}.
      </p>
      {!q.data ? (
        !q.error && <p className="muted">Loading…</p>
      ) : q.data.links.length === 0 ? (
        <p className="muted">
          None linked yet. Run <code>/parity link</code> in Slack or Discord and open the link it
          answers with, to forecast and get reminders from there.
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Platform</th>
                <th>Account</th>
                <th>Workspace or server</th>
                <th>Linked</th>
                <th>
                  <span className="sr-label">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.links.map((l) => (
                <tr key={keyOf(l)} data-testid="chat-link">
                  <td>{PLATFORM_NAME[l.platform]}</td>
                  <td>{memberName(l)}</td>
                  <td>{l.teamId === 'dm' ? 'Direct message' : <code>{l.teamId}</code>}</td>
                  <td className="nowrap">{date(l.createdAt)}</td>
                  <td className="num">
                    <button
                      type="button"
                      className="ghost small-btn"
                      disabled={unlink.isPending && unlink.variables === l}
                      onClick={() => unlink.mutate(l)}
                      aria-label={`Unlink ${PLATFORM_NAME[l.platform]} ${memberName(l)}`}
                      data-testid="chat-unlink"
                    >
                      Unlink
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
    </section>
  );
}
