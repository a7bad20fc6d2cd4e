// How SWC compiles the TypeScript sources for tests (@swc/jest in jest.preset.js) and for their
// child processes (swc-loader.mjs): legacy decorators with metadata, which NestJS resolves
// constructor parameters from; ES2022; ES modules.
export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    // keeps `with { type: 'json' }` on JSON imports (the CLI's schema), which Node requires
    experimental: { keepImportAttributes: true },
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};
