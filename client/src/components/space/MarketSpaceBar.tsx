import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Market, Space } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { CopyButton } from '../CopyButton.tsx';
import { SpaceBadge } from './SpaceBadge.tsx';

/**
 * Which space a market belongs to, on its page; for a private space's market, a signed embed
 * link that shows its live card on a wiki or dashboard where no member is signed in.
 */
export function MarketSpaceBar({
  market,
  space,
  signedIn,
}: {
  market: Market;
  space: Space | undefined;
  signedIn: boolean;
}) {
  const embed = useMutation({ mutationFn: () => api.embedLink(market.id) });
  if (!space) return null;
  return (
    <div className="market-space" data-testid="market-space">
      <div className="row">
        <Link
          to={`/spaces/${space.id}`}
          className="market-space-name"
          data-testid="market-space-name"
        >
          {space.name}
        </Link>
        <SpaceBadge visibility={space.visibility} />
        {space.visibility === 'private' && signedIn && !embed.data && (
          <button
            type="button"
            className="ghost small-btn"
            disabled={embed.isPending}
            onClick={() => embed.mutate()}
            data-testid="embed-create"
          >
            {embed.isPending ? 'Making a link…' : 'Embed'}
          </button>
        )}
      </div>
      {embed.error ? (
        <p className="error small" role="alert">
          {describeError(embed.error)}
        </p>
      ) : null}
      {embed.data && (
        <div className="notice secret-box" role="status">
          <p className="small">
            This link shows the market's live odds card, read only, to anyone who has it (for an
            iframe on your wiki or dashboard). Nothing else in the space is shown.
          </p>
          <div className="secret-row">
            <code className="token" data-testid="embed-url">
              {embed.data.url}
            </code>
            <CopyButton text={embed.data.url} label="Copy link" />
          </div>
        </div>
      )}
    </div>
  );
}
