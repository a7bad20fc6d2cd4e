/** Upstream servers of the benchmarks, each in its own process (bench/servers/*.ts under tsx). */
import path from 'node:path';
import { type BenchProcess, REPO_ROOT, startProcess } from './processes.js';

export type UpstreamKind = 'fixed' | 'sdk';

const SCRIPTS: Record<UpstreamKind, string> = {
  fixed: 'bench/servers/fixed-upstream.ts',
  sdk: 'bench/servers/sdk-upstream.ts',
};

export interface Upstream {
  readonly kind: UpstreamKind;
  readonly process: BenchProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>/` — the MCP endpoint is `<url>mcp`. */
  readonly url: string;
}

/** Starts the `kind` upstream on a free port of 127.0.0.1. */
export async function startUpstream(kind: UpstreamKind): Promise<Upstream> {
  const child = startProcess(`${kind} upstream`, process.execPath, [
    '--conditions=portico-source',
    '--import',
    'tsx',
    path.join(REPO_ROOT, SCRIPTS[kind]),
  ]);
  const [, port] = await child.waitForOutput(/listening on port (\d+)/);
  return { kind, process: child, port: Number(port), url: `http://127.0.0.1:${port}/` };
}
