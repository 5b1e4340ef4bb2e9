export * from './verdict';
export * from './tempo-trace';
export * from './modes';
