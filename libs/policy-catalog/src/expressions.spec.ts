import { compileExpression, expressionProblem, type ExpressionActivation } from './expressions.js';

const activation: ExpressionActivation = {
  attributes: {
    headers: { 'x-team': 'blue', client_id: 'abc', host: 'gw.example.com' },
    queryParams: { identifier: 'q1' },
    method: 'POST',
    requestPath: '/mcp',
    remoteAddress: '10.0.0.7',
  },
  vars: { claimSet: { sub: 'alice', role: 'admin', groups: ['ops', 'dev'] } },
  authentication: { clientId: 'app-1' },
  mcp: { method: 'tools/call', name: 'get_weather', arguments: { city: 'Berlin', days: 3, tags: ['a'] } },
};

describe('policy expressions', () => {
  it.each([
    ["#[attributes.headers['client_id']]", 'abc'],
    ["#[attributes.queryParams['identifier']]", 'q1'],
    ['#[attributes.remoteAddress]', '10.0.0.7'],
    ['#[vars.claimSet.sub]', 'alice'],
    ["#[vars.claimSet.role == 'admin']", true],
    ["'ops' in vars.claimSet.groups", true],
    ['mcp.arguments.days > 2', true],
    ['mcp.arguments.days == 3', true],
    ["mcp.arguments.city.startsWith('Ber') && mcp.name == 'get_weather'", true],
    ["has(vars.claimSet.team) && vars.claimSet.team == 'x'", false],
    ["'x-team' in attributes.headers", true],
    ['authentication.clientId', 'app-1'],
  ])('%s evaluates to %p', (source, expected) => {
    expect(compileExpression(source).evaluate(activation)).toEqual(expected);
  });

  it('an absent key makes the value absent and a condition false, never an exception', () => {
    const expression = compileExpression("#[attributes.headers['x-missing'] == 'y']");
    expect(expression.evaluate(activation)).toBeUndefined();
    expect(expression.holds(activation)).toBe(false);
    expect(compileExpression('vars.claimSet.role').evaluate({ ...activation, vars: { claimSet: {} } })).toBeUndefined();
  });

  it.each([
    ["#[attributes.headers['client_id']]", 'client_id'],
    ['#[ attributes.headers["x-team"] ]', 'x-team'],
    ['attributes.headers.client_id', 'client_id'],
    ["#[attributes.headers['client_id'] == 'abc']", undefined],
    ['#[attributes.remoteAddress]', undefined],
  ])('names the one header %s reads (%s), and its value agrees', (source, header) => {
    const expression = compileExpression(source);
    expect(expression.header).toBe(header);
    if (header !== undefined)
      expect(expression.evaluate(activation)).toBe((activation.attributes.headers as Record<string, string>)[header]);
  });

  it('holds() is true only for the boolean true', () => {
    expect(compileExpression("vars.claimSet.role == 'admin'").holds(activation)).toBe(true);
    expect(compileExpression('vars.claimSet.sub').holds(activation)).toBe(false);
  });

  it('uuid() gives a fresh UUID each time', () => {
    const expression = compileExpression('#[uuid()]');
    const first = expression.evaluate(activation);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(expression.evaluate(activation)).not.toBe(first);
  });

  it.each([
    ['#[]', 'the expression is empty'],
    ['#[role == admin]', 'Unknown variable: role'],
    ["#[attributes.headers['x'] ==]", 'Unexpected token: EOF'],
    [
      "attributes.headers['x'].matches('(a+)+b')",
      'matches() is not supported (it would run a backtracking regex on client data)',
    ],
    ["matches(attributes.remoteAddress, '^10')", "found no matching overload for 'matches(dyn, string)'"],
  ])('%s is refused: %s', (source, problem) => {
    expect(expressionProblem(source)).toBe(problem);
    expect(() => compileExpression(source)).toThrow(problem);
  });

  it('refuses nesting past 32 levels', () => {
    expect(expressionProblem(`${'('.repeat(40)}1${')'.repeat(40)}`)).toMatch(/depth/i);
  });
});
