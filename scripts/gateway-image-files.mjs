// The gateway image's runtime tree: what apps/gateway/Dockerfile copies into its runtime stage, and
// what the test of the image (apps/control-plane/test/gateway-image.e2e-spec.ts) inspects and runs,
// so the image's contents are checked without a Docker engine.
//
//   node scripts/gateway-image-files.mjs --out <dir> [--root <repository>] [--dist <compiled tree>]
//
// From the compiled entry points (the gateway, and the `portico` CLI so the image can run
// `portico gateway register`) it follows every import of the compiled code: static and dynamic
// `import`, `export … from`, `require()`, `createRequire(…)(…)`, and files a module reads beside
// itself (`new URL('./file', import.meta.url)`), parsed with TypeScript's parser (not a regular
// expression). Relative specifiers and the package's `#portico/*` imports name compiled files, which
// are copied to `<out>/dist/…`; bare specifiers name npm packages, which must be production
// dependencies of package.json (a devDependency or an undeclared package is an error naming the
// importing file). A specifier that is not a string literal cannot be followed: error.
//
// It then writes `<out>/package.json` (the root's, with only those packages as dependencies and
// `#portico/*` mapped to the compiled libraries) and `<out>/package-lock.json`: the root lockfile's
// entries reachable from those packages, found as npm and Node find them (the nearest
// node_modules up the tree; dependencies, optional dependencies that npm locked, required peers).
// The versions are npm's own resolution from the lockfile, so `npm ci --omit=dev` installs exactly
// the locked packages the gateway uses, and nothing of the control plane's (NestJS, Prisma,
// embedded Postgres). A reachable entry npm marked `dev` means this walk and npm disagree: error.
//
// The result is a JSON summary on stdout: { files, dependencies, lockedPackages }.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

/** Compiled entry points, relative to the compiled tree's root. */
const ENTRY_POINTS = ['dist/apps/gateway/src/main.js', 'dist/apps/cli/src/main.js'];

