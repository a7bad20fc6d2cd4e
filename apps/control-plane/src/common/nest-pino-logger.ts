/**
 * Nest's logger on the process's pino logger (#portico/logging): every `new Logger('X').log(…)` of
 * the control plane, and every line of Nest itself, becomes one pino record with `context: 'X'`.
 * main.ts installs it with `Logger.overrideLogger`; the level is pino's (PORTICO_LOG_LEVEL).
 *
 * Nest's start-up lines — a line per module initialised, per controller, per route mapped, the
 * application "starting" and "started" — are logged at debug, not info (FRAMEWORK_CONTEXTS): at
 * info a start says what Portico did (database, migrations, the addresses it listens on), not how
 * Nest wired itself. Warnings and errors of those contexts keep their level.
 *
 * Arguments as Nest passes them: `(message, ...params, context?)`, the context last; `error` and
 * `fatal` take a stack trace (or a description) before it. The error's head is the record's `err`,
 * the trace its `stack` at debug only (errorFields). Plain-object params are the record's fields;
 * any further message is a record of its own, as Nest's console logger prints it on a line of its own.
 */
import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { errorFields } from '#portico/logging';

/** Nest's own contexts whose `log` lines are start-up detail (@nestjs/core). */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const last = params.at(-1);
    this.write(typeof last === 'string' && FRAMEWORK_CONTEXTS.has(last) ? 'debug' : 'info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  private write(level: Level, message: unknown, params: unknown[], withTrace = false): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const last = rest.at(-1);
    // A context is a name; a last string with lines is a stack trace (static `Logger.error(message, stack)`).
    const context = typeof last === 'string' && !last.includes('\n') ? (rest.pop() as string) : undefined;
    // error(message, stack?, context?): Nest's Logger passes `undefined` for a missing stack.
    const trace =
      withTrace && rest.length > 0 && (typeof rest.at(-1) === 'string' || rest.at(-1) === undefined) ? rest.pop() : undefined;
    const error = message instanceof Error ? message : trace;
    const fields = {
      ...(context !== undefined && { context }),
      ...Object.assign({}, ...rest.filter(isPlainObject)),
      ...(error !== undefined && errorFields(this.pino, error)),
    };
    const messages = [message, ...rest.filter((param) => param !== undefined && !isPlainObject(param))];
    for (const each of messages) this.pino[level](fields, text(each));
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return inspect(message, { breakLength: Infinity, depth: 4 });
}
