/**
 * A chain file (bench/chains/*.json): the policies a chained gateway runs after mcp-support, each
 * `{type, configuration, managed?}` (`managed`: what the control plane would maintain for it), as
 * an array, or `{headers, policies, redis}` where `headers` are added to every request of the run
 * (every target gets them, so all compare the same request; e.g. the credentials identity policies
 * check) and `redis: true` gives the chained gateway the machine's Redis (PORTICO_REDIS_URL:
 * PORTICO_TEST_REDIS_URL or redis://127.0.0.1:6379), for policies that count there.
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
  redis: boolean;
}

export function readChain(file: string): Chain {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as ChainPolicy[] | Partial<Chain>;
  return Array.isArray(parsed)
    ? { policies: parsed, headers: {}, redis: false }
    : { policies: parsed.policies ?? [], headers: parsed.headers ?? {}, redis: parsed.redis === true };
}
