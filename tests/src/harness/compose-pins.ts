// The image tags docker-compose.yml pins, for the checks that must follow them (the npm
// packages of the same upstream release line). A ${NAME} or ${NAME:-default} in a tag
// is looked up in the .env file next to the compose file, as compose itself does.
import fs from 'node:fs';
import { fromRoot } from '@demo/tools';

export function composeImageTag(repository: string): string {
  const compose = fs.readFileSync(fromRoot('docker-compose.yml'), 'utf8');
  const escaped = repository.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`image:\\s*["']?${escaped}:([^\\s"']+)`).exec(compose);
  if (!match) throw new Error(`docker-compose.yml has no image ${repository}:<tag>`);
  const envFile = fromRoot('.env');
  const env = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
  return match[1]!.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (reference, name: string, fallback?: string) => {
    const value = new RegExp(`^${name}=["']?([^"'\\s]+)`, 'm').exec(env)?.[1] ?? fallback;
    if (!value) throw new Error(`docker-compose.yml tags ${repository} with ${reference}, which .env does not set`);
    return value;
  });
}
