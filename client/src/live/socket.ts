import { io } from 'socket.io-client';
import { api } from '../api.ts';
import { LiveMarkets, type LiveSocket } from './liveClient.ts';

/** One socket per page, on the same origin and session as HTTP. */
export const socket: LiveSocket = io({
  transports: ['websocket', 'polling'],
  withCredentials: true,
});

/** Every live market of the page, kept exact by seq (see liveClient.ts). */
export const liveMarkets = new LiveMarkets(socket, api.market);
