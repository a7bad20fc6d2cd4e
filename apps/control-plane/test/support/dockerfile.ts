/** Reading the repository's Dockerfiles in tests (no Docker engine here to build them). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export type Instruction = readonly [keyword: string, rest: string];

/** The stages of the Dockerfile at `file` (repository-relative), each a list of instructions [keyword, rest] (continuation lines joined). */
export function dockerfileStages(file: string): Instruction[][] {
  const instructions = readFileSync(path.join(root, file), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line): Instruction => {
      const keyword = line.split(/\s+/)[0]!;
      return [keyword.toUpperCase(), line.slice(keyword.length).trim()];
    });
  return instructions.reduce<Instruction[][]>(
    (stages, instruction) =>
      instruction[0] === 'FROM' ? [...stages, [instruction]] : (stages.at(-1)!.push(instruction), stages),
    [],
  );
}

/** `ENV` settings of a stage (`ENV A=1 B=2` form). */
export function envOf(stage: Instruction[]): Record<string, string> {
  return Object.fromEntries(
    stage
      .filter(([k]) => k === 'ENV')
      .flatMap(([, rest]) => rest.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
  );
}
