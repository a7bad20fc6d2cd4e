import { type ToolMappingConfig, ToolNameMap } from './tool-name-map.js';

const map = (configs: ToolMappingConfig[], learned = new Map<string, string>()) => new ToolNameMap(configs, learned);

describe('tool name map', () => {
  it('maps a literal name both ways and hides the old name', () => {
    const names = map([
      { sourceToolName: 'jira_create_issue', mappedToolName: 'create_ticket', mappedDescription: 'Create a ticket' },
    ]);
    expect(names.forward('jira_create_issue')).toEqual({ name: 'create_ticket', description: 'Create a ticket', enabled: true });
    expect(names.forward('other')).toBeUndefined();
    expect(names.source('create_ticket')).toBe('jira_create_issue');
    expect(names.source('jira_create_issue')).toBeUndefined();
    expect(names.source('other')).toBe('other');
    expect(names.warnings).toEqual([]);
  });

  it('disables a tool without renaming it', () => {
    const names = map([{ sourceToolName: 'delete_repo', enabled: false }]);
    expect(names.forward('delete_repo')).toEqual({ name: 'delete_repo', description: undefined, enabled: false });
    expect(names.source('delete_repo')).toBeUndefined();
  });

  it('keeps a name that only gets a new description callable', () => {
    const names = map([{ sourceToolName: 'echo', mappedDescription: 'Says it back' }]);
    expect(names.source('echo')).toBe('echo');
  });

  it('maps a regex of literals around groups both ways without having listed anything', () => {
    const names = map([{ sourceToolName: 'jira_(.*)_v(\\d+)', mappedToolName: 'ticket-$1@$2', mappingType: 'regex' }]);
    expect(names.forward('jira_create_v2')?.name).toBe('ticket-create@2');
    expect(names.source('ticket-create@2')).toBe('jira_create_v2');
    // A client name whose groups the source pattern refuses maps to nothing upstream, and the
    // upstream names the regex covers are hidden.
    expect(names.source('ticket-create@x')).toBe('ticket-create@x');
    expect(names.source('jira_create_v2')).toBeUndefined();
    expect(names.warnings).toEqual([]);
  });

  it('resolves a regex it cannot invert from the names tools/list showed, and warns', () => {
    const learned = new Map<string, string>();
    const names = map([{ sourceToolName: '(?:gh|github)_(\\w+)', mappedToolName: 'git.$1', mappingType: 'regex' }], learned);
    expect(names.warnings).toEqual([
      expect.stringContaining('toolMappings[0]: (?:gh|github)_(\\w+) is not literals around groups'),
    ]);
    expect(names.forward('gh_search')?.name).toBe('git.search');
    expect(names.source('git.search')).toBe('git.search');
    names.learn('git.search', 'gh_search');
    expect(names.source('git.search')).toBe('gh_search');
    expect(learned.get('git.search')).toBe('gh_search');
  });

  it('lets the first matching mapping win', () => {
    const names = map([
      { sourceToolName: 'admin_reset', enabled: false },
      { sourceToolName: 'admin_(.*)', mappedToolName: 'ops_$1', mappingType: 'regex' },
    ]);
    expect(names.forward('admin_reset')?.enabled).toBe(false);
    expect(names.forward('admin_status')?.name).toBe('ops_status');
    // The disabled tool is not reachable under the name the regex would give it: that name goes
    // upstream unchanged, where no tool has it.
    expect(names.source('ops_reset')).toBe('ops_reset');
    expect(names.source('admin_reset')).toBeUndefined();
    expect(names.source('ops_status')).toBe('admin_status');
  });
});
