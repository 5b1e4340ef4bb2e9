import path from 'node:path';

/** The repository root: this file runs as tools/dist/runner/paths.js. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const toolsDir = path.join(repoRoot, '.tools');
export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
