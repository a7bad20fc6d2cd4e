/** Upstream servers of the benchmarks, each in its own process (bench/servers/*.ts under tsx). */
import path from 'node:path';
import { type BenchProcess, REPO_ROOT, startProcess } from './processes.js';

/** `fixed` and `sdk`: stateless JSON (proxy-throughput); `mcp`: stateful, JSON and SSE endpoints (soak, faults). */
export type UpstreamKind = 'fixed' | 'sdk' | 'mcp';

const SCRIPTS: Record<UpstreamKind, string> = {
  fixed: 'bench/servers/fixed-upstream.ts',
  sdk: 'bench/servers/sdk-upstream.ts',
  mcp: 'bench/servers/mcp-upstream.ts',
};

export interface Upstream {
  readonly kind: UpstreamKind;
  readonly process: BenchProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>/` — the MCP endpoint is `<url>mcp` (`mcp`: `<url>json/mcp` and `<url>sse/mcp`). */
  readonly url: string;
}

/**
 * Starts the `kind` upstream on `port` of 127.0.0.1, by default a free one. Passing the port of an
 * upstream that was killed brings it back where the gateway expects it.
 */
export async function startUpstream(kind: UpstreamKind, options: { port?: number } = {}): Promise<Upstream> {
  const child = startProcess(
    `${kind} upstream`,
    process.execPath,
    ['--conditions=portico-source', '--import', 'tsx', path.join(REPO_ROOT, SCRIPTS[kind])],
    { env: { PORT: String(options.port ?? 0) } },
  );
  const [, port] = await child.waitForOutput(/listening on port (\d+)/);
  return { kind, process: child, port: Number(port), url: `http://127.0.0.1:${port}/` };
}
