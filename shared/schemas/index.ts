export * from './chat.ts';
export * from './common.ts';
export * from './http.ts';
export * from './integrations.ts';
export * from './objects.ts';
export * from './seeds.ts';
export * from './socket.ts';
export * from './spaces.ts';
