/**
 * Whether an error means the database cannot be reached now — as opposed to a query the database
 * answered with an error (a constraint, a missing row, bad SQL), which keeps its own meaning.
 *
 * Prisma 7 over the pg driver adapter reports a lost database in several shapes, each seen by
 * breaking a real connection (database-unavailable.integration-spec.ts):
 * - a known request error whose code says so (P1001 "Can't reach database server", P1017 "Server
 *   has closed the connection", …), or a raw query's P2010 carrying the adapter's cause;
 * - the adapter's cause itself, under `meta.driverAdapterError.cause` (`kind` DatabaseNotReachable,
 *   ConnectionClosed, …, or `kind: 'postgres'` with a SQLSTATE such as 57P01 "terminating
 *   connection due to administrator command");
 * - pg's own errors, passed through unconverted: "Connection terminated unexpectedly" (the socket
 *   died under a query), "Connection terminated due to connection timeout", "timeout exceeded when
 *   trying to connect" (no pool slot in time), and a lone client's "timeout expired" (connect);
 * - P2028 "Unable to start a transaction in the given time" (no connection for an interactive
 *   transaction);
 * - Node's socket errors (ECONNREFUSED, …) and pg's server errors, when pg is used directly.
 */

/** Prisma error codes that mean the database was not reachable or dropped the connection. */
const PRISMA_CODES = new Set([
  'P1001', // Can't reach database server
  'P1002', // The database server was reached but timed out
  'P1008', // Operations timed out (SocketTimeout)
  'P1017', // Server has closed the connection
  'P2024', // Timed out fetching a new connection from the connection pool
  'P2037', // Too many database connections opened
]);

/** Causes of the pg driver adapter (@prisma/driver-adapter-utils MappedError kinds) that mean the same. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * SQLSTATEs of a server that is going away or cannot take the connection: class 08 (connection
 * exception), admin/crash shutdown, "the database system is starting up / shutting down", too many
 * connections.
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);
}

/** pg and pg-pool raise these as plain Errors, and Prisma passes them on as they are. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Client has encountered a connection error and is not queryable',
];

/** Socket errors of Node's `net` (a `syscall` names the failed call). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const START_TRANSACTION_TIMEOUT = /Unable to start a transaction in the given time/;

/** True when `err` (or its cause) says the database is unreachable or dropped the connection. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (code && PRISMA_CODES.has(code)) return true;
  if (typeof e.errorCode === 'string' && PRISMA_CODES.has(e.errorCode)) return true; // PrismaClientInitializationError
  if (code === 'P2028' && START_TRANSACTION_TIMEOUT.test(message)) return true;
  if (adapterCauseUnavailable((e.meta as { driverAdapterError?: { cause?: unknown } } | undefined)?.driverAdapterError?.cause)) {
    return true;
  }
  if (e.name === 'DriverAdapterError' && adapterCauseUnavailable(e.cause)) return true;
  if (code && typeof e.syscall === 'string' && SOCKET_CODES.has(code)) return true;
  // pg's DatabaseError (a server error: it has a severity)
  if (code && typeof e.severity === 'string' && unavailableSqlState(code)) return true;
  if (PG_CONNECTION_MESSAGES.includes(message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true; // AggregateError
  return isDatabaseUnavailable(e.cause, depth + 1);
}

function adapterCauseUnavailable(cause: unknown): boolean {
  if (!cause || typeof cause !== 'object') return false;
  const { kind, code } = cause as { kind?: unknown; code?: unknown };
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  return kind === 'postgres' && typeof code === 'string' && unavailableSqlState(code);
}

/**
 * One line saying why the database is unavailable, for logs: Prisma's messages open with a code
 * frame of the calling source; its last line is the cause ("Can't reach database server at
 * 127.0.0.1:5432"). Connection strings never appear in these messages.
 */
export function databaseFailureReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'unknown error';
}
