/**
 * The environment variables the README documents: the first name of each row of its variable
 * tables (`| \`PORTICO_PORT\` | …`). Deployment files (Kubernetes, systemd) may set only these.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../README.md');

export function documentedVariables(): Set<string> {
  return new Set([...readFileSync(README, 'utf8').matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((match) => match[1]!));
}
