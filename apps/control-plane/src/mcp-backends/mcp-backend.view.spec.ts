import { connectionMode, OAUTH_PASSTHROUGH_TAG } from './mcp-backend.view.js';

const credential = { assetId: 'upstream-credential', configurationData: {} };
const oauth = { assetId: 'upstream-oauth', configurationData: {} };
const forwarding = { assetId: 'jwt-validation', configurationData: { forwardToken: true } };
const validating = { assetId: 'oauth2-token-introspection', configurationData: { forwardToken: false } };

describe('connection mode of an MCP backend', () => {
  it.each([
    ['no policy, no tag', [], [], 'none'],
    ['upstream-oauth', [oauth], [], 'gateway-oauth'],
    ['upstream-credential', [credential], [], 'api-key'],
    ['both upstream policies', [credential, oauth], [], 'gateway-oauth'],
    ['a validator that forwards the token', [forwarding], [], 'oauth-passthrough'],
    ['a validator that keeps the token', [validating], [], 'none'],
    ['the passthrough tag alone', [], ['custom-mcp', OAUTH_PASSTHROUGH_TAG], 'oauth-passthrough'],
    ['the passthrough tag and upstream-credential', [credential], [OAUTH_PASSTHROUGH_TAG], 'api-key'],
    ['the passthrough tag and upstream-oauth', [oauth], [OAUTH_PASSTHROUGH_TAG], 'gateway-oauth'],
    ['another tag', [], ['mcp-connection:none'], 'none'],
  ] as const)('reads %s as %s', (_what, policies, tags, mode) => {
    expect(connectionMode(policies, tags)).toBe(mode);
  });

  it('reads the policies alone when no tags are given', () => {
    expect(connectionMode([forwarding])).toBe('oauth-passthrough');
    expect(connectionMode([])).toBe('none');
  });
});
