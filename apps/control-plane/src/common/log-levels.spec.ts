import { nestLogLevels } from './log-levels.js';

describe('PORTICO_LOG_LEVEL', () => {
  it.each([
    ['silent', false],
    ['fatal', ['fatal']],
    ['error', ['fatal', 'error']],
    ['warn', ['fatal', 'error', 'warn']],
    ['info', ['fatal', 'error', 'warn', 'log']],
    ['debug', ['fatal', 'error', 'warn', 'log', 'debug']],
    ['trace', ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']],
  ] as const)('%s enables the Nest levels %j', (level, levels) => {
    expect(nestLogLevels(level)).toEqual(levels);
  });
});
