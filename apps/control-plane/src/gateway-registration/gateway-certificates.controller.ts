import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/decorators.js';
import { GatewayCertificatesService } from './gateway-certificates.service.js';

/** Client certificates of a self-managed gateway (Portico extension of the standalone API, contract §9.5). */
@ApiTags('Standalone: gateways')
@Controller('standalone/api/v1/organizations/:orgId/environments/:envId/gateways/:gatewayId/certificates')
export class GatewayCertificatesController {
  constructor(private readonly certificates: GatewayCertificatesService) {}

  @Get()
  @RequireScope('read:servers')
  @ApiOperation({ summary: 'List the client certificates issued to a gateway, with status VALID, REVOKED or EXPIRED' })
  list(@Param('orgId') orgId: string, @Param('envId') envId: string, @Param('gatewayId') gatewayId: string) {
    return this.certificates.list(orgId, envId, gatewayId);
  }

  @Delete(':serialNumber')
  @HttpCode(204)
  @RequireScope('manage:servers')
  @ApiOperation({ summary: "Revoke a gateway certificate: the control plane ends and refuses that certificate's streams" })
  async revoke(
    @Param('orgId') orgId: string,
    @Param('envId') envId: string,
    @Param('gatewayId') gatewayId: string,
    @Param('serialNumber') serialNumber: string,
  ): Promise<void> {
    await this.certificates.revoke(orgId, envId, gatewayId, serialNumber);
  }
}
