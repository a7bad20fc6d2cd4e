/**
 * Policy expressions: the `#[...]` values and conditions of policy configurations
 * (`#[attributes.headers['client_id']]`, `#[vars.claimSet.role == 'admin']`). One evaluator for
 * every policy, shared by the control plane (a configuration whose expression does not compile is
 * a 400 naming it) and the gateway (compiled once per configuration push, evaluated per request).
 *
 * Language: CEL (https://cel.dev), run by `@marcbachmann/cel-js`. The `#[` `]` around an
 * expression (Anypoint's notation) is optional; what is inside is CEL, and the Anypoint examples
 * are valid CEL as they are.
 *
 * Variables (every one a map, always present; a key that is absent is an evaluation error, which
 * makes a condition false and a value absent — test with `has(vars.claimSet.role)` or
 * `'x-team' in attributes.headers`):
 * - `attributes.headers`       request headers, lower-case names (a repeated header: its values joined by ", ")
 * - `attributes.queryParams`   query parameters (the first value of each)
 * - `attributes.method`        HTTP method
 * - `attributes.requestPath`   path after the API's base path
 * - `attributes.remoteAddress` the client's address
 * - `vars.claimSet`            claims of the token an identity policy validated (empty until one ran)
 * - `authentication`           who an authentication policy established: `principal`, `clientId`,
 *                              `clientName`, `properties` (empty until one ran)
 * - `mcp.method`, `mcp.name`, `mcp.arguments`
 *                              the MCP message judged: its method, the tool or prompt name or the
 *                              resource URI, and the arguments of tools/call and prompts/get
 *                              (empty outside an MCP message)
 *
 * Functions: CEL's standard library, and `uuid()` (a random UUID). `matches()` is refused: the
 * library runs it with a backtracking engine on client data (use a configuration field of format
 * `regex`, which runs in linear time). Nesting is limited to 32 levels.
 */
import { randomUUID } from 'node:crypto';
import { Environment } from '@marcbachmann/cel-js';

/** The values an expression can read (see the header). */
export interface ExpressionActivation {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly authentication: Readonly<Record<string, unknown>>;
  readonly mcp: Readonly<Record<string, unknown>>;
}

/** A compiled expression. */
export interface PolicyExpression {
  /** As configured, with its `#[` `]`. */
  readonly source: string;
  /** The value, or undefined when evaluating failed (an absent key, a type mismatch). */
  evaluate(activation: ExpressionActivation): unknown;
  /** True only when the expression evaluates to `true`. */
  holds(activation: ExpressionActivation): boolean;
  /**
   * When the expression only reads one request header (`attributes.headers['x']` or
   * `attributes.headers.x`), its name as written: a caller may read the header directly, with the
   * same result, instead of building an activation.
   */
  readonly header: string | undefined;
}

const HEADER_READ = /^attributes\.headers(?:\[\s*(['"])([^'"\\]+)\1\s*\]|\.([A-Za-z_][A-Za-z0-9_]*))$/;

const VARIABLES = ['attributes', 'vars', 'authentication', 'mcp'] as const;

const environment = VARIABLES.reduce(
  (env, name) => env.registerVariable(name, 'map'),
  new Environment({ unlistedVariablesAreDyn: false, limits: { maxDepth: 32 } }),
).registerFunction('uuid(): string', () => randomUUID());

/** An AST node of the library (`{ op, args }`). */
interface Node {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).op === 'string';
}

/** The name of a refused function the expression calls, if any. */
function refusedCall(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = refusedCall(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isNode(node)) return undefined;
  if ((node.op === 'call' || node.op === 'rcall') && Array.isArray(node.args) && node.args[0] === 'matches') return 'matches';
  return refusedCall(node.args);
}

/** The CEL inside an optional `#[` `]`. */
function celSource(source: string): string {
  const trimmed = source.trim();
  return trimmed.startsWith('#[') && trimmed.endsWith(']') ? trimmed.slice(2, -1) : trimmed;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

/** Compiles `source`; throws an Error saying why it cannot be used (syntax, unknown variable, refused function). */
export function compileExpression(source: string): PolicyExpression {
  const cel = celSource(source);
  if (cel === '') throw new Error('the expression is empty');
  const checked = environment.check(cel);
  if (!checked.valid) throw new Error(firstLine(checked.error));
  const program = environment.parse(cel);
  if (refusedCall(program.ast) === 'matches') {
    throw new Error('matches() is not supported (it would run a backtracking regex on client data)');
  }
  const evaluate = (activation: ExpressionActivation): unknown => {
    try {
      return program(activation as unknown as Record<string, unknown>);
    } catch {
      return undefined;
    }
  };
  const read = HEADER_READ.exec(cel.trim());
  return {
    source,
    evaluate,
    holds: (activation) => evaluate(activation) === true,
    header: read ? (read[2] ?? read[3]) : undefined,
  };
}

/** undefined when `source` compiles, else why not. */
export function expressionProblem(source: string): string | undefined {
  try {
    compileExpression(source);
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}
