import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from './paths';

// What the Tempo stand-in reads from the Tempo config that compose and the chart mount, so
// that natively it plays the same Tempo (the stand-in image takes it as a flag instead).

/** tempo/tempo.yaml's overrides.defaults.read.left_pad_trace_ids (Tempo's default: false). */
export function tempoLeftPadsTraceIds(file = fromRoot('tempo', 'tempo.yaml')): boolean {
  const config = parseYaml(fs.readFileSync(file, 'utf8')) as { overrides?: { defaults?: { read?: { left_pad_trace_ids?: boolean } } } };
  return config.overrides?.defaults?.read?.left_pad_trace_ids === true;
}
