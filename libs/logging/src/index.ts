/**
 * The structured logger of every Portico process (pino; JSON, or readable lines on a terminal):
 * see logger.ts.
 */
export {
  createLogger,
  errorFields,
  exitCannotStart,
  type LogDestination,
  type LogFormat,
  type LoggerOptions,
  rootLogger,
} from './logger.js';
