/**
 * A Node module loader that runs the TypeScript sources directly, for child processes of tests and
 * for the console's API types (scripts/console-api-types.ts):
 * `node --conditions=portico-source --import ./libs/testing/src/swc-register.mjs apps/control-plane/src/main.ts`.
 *
 * tsx cannot run the control plane: esbuild emits no decorator metadata, and NestJS resolves
 * constructor parameters from it. This loader compiles each .ts file with SWC as jest does
 * (swc-options.mjs), and resolves the `./x.js` specifiers of the sources to their `./x.ts` files.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';
import { SWC_OPTIONS } from './swc-options.mjs';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw err;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !(url.endsWith('.ts') || url.endsWith('.mts'))) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, 'utf8'), { ...SWC_OPTIONS, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
