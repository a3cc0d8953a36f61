import type { SpaceVisibility } from '../../../../shared/schemas/index.ts';

/** "Private space" or "Public space", for a space's page and its markets. */
export function SpaceBadge({ visibility }: { visibility: SpaceVisibility }) {
  return (
    <span
      className={`badge badge-space-${visibility}`}
      data-testid="space-visibility"
      title={
        visibility === 'private'
          ? 'Only members see this space and its markets'
          : 'Anyone can see and trade in this space; its members propose questions'
      }
    >
      {visibility === 'private' ? 'Private' : 'Public'} space
    </span>
  );
}
