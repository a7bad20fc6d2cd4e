import { loadPredefinedAgents, PREDEFINED_AGENTS } from './predefined-agents.js';

const agent = (key: string, fields: Record<string, unknown> = {}) => ({
  key,
  name: key.toUpperCase(),
  description: 'An agent',
  website: 'https://example.com',
  clientInfoNames: [key],
  clientMetadataUrls: [],
  ...fields,
});

describe('predefined agents', () => {
  it('ships well-known MCP clients with how each identifies itself', () => {
    expect(PREDEFINED_AGENTS.map((a) => a.key)).toEqual(
      expect.arrayContaining([
        'claude-desktop',
        'claude-code',
        'cursor',
        'vscode',
        'windsurf',
        'goose',
        'mcp-inspector',
        'chatgpt',
      ]),
    );
    const byKey = Object.fromEntries(PREDEFINED_AGENTS.map((a) => [a.key, a]));
    expect(byKey['claude-code']!.clientInfoNames).toContain('claude-code');
    expect(byKey['cursor']!.clientInfoNames).toContain('cursor-vscode');
    expect(byKey['vscode']).toMatchObject({
      clientInfoNames: expect.arrayContaining(['Visual Studio Code']),
      clientMetadataUrls: ['https://vscode.dev/oauth/client-metadata.json'],
    });
    expect(Object.isFrozen(PREDEFINED_AGENTS)).toBe(true);
  });

  it.each([
    ['an empty list', { agents: [] }, 'agents: Too small'],
    ['a website that is not https', { agents: [agent('a', { website: 'http://example.com' })] }, 'agents.0.website'],
    ['a bad key', { agents: [agent('A b')] }, 'agents.0.key: must be lower-case letters, digits and dashes'],
    ['a repeated key', { agents: [agent('a'), agent('a')] }, 'a: key "a" is a\'s too'],
    [
      'a clientInfo name of two agents',
      { agents: [agent('a'), agent('b', { clientInfoNames: ['A'] })] },
      'b: clientInfo name "a" is a\'s too',
    ],
    [
      'an agent nothing recognises',
      { agents: [agent('a', { clientInfoNames: [] })] },
      'a: needs a clientInfo name or a client metadata URL',
    ],
    ['an unknown field', { agents: [agent('a', { extra: true })] }, 'agents.0: Unrecognized key: "extra"'],
  ])('refuses %s, naming the problem', (_what, document, problem) => {
    expect(() => loadPredefinedAgents(document)).toThrow(problem);
  });
});
