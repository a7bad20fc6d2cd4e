import { compileMethodScope } from './method-scope.js';

describe('compileMethodScope', () => {
  const scope = compileMethodScope({
    'tools/call': 'request',
    'tools/*': 'response',
    'resources/templates/*': 'both',
    'resources/*': 'request',
    '*/list': 'both',
    '*': 'request',
  });

  it.each([
    ['tools/call', { request: true, response: false }, 'exact beats namespace'],
    ['tools/list', { request: false, response: true }, 'namespace beats verb'],
    ['resources/templates/list', { request: true, response: true }, 'the longest namespace wins'],
    ['resources/read', { request: true, response: false }, 'namespace'],
    ['prompts/list', { request: true, response: true }, 'verb beats *'],
    ['initialize', { request: true, response: false }, '* as the fallback'],
  ])('%s -> %j (%s)', (method, phases) => {
    expect(scope.phases(method)).toEqual(phases);
    expect(scope.phases(method)).toEqual(phases); // cached answer is the same
  });

  it('skips methods no key covers', () => {
    expect(compileMethodScope({ 'tools/call': 'request' }).phases('ping')).toEqual({ request: false, response: false });
  });

  it('covers every method and both phases when a policy declares no scope', () => {
    const all = compileMethodScope(undefined);
    expect(all.phases('anything/at-all')).toEqual({ request: true, response: true });
    expect(all.anyResponse).toBe(true);
  });

  it('tells whether any method gets the response hook', () => {
    expect(compileMethodScope({ 'tools/call': 'request' }).anyResponse).toBe(false);
    expect(compileMethodScope({ '*/list': 'response' }).anyResponse).toBe(true);
  });

  it('keeps answering past the cache bound', () => {
    const bounded = compileMethodScope({ 'x/*': 'both' });
    for (let i = 0; i < 1000; i++) expect(bounded.phases(`x/${i}`).response).toBe(true);
  });
});
