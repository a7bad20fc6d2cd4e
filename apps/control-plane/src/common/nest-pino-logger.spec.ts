import { Logger } from '@nestjs/common';
import { createLogger } from '#portico/logging';
import { NestPinoLogger } from './nest-pino-logger.js';

/** Installs the adapter as main.ts does, on a JSON logger at `level`; returns the records it writes. */
function install(level: 'info' | 'debug' | 'trace'): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  const destination = { isTTY: false, write: (line: string) => void records.push(JSON.parse(line)) };
  Logger.overrideLogger(new NestPinoLogger(createLogger({ name: 'control-plane', level, destination })));
  return records;
}

const trace = () => {
  try {
    JSON.parse('{');
  } catch (err) {
    return err as SyntaxError;
  }
  throw new Error('unreachable');
};

describe('NestPinoLogger', () => {
  it("logs a Nest logger's line as one record at its level, the logger's context a field", () => {
    const records = install('info');
    new Logger('Bootstrap').log('created admin user "admin"');
    new Logger('ConfigSync').warn('revision poll failed: timeout');
    Logger.log('no context');

    expect(records).toEqual([
      expect.objectContaining({ level: 30, name: 'control-plane', context: 'Bootstrap', msg: 'created admin user "admin"' }),
      expect.objectContaining({ level: 40, context: 'ConfigSync', msg: 'revision poll failed: timeout' }),
      expect.objectContaining({ level: 30, msg: 'no context' }),
    ]);
    expect(records[2]).not.toHaveProperty('context');
  });

  it("logs Nest's start-up lines at debug, and its warnings and errors at their level", () => {
    const startUp = (): void => {
      new Logger('NestFactory').log('Starting Nest application...');
      new Logger('InstanceLoader').log('AppModule dependencies initialized');
      new Logger('RoutesResolver').log('HealthController {/}:');
      new Logger('RouterExplorer').log('Mapped {/healthz, GET} route');
      new Logger('NestApplication').log('Nest application successfully started');
      new Logger('NestApplication').error('Error during shutdown');
    };
    const info = install('info');
    startUp();
    expect(info).toEqual([expect.objectContaining({ level: 50, context: 'NestApplication', msg: 'Error during shutdown' })]);

    const debug = install('debug');
    startUp();
    expect(debug.map((r) => [r.level, r.context])).toEqual([
      [20, 'NestFactory'],
      [20, 'InstanceLoader'],
      [20, 'RoutesResolver'],
      [20, 'RouterExplorer'],
      [20, 'NestApplication'],
      [50, 'NestApplication'],
    ]);
  });

  it("logs an error's head as `err`, its stack trace only at debug", () => {
    const error = trace();
    const log = () => {
      new Logger('HttpExceptionFilter').error('unhandled error on GET /x (request 1)', error.stack);
      Logger.error('failed without a context', error.stack);
      new Logger('ExceptionHandler').error(error);
      new Logger('Portico').error('closing the app: timeout');
    };
    const info = install('info');
    log();
    expect(info).toEqual([
      expect.objectContaining({
        level: 50,
        context: 'HttpExceptionFilter',
        msg: 'unhandled error on GET /x (request 1)',
        err: `SyntaxError: ${error.message}`,
      }),
      expect.objectContaining({ level: 50, msg: 'failed without a context', err: `SyntaxError: ${error.message}` }),
      expect.objectContaining({ level: 50, context: 'ExceptionHandler', msg: error.message, err: error.message }),
      expect.objectContaining({ level: 50, context: 'Portico', msg: 'closing the app: timeout' }),
    ]);
    expect(info.filter((r) => 'stack' in r)).toEqual([]);
    expect(info[1]).not.toHaveProperty('context');
    expect(info[3]).not.toHaveProperty('err');

    const debug = install('debug');
    log();
    expect(debug.map((r) => r.stack)).toEqual([error.stack, error.stack, error.stack, undefined]);
  });

  it('maps verbose to trace, takes plain-object params as fields and logs a further message as a record of its own', () => {
    const records = install('trace');
    new Logger('Alerts').verbose('evaluated', { alerts: 3 });
    new Logger('Alerts').log('first', 'second');
    expect(records).toEqual([
      expect.objectContaining({ level: 10, context: 'Alerts', alerts: 3, msg: 'evaluated' }),
      expect.objectContaining({ level: 30, context: 'Alerts', msg: 'first' }),
      expect.objectContaining({ level: 30, context: 'Alerts', msg: 'second' }),
    ]);
  });
});
