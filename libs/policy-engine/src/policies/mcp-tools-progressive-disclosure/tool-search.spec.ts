import { queryWords, searchTools } from './tool-search.js';

const TOOLS = [
  { name: 'create_issue', description: 'Creates a Jira issue in a project', inputSchema: {} },
  { name: 'search_issues', title: 'Find issues', description: 'Searches Jira with JQL', inputSchema: {} },
  { name: 'get_weather', annotations: { title: 'Weather forecast' }, inputSchema: {} },
  { name: 'send_mail', description: 'Sends an e-mail about an issue or anything else' },
  'not a tool',
  { description: 'no name' },
];

describe('tool search', () => {
  it('cuts a query into distinct lower-case words of letters and digits', () => {
    expect(queryWords('  Create, ISSUE create-issue v2 ')).toEqual(['create', 'issue', 'v2']);
    expect(queryWords('—')).toEqual([]);
    expect(queryWords(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toHaveLength(16);
  });

  it('ranks name matches first, then the words matched, then the name', () => {
    const found = searchTools(TOOLS, queryWords('issue jira'), 10);
    expect(found.map((t) => t.name)).toEqual(['create_issue', 'search_issues', 'send_mail']);
    expect(searchTools(TOOLS, queryWords('mail issue'), 10).map((t) => t.name)).toEqual([
      'send_mail',
      'create_issue',
      'search_issues',
    ]);
  });

  it('matches titles (or annotations.title) case-insensitively and returns name, title and description only', () => {
    expect(searchTools(TOOLS, queryWords('FORECAST'), 10)).toEqual([{ name: 'get_weather', title: 'Weather forecast' }]);
    expect(searchTools(TOOLS, queryWords('find'), 10)).toEqual([
      { name: 'search_issues', title: 'Find issues', description: 'Searches Jira with JQL' },
    ]);
  });

  it('returns at most `limit` tools, every named tool for a query without words', () => {
    expect(searchTools(TOOLS, [], 3).map((t) => t.name)).toEqual(['create_issue', 'get_weather', 'search_issues']);
    expect(searchTools(TOOLS, queryWords('issue'), 1).map((t) => t.name)).toEqual(['create_issue']);
    expect(searchTools(TOOLS, queryWords('zzz qqq'), 10)).toEqual([]);
  });
});
