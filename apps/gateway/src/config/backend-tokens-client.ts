/**
 * The gateway's side of BackendTokenService (proto portico/credentials/v1): asks the control plane
 * for the token it holds for a user at an API's backend (gateway-managed OAuth, the upstream-oauth
 * policy), over mTLS with the registration's certificate. Every process serving traffic (each
 * worker) has its own client; the policy keeps what it is told (policies/upstream-oauth).
 *
 * A call that could not reach the control plane replaces the channel (control-plane-channel.ts:
 * a failed grpc-js channel would fail the next calls at once with a stale error); a call the
 * control plane answered with an error keeps it. Each call has a deadline of CALL_DEADLINE_MS.
 */
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import type { BackendToken, BackendTokens } from '#portico/policy-engine';
import { BackendTokenServiceClient, type GetUserTokenResponse, type RevokeUserTokenResponse } from '#portico/proto-ts';
import { controlPlaneAnswered, type ControlPlaneIdentity, openControlPlaneChannel } from './control-plane-channel.js';

const CALL_DEADLINE_MS = 10_000;

export class BackendTokensClient implements BackendTokens {
  private client: BackendTokenServiceClient;

  constructor(private readonly identity: ControlPlaneIdentity) {
    this.client = openControlPlaneChannel(BackendTokenServiceClient, identity, {});
  }

  async userToken(apiId: string, subject: string, refusedSha256 = ''): Promise<BackendToken> {
    const answer = await this.call<GetUserTokenResponse>((client, done) =>
      client.getUserToken({ apiId, subject, refusedAccessTokenSha256: refusedSha256 }, new Metadata(), this.options(), done),
    );
    switch (answer.result?.$case) {
      case 'token':
        return { kind: 'token', accessToken: answer.result.value.accessToken, expiresAtMs: answer.result.value.expiresAtMs };
      case 'consent':
        return { kind: 'consent', ...answer.result.value };
      default:
        throw new Error('the control plane answered neither a token nor a consent');
    }
  }

  async revokeUserToken(apiId: string, subject: string): Promise<boolean> {
    const answer = await this.call<RevokeUserTokenResponse>((client, done) =>
      client.revokeUserToken({ apiId, subject }, new Metadata(), this.options(), done),
    );
    return answer.revoked;
  }

  close(): void {
    this.client.close();
  }

  private options() {
    return { deadline: Date.now() + CALL_DEADLINE_MS };
  }

  private call<T>(
    start: (client: BackendTokenServiceClient, done: (err: ServiceError | null, answer: T) => void) => void,
  ): Promise<T> {
    const client = this.client;
    return new Promise<T>((resolve, reject) => {
      start(client, (err, answer) => {
        if (!err) return resolve(answer);
        if (!controlPlaneAnswered(client) && client === this.client) {
          client.close();
          this.client = openControlPlaneChannel(BackendTokenServiceClient, this.identity, {});
        }
        reject(new Error(`BackendTokenService: ${err.details || err.message}`));
      });
    });
  }
}
