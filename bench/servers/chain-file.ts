/**
 * A chain file (bench/chains/*.json): the policies a chained gateway runs after mcp-support, each
 * `{type, configuration, managed?}` (`managed`: what the control plane would maintain for it), as
 * an array, or `{headers, policies}` where `headers` are added to every request of the run (every
 * target gets them, so all compare the same request; e.g. the credentials identity policies check).
 */
import { readFileSync } from 'node:fs';

export interface ChainPolicy {
  type: string;
  configuration: unknown;
  managed?: Record<string, unknown>;
}

export interface Chain {
  policies: ChainPolicy[];
  headers: Record<string, string>;
}

export function readChain(file: string): Chain {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as ChainPolicy[] | Partial<Chain>;
  return Array.isArray(parsed)
    ? { policies: parsed, headers: {} }
    : { policies: parsed.policies ?? [], headers: parsed.headers ?? {} };
}
