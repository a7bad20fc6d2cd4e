import type { LogLevel } from '@nestjs/common';
import type { Env } from '../config/env.js';

/** PORTICO_LOG_LEVEL from the quietest to the most verbose, with the Nest level each one adds. */
const LADDER: readonly [Exclude<Env['PORTICO_LOG_LEVEL'], 'silent'>, LogLevel][] = [
  ['fatal', 'fatal'],
  ['error', 'error'],
  ['warn', 'warn'],
  ['info', 'log'],
  ['debug', 'debug'],
  ['trace', 'verbose'],
];

/**
 * The Nest logger levels for PORTICO_LOG_LEVEL: the named level and every more severe one
 * (`info` is Nest's `log`, `trace` its `verbose`); `silent` turns the logger off.
 */
export function nestLogLevels(level: Env['PORTICO_LOG_LEVEL']): LogLevel[] | false {
  if (level === 'silent') return false;
  const upTo = LADDER.findIndex(([name]) => name === level);
  return LADDER.slice(0, upTo + 1).map(([, nest]) => nest);
}
