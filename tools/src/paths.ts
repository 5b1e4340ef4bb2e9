import path from 'node:path';

/** The repository root, whether this runs from tools/dist or tests/dist. */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const toolsDir = path.join(repoRoot, '.tools');
export const fromRoot = (...parts: string[]) => path.join(repoRoot, ...parts);
