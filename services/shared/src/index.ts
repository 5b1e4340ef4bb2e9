// @demo/shared: what every service needs whatever its framework. The heavier parts have
// entry points of their own, so a process loads only those it uses: @demo/shared/fastify,
// @demo/shared/express, @demo/shared/sqlite (better-sqlite3), @demo/shared/http-client
// (undici), and @demo/shared/telemetry (the SDK bootstrap, preloaded with --require).
export * from './config';
export * from './errors';
export * from './http-errors';
export * from './logger';
export * from './metrics';
export * from './shutdown';
export * from './trace-context';
export * from './faults';
export * from './validate';
export * from './server';
export * from './contracts';
export * from './retrying-exporter';
export * from './own-telemetry';