/** String-literal module specifiers of `source`; one that is not a literal is added to `problems`. */
function moduleSpecifiers(file, source, problems) {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found = [];
  const literal = (node, what, asSpecifier = (text) => text) => {
    if (node && ts.isStringLiteralLike(node)) return found.push(asSpecifier(node.text));
    const { line } = sourceFile.getLineAndCharacterOfPosition(node?.getStart() ?? 0);
    problems.push(`${file}:${line + 1}: ${what} with a computed specifier cannot be followed`);
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      literal(node.moduleSpecifier, 'import');
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        (ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire');
      if (callee.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0], 'import()');
      else if (isRequire) literal(node.arguments[0], 'require()');
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [target, base] = node.arguments ?? [];
      // A path relative to the module, always (`data.json` too); an absolute URL is no file of the tree.
      const relative = (text) => (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith('.') ? text : `./${text}`);
      if (base?.getText() === 'import.meta.url') literal(target, 'new URL(…, import.meta.url)', relative);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** `name` of a bare specifier (`@scope/name/sub` → `@scope/name`). */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The package.json `imports` field as [prefix, suffix, target pattern] with only the default target. */
function subpathImports(packageJson) {
  return Object.entries(packageJson.imports ?? {}).map(([key, value]) => {
    const target = typeof value === 'string' ? value : value.default;
    if (typeof target !== 'string') throw new Error(`package.json imports.${key} has no default target`);
    const [prefix, suffix = ''] = key.split('*');
    return { key, prefix, suffix, target, wildcard: key.includes('*') };
  });
}

function resolveSubpathImport(imports, specifier) {
  for (const entry of imports) {
    if (!entry.wildcard) {
      if (specifier === entry.key) return entry.target;
      continue;
    }
    if (specifier.startsWith(entry.prefix) && specifier.endsWith(entry.suffix)) {
      const match = specifier.slice(entry.prefix.length, specifier.length - entry.suffix.length);
      return entry.target.replaceAll('*', match);
    }
  }
  throw new Error(`${specifier} matches no entry of package.json "imports"`);
}

/**
 * The compiled files reachable from ENTRY_POINTS and the npm packages they import.
 * `root`: package.json's directory; `dist`: the directory holding `dist/` (default `root`).
 */
async function followImports({ root, dist = root }) {
  const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const imports = subpathImports(packageJson);
  const production = packageJson.dependencies ?? {};
  const development = packageJson.devDependencies ?? {};
  const files = new Set();
  const packages = new Set();
  const queue = [...ENTRY_POINTS];
  const problems = [];
  while (queue.length) {
    const file = queue.pop();
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    const source = await readFile(path.join(dist, file), 'utf8');
    for (const specifier of moduleSpecifiers(file, source, problems)) {
      if (isBuiltin(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) continue;
      let target;
      if (specifier.startsWith('.')) target = path.posix.join(path.posix.dirname(file), specifier);
      else if (specifier.startsWith('#')) target = path.posix.normalize(resolveSubpathImport(imports, specifier));
      else {
        const name = packageName(specifier);
        if (name in production) packages.add(name);
        else if (name in development) problems.push(`${file} imports ${specifier}, a devDependency`);
        else problems.push(`${file} imports ${specifier}, which package.json does not declare`);
        continue;
      }
      if (!existsSync(path.join(dist, target)))
        problems.push(`${file} imports ${specifier}: ${target} is not in the compiled tree`);
      else queue.push(target);
    }
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return { packageJson, files: [...files].sort(), packages: [...packages].sort() };
}

/** Where Node (and npm's lockfile) finds `name` for the package at lockfile path `from` ('' is the root). */
function locate(lockPackages, from, name) {
  for (let dir = from; ;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (candidate in lockPackages) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at === -1 ? '' : dir.slice(0, at);
  }
}

/** The entries of `lock` reachable from `dependencies` (names), keyed as in the lockfile. */
function lockSubset(lock, dependencies) {
  const lockPackages = lock.packages;
  const kept = {};
  const queue = dependencies.map((name) => ['', name, false]);
  const problems = [];
  while (queue.length) {
    const [from, name, optional] = queue.pop();
    const key = locate(lockPackages, from, name);
    if (!key) {
      if (!optional) problems.push(`${from || 'package.json'} needs ${name}, which the lockfile does not hold`);
      continue;
    }
    if (key in kept) continue;
    const entry = lockPackages[key];
    if (entry.dev) problems.push(`${key} is reached from the production dependencies but npm locked it as dev`);
    kept[key] = entry;
    const peerMeta = entry.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([key, dep, false]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([key, dep, true]);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) if (!peerMeta[dep]?.optional) queue.push([key, dep, false]);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes the runtime tree into `out` (emptied first); resolves to the summary printed on stdout. */
async function writeGatewayImageFiles({ root, dist = root, out }) {
  const { packageJson, files, packages } = await followImports({ root, dist });
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8'));
  const dependencies = Object.fromEntries(packages.map((name) => [name, packageJson.dependencies[name]]));
  const imagePackageJson = {
    name: packageJson.name,
    version: packageJson.version,
    private: true,
    type: packageJson.type,
    license: packageJson.license,
    engines: packageJson.engines,
    dependencies,
    imports: Object.fromEntries(subpathImports(packageJson).map(({ key, target }) => [key, target])),
  };
  const { name, version, license, engines } = imagePackageJson;
  const imageLock = {
    name,
    version,
    lockfileVersion: lock.lockfileVersion,
    requires: true,
    packages: { '': { name, version, license, dependencies, engines }, ...lockSubset(lock, packages) },
  };
  await rm(out, { recursive: true, force: true });
  for (const file of files) {
    await mkdir(path.dirname(path.join(out, file)), { recursive: true });
    await copyFile(path.join(dist, file), path.join(out, file));
  }
  await writeFile(path.join(out, 'package.json'), `${JSON.stringify(imagePackageJson, null, 2)}\n`);
  await writeFile(path.join(out, 'package-lock.json'), `${JSON.stringify(imageLock, null, 2)}\n`);
  const lockedPackages = Object.keys(imageLock.packages)
    .filter(Boolean)
    .map((key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return { files, dependencies: packages, lockedPackages: [...new Set(lockedPackages)].sort() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { root: { type: 'string' }, dist: { type: 'string' }, out: { type: 'string' } } });
  if (!values.out) {
    console.error('usage: node scripts/gateway-image-files.mjs --out <dir> [--root <repository>] [--dist <compiled tree>]');
    process.exit(2);
  }
  const root = path.resolve(values.root ?? '.');
  try {
    const summary = await writeGatewayImageFiles({
      root,
      dist: path.resolve(values.dist ?? root),
      out: path.resolve(values.out),
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } catch (err) {
    console.error(`gateway-image-files: ${err.message}`);
    process.exit(1);
  }
}
