import { useQuery } from '@tanstack/react-query';
import { ApiError, api } from '../api.ts';
import { useMe } from './useMe.ts';

/** Retries once after a network or server error; a 4xx (no such space, not a member) is final. */
export function retryServerErrors(failures: number, error: unknown): boolean {
  return failures < 1 && !(error instanceof ApiError && error.status < 500);
}

/**
 * The signed-in user's spaces with their role in each (every space, for an admin). Keyed by
 * the user, so that signing in as someone else never shows the last person's spaces.
 */
export function useSpaces() {
  const { me } = useMe();
  const username = me?.user.username ?? null;
  return useQuery({
    queryKey: ['spaces', username],
    queryFn: () => api.spaces(),
    enabled: username !== null,
    staleTime: 30_000,
  });
}

/** One space, with the caller's role in it; 404 for a private space the caller is not in. */
export function useSpace(id: string | null | undefined) {
  const { me, isLoading } = useMe();
  return useQuery({
    queryKey: ['space', id, me?.user.username ?? null],
    queryFn: () => api.space(id!),
    // Asked once it is known who asks: the answer (and the role in it) depends on them.
    enabled: !!id && !isLoading,
    retry: retryServerErrors,
  });
}
