/**
 * Where gateways reach this control plane's sync service. Known once the gRPC server is bound
 * (tests bind port 0), so registration reads it per request rather than from the environment.
 */
import { Injectable } from '@nestjs/common';

@Injectable()
export class SyncEndpoint {
  private address?: string;

  /** Called by the sync server once it listens. */
  set(address: string): void {
    this.address = address;
  }

  /** host:port written into gateway registrations; throws while the sync server is not listening. */
  publicAddress(): string {
    if (!this.address) throw new Error('the gateway sync service is not listening yet');
    return this.address;
  }
}
