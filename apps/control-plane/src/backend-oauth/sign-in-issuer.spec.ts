import { type ChainPolicy, signInIssuer } from './sign-in-issuer.js';

const IDP = 'https://idp.example.com';
const jwt = (configurationData: Record<string, unknown>, extra: Partial<ChainPolicy> = {}): ChainPolicy => ({
  id: 11,
  assetId: 'jwt-validation',
  disabled: false,
  order: 2,
  configurationData,
  ...extra,
});
const upstreamOAuth: ChainPolicy = { id: 12, assetId: 'upstream-oauth', disabled: false, order: 3, configurationData: {} };

describe('signInIssuer', () => {
  it("is the jwt-validation policy's first authorization server when it accepts that issuer only", () => {
    expect(signInIssuer(7, [jwt({ authorizationServers: [IDP], issuer: `${IDP}/` }), upstreamOAuth])).toEqual({ issuer: IDP });
  });

  it.each([
    ['no jwt-validation', [], 'apply a jwt-validation policy to API instance 7 that names it in authorizationServers'],
    [
      'a disabled one',
      [jwt({ authorizationServers: [IDP], issuer: IDP }, { disabled: true })],
      'apply a jwt-validation policy to API instance 7 that names it in authorizationServers',
    ],
    [
      'no authorization server',
      [jwt({ issuer: IDP })],
      'policy 11 (jwt-validation) of API instance 7 must name it in authorizationServers',
    ],
    [
      'any issuer accepted',
      [jwt({ authorizationServers: [IDP] })],
      `policy 11 (jwt-validation) of API instance 7 must accept tokens of ${IDP} only: set its issuer to ${IDP}`,
    ],
    [
      'another issuer accepted too',
      [jwt({ authorizationServers: [IDP], issuer: `${IDP}, https://other.example.com` })],
      `policy 11 (jwt-validation) of API instance 7 must accept tokens of ${IDP} only: set its issuer to ${IDP}`,
    ],
    [
      'after upstream-oauth',
      [jwt({ authorizationServers: [IDP], issuer: IDP }, { order: 4 }), upstreamOAuth],
      'policy 11 (jwt-validation) of API instance 7 must come before policy 12 (upstream-oauth)',
    ],
  ])('names what is missing: %s', (_case, chain, problem) => {
    expect(signInIssuer(7, chain as ChainPolicy[])).toEqual({ problem });
  });
});
