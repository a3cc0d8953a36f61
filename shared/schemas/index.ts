export * from './common.ts';
export * from './http.ts';
export * from './objects.ts';
export * from './seeds.ts';
export * from './socket.ts';
