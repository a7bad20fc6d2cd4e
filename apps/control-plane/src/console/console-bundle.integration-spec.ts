/**
 * Issue 22's budget for the console's first load, read from the build the control plane serves
 * (`npm test` and `npm run build` build it first): the JavaScript a browser must fetch before the
 * first screen — the entry chunk and every chunk it imports statically — is at most 300 KB
 * gzipped, and the heavy libraries (charts, graph layout, JSON-Schema forms) are not in it. The
 * figure is written to test-artifacts/console/first-load.json, the build report of the budget.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { consoleDir } from './console.js';
import { loadEnv } from '../config/env.js';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const BUDGET_BYTES = 300 * 1024;
const REPORT = path.resolve('test-artifacts', 'console', 'first-load.json');

const dir = consoleDir(loadEnv({}));
if (!dir) throw new Error('the console is not built (npm run build:console)');
const manifest = JSON.parse(readFileSync(path.join(dir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;

/** The entry's chunk and, transitively, every chunk it imports statically: what the first load runs. */
function initialChunks(): ManifestChunk[] {
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry)!;
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    manifest[key]!.imports?.forEach(visit);
  };
  visit(entry);
  return [...seen].map((key) => manifest[key]!);
}

const gzipped = (chunk: ManifestChunk) => gzipSync(readFileSync(path.join(dir, chunk.file))).length;

describe("the console's first load", () => {
  it(`is at most ${BUDGET_BYTES / 1024} KB of gzipped JavaScript`, () => {
    const chunks = initialChunks();
    const total = chunks.reduce((sum, chunk) => sum + gzipped(chunk), 0);
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(
      REPORT,
      `${JSON.stringify({ gzippedBytes: total, budgetBytes: BUDGET_BYTES, chunks: chunks.map((c) => c.file) }, null, 2)}\n`,
    );
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('loads charts, the graph layout and the JSON-Schema forms only with their screens', () => {
    const code = (chunks: ManifestChunk[]) => chunks.map((chunk) => readFileSync(path.join(dir, chunk.file), 'utf8')).join('\n');
    const initial = code(initialChunks());
    const everything = code(Object.values(manifest).filter((chunk) => chunk.file.endsWith('.js')));
    // markers of each library's code: ECharts' registry, ELK's layout options, rjsf's form fields
    for (const marker of ['registerPreprocessor', 'org.eclipse.elk', 'SchemaField']) {
      expect({ marker, inTheBuild: everything.includes(marker), inTheFirstLoad: initial.includes(marker) }).toEqual({
        marker,
        inTheBuild: true,
        inTheFirstLoad: false,
      });
    }
  });
});
