/**
 * The log of a Portico process as tests read it: one pino JSON record per line (#portico/logging).
 * A line that is not JSON fails the test that reads it, naming the line.
 */
export interface LogRecord {
  level: number;
  time: number;
  msg: string;
  name?: string;
  /** The Nest logger's context (`new Logger('X')`) of a control-plane record. */
  context?: string;
  [field: string]: unknown;
}

/** pino's level numbers. */
export const LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** Every complete line of `output` (a process's output read while it writes may end in part of one), parsed. */
export function logRecords(output: string): LogRecord[] {
  return output
    .split('\n')
    .slice(0, -1)
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogRecord;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}
