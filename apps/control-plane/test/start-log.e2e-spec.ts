/**
 * What a person sees when the control plane starts (issue 21): pino records, one JSON object per
 * line, saying what Portico did — no line per route mapped or module initialised, which Nest logs
 * at debug — and readable lines instead of JSON with PORTICO_LOG_FORMAT=pretty (a terminal gets
 * them unasked: libs/logging/src/terminal.integration-spec.ts).
 */
import { ADMIN_PASSWORD, startControlPlaneProcess } from './support/control-plane.js';
import { LEVEL, logRecords } from './support/log-records.js';

/** Nest's start-up contexts (common/nest-pino-logger.ts). */
const FRAMEWORK_CONTEXTS = ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication'];

/** The output of a control plane process that started with `variables`, then stopped. */
async function startOutput(variables: Record<string, string>): Promise<string> {
  const cp = await startControlPlaneProcess(variables);
  await cp.close();
  return cp.output();
}

describe('the start of the control plane, in its log', () => {
  it('is a few JSON records at info: what Portico did, no Nest start-up line', async () => {
    const records = logRecords(await startOutput({ PORTICO_LOG_LEVEL: 'info' }));

    for (const record of records) {
      expect(record).toEqual(
        expect.objectContaining({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
          name: 'control-plane',
        }),
      );
    }
    expect(records).toContainEqual(
      expect.objectContaining({
        level: LEVEL.info,
        context: 'Portico',
        msg: expect.stringMatching(/^control plane listening on http:\/\/127\.0\.0\.1:\d+$/),
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ level: LEVEL.info, msg: expect.stringMatching(/^web console at http:\/\/127\.0\.0\.1:\d+\/$/) }),
    );
    expect(records.filter((r) => r.msg.includes('Mapped {') || FRAMEWORK_CONTEXTS.includes(r.context ?? ''))).toEqual([]);
    expect(records.length).toBeLessThan(10);
  });

  it('shows Nest wiring the routes at debug, as readable lines with PORTICO_LOG_FORMAT=pretty, and no secret', async () => {
    const output = await startOutput({ PORTICO_LOG_LEVEL: 'debug', PORTICO_LOG_FORMAT: 'pretty' });
    const lines = output.trimEnd().split('\n');

    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[[\d:.]+\] DEBUG \(control-plane\/\d+\): \[RouterExplorer\] Mapped \{\/healthz, GET\} route$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[[\d:.]+\] INFO \(control-plane\/\d+\): \[Portico\] control plane listening on /),
    );
    expect(lines.filter((line) => line.includes('Mapped {') && !line.includes(' DEBUG '))).toEqual([]);
    expect(output).not.toContain(ADMIN_PASSWORD);
  });
});
