import { createLogger, errorFields, type LogDestination, type LogFormat, rootLogger } from './logger.js';

/** A destination keeping what is written; a terminal when `isTTY`. */
function capture(isTTY: boolean): LogDestination & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => void chunks.push(chunk), text: () => chunks.join('') };
}

function log(format: LogFormat | undefined, isTTY: boolean, level: 'info' | 'debug' = 'info') {
  const destination = capture(isTTY);
  return { logger: createLogger({ name: 'gateway', level, format, destination }), text: destination.text };
}

const records = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createLogger', () => {
  it('writes one JSON object per line, pino-shaped and named, when its destination is not a terminal', () => {
    const { logger, text } = log(undefined, false);
    logger.info({ api: 7 }, 'connected to the control plane');
    logger.child({ worker: 2 }).warn('worker serving');
    logger.debug('not at info');

    expect(records(text())).toEqual([
      expect.objectContaining({
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        name: 'gateway',
        api: 7,
        msg: 'connected to the control plane',
      }),
      expect.objectContaining({ level: 40, name: 'gateway', worker: 2, msg: 'worker serving' }),
    ]);
  });

  it('writes readable lines, not JSON, on a terminal: time, level, name, [context] and message', () => {
    const { logger, text } = log(undefined, true);
    logger.info({ context: 'Bootstrap', org: 'Portico' }, 'created root organization');

    const [line, ...more] = text().trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(() => JSON.parse(line!)).toThrow();
    // colours on a terminal: strip them to read the line
    // eslint-disable-next-line no-control-regex
    expect(line!.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(
      new RegExp(
        `^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] INFO \\(gateway/${process.pid}\\): \\[Bootstrap\\] created root organization \\{"org":"Portico"\\}$`,
      ),
    );
  });

  it('follows PORTICO_LOG_FORMAT over the terminal check: json on a terminal, pretty (without colours) elsewhere', () => {
    const json = log('json', true);
    json.logger.info('hello');
    expect(records(json.text())).toEqual([expect.objectContaining({ msg: 'hello' })]);

    const pretty = log('pretty', false);
    pretty.logger.info('hello');
    expect(pretty.text()).toMatch(/^\[[\d:.]+\] INFO \(gateway\/\d+\): hello\n$/);
  });

  it('logs an Error under `err` as its message, without the stack trace', () => {
    const { logger, text } = log(undefined, false);
    logger.error({ err: new TypeError('the upstream closed') }, 'upstream request failed');
    expect(records(text())[0]).toMatchObject({ err: 'the upstream closed', msg: 'upstream request failed' });
    expect(text()).not.toContain(' at ');
  });
});

describe('errorFields', () => {
  const trace = 'TypeError: boom\n    at handler (/app/src/x.ts:1:2)\n    at run (/app/src/y.ts:3:4)';

  it('gives the message of an Error and the head of a stack trace, with the trace only while debug is enabled', () => {
    const info = log(undefined, false).logger;
    const debug = log(undefined, false, 'debug').logger;
    const error = new Error('the database is unavailable');

    expect(errorFields(info, error)).toEqual({ err: 'the database is unavailable' });
    expect(errorFields(info, trace)).toEqual({ err: 'TypeError: boom' });
    expect(errorFields(debug, error)).toEqual({ err: 'the database is unavailable', stack: error.stack });
    expect(errorFields(debug, trace)).toEqual({ err: 'TypeError: boom', stack: trace });
    // a description, not a trace: nothing more to show at debug
    expect(errorFields(debug, 'not an Error')).toEqual({ err: 'not an Error' });
  });
});

describe('rootLogger', () => {
  it('takes its level from PORTICO_LOG_LEVEL, info when unset or empty', () => {
    expect(rootLogger('gateway', { PORTICO_LOG_LEVEL: 'warn' }).level).toBe('warn');
    expect(rootLogger('gateway', { PORTICO_LOG_LEVEL: '' }).level).toBe('info');
    expect(rootLogger('gateway', {}).level).toBe('info');
  });
});
