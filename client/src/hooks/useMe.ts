import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { MeResponse } from '../../../shared/schemas/index.ts';
import { ApiError, api } from '../api.ts';
import { socket } from '../live/socket.ts';

/** The signed-in user and positions (null when signed out); balance updates arrive live. */
export function useMe() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<MeResponse | null> => {
      try {
        return await api.me();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 10_000,
  });
  useEffect(() => {
    const onMe = ({ user }: { user: MeResponse['user'] }) => {
      qc.setQueryData<MeResponse | null>(['me'], (old) => (old ? { ...old, user } : old));
      void qc.invalidateQueries({ queryKey: ['me'] });
    };
    socket.on('me:update', onMe);
    return () => {
      socket.off('me:update', onMe);
    };
  }, [qc]);
  return { me: q.data ?? null, isLoading: q.isLoading };
}

/** After signing in or out, the socket must reconnect to carry the new session. */
export function reconnectSocket(): void {
  socket.disconnect();
  socket.connect();
}
