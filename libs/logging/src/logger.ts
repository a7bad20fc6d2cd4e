/**
 * The root logger of a Portico process (the control plane, the gateway, each gateway worker): pino
 * writing one record per line to stdout, JSON by default (`level` as pino's number, `time` in epoch
 * ms, `pid`, `hostname`, `name`, `msg` and the record's fields). A person reading it gets
 * pino-pretty's lines instead (`[12:00:01.234] INFO (gateway/4242): connected to the control
 * plane {"protocol":1}`): with PORTICO_LOG_FORMAT=pretty, or unset while stdout is a terminal;
 * `json` keeps JSON on a terminal too. `name` tells the processes apart where they share a
 * terminal (`npm start`).
 *
 * PORTICO_LOG_LEVEL and PORTICO_LOG_FORMAT are read here, before a process's other variables, so
 * that an invalid environment is reported through the logger ({@link exitCannotStart}).
 *
 * Errors are logged by their message. A stack trace is for whoever debugs the code: the `stack`
 * field is added only while debug is enabled ({@link errorFields}); at info it would add a dozen
 * lines of internal paths to every error an operator reads. pino's `err` serializer would add the
 * stack at every level, so an Error under `err` is logged as its message too.
 *
 * Pretty lines are formatted in the logging call and written to stdout at once (synchronous on
 * Linux for terminals and pipes), so a line logged just before process.exit is not lost; JSON goes
 * through pino's buffered destination, which pino flushes on exit.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { z } from 'zod';
import { logLevel, parseEnvironment } from '#portico/environment';

/** `PORTICO_LOG_FORMAT` values; unset: `pretty` on a terminal, else `json`. */
const logFormat = z.enum(['json', 'pretty']);
export type LogFormat = z.infer<typeof logFormat>;

const loggingVariables = z.object({
  PORTICO_LOG_LEVEL: logLevel.default('info'),
  PORTICO_LOG_FORMAT: logFormat.optional(),
});

/** Where records go: stdout by default; `isTTY` as a Node stream has it. */
export type LogDestination = DestinationStream & { isTTY?: boolean };

export interface LoggerOptions {
  /** The `name` of every record: `control-plane` or `gateway`. */
  name: string;
  level: z.infer<typeof logLevel>;
  /** Unset: `pretty` when `destination` is a terminal, else `json`. */
  format?: LogFormat;
  destination?: LogDestination;
}

export function createLogger({ name, level, format, destination }: LoggerOptions): Logger {
  const options = { name, level, serializers: { err: errorMessage } };
  const out = destination ?? process.stdout;
  if (!(format ? format === 'pretty' : out.isTTY === true)) return pino(options, destination);
  const prettify = prettyFactory({
    colorize: out.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'hostname,context',
    // Nest's context (the control plane's `new Logger('X')`) as Nest printed it: `[X] message`.
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
  });
  return pino(options, { write: (line: string) => void out.write(prettify(line)) });
}

/**
 * The root logger of process `name` from PORTICO_LOG_LEVEL and PORTICO_LOG_FORMAT of `source`.
 * An invalid value of either ends the process as {@link exitCannotStart} does, logged at the
 * default level and format.
 */
export function rootLogger(name: string, source: NodeJS.ProcessEnv = process.env): Logger {
  let variables: z.output<typeof loggingVariables>;
  try {
    variables = parseEnvironment(loggingVariables, source);
  } catch (error) {
    exitCannotStart(createLogger({ name, level: 'info' }), error);
  }
  return createLogger({ name, level: variables.PORTICO_LOG_LEVEL, format: variables.PORTICO_LOG_FORMAT });
}

/** Logs why the process cannot start, at fatal (`cannot start: <message>`), and exits with code 1. */
export function exitCannotStart(logger: Logger, error: unknown): never {
  const { err, ...stack } = errorFields(logger, error);
  logger.fatal(stack, `cannot start: ${err}`);
  process.exit(1);
}

/**
 * The `err` field of a record about `error` — an Error's message, or the head of a stack trace as
 * Nest passes one (`TypeError: boom` of `TypeError: boom\n    at …`) — and, while debug is
 * enabled, the trace as `stack`.
 */
export function errorFields(logger: Logger, error: unknown): { err: string; stack?: string } {
  const trace = error instanceof Error ? error.stack : typeof error === 'string' ? error : undefined;
  const err = error instanceof Error ? error.message : typeof error === 'string' ? stackHead(error) : String(error);
  return trace !== undefined && trace !== err && logger.isLevelEnabled('debug') ? { err, stack: trace } : { err };
}

/** The lines of a stack trace before its first `    at …` frame. */
function stackHead(trace: string): string {
  const lines = trace.split('\n');
  const frame = lines.findIndex((line) => /^\s+at\s/.test(line));
  return frame === -1 ? trace : lines.slice(0, frame).join('\n');
}

function errorMessage(value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
