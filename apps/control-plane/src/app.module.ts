import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AccessManagementModule } from './access-management/access-management.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BootstrapModule } from './bootstrap/bootstrap.module.js';
import { QueryParametersInterceptor } from './common/query-parameters.interceptor.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { DATABASE_URL, PrismaService } from './common/prisma.service.js';
import { SecretBox } from './common/secret-box.js';
import { SyncEndpoint } from './config-sync/sync-endpoint.js';
import { ENV, type Env } from './config/env.js';
import { ApiInstancesModule } from './api-instances/api-instances.module.js';
import { ClientApplicationsModule } from './client-applications/client-applications.module.js';
import { ConfigSyncModule } from './config-sync/config-sync.module.js';
import { DeploymentsModule } from './deployments/deployments.module.js';
import { ExchangeModule } from './exchange/exchange.module.js';
import { ExchangePortalModule } from './exchange-portal/exchange-portal.module.js';
import { GatewayRegistrationModule } from './gateway-registration/gateway-registration.module.js';
import { GatewayTargetsModule } from './gateway-targets/gateway-targets.module.js';
import { GraphApiModule } from './graph-api/graph-api.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PoliciesModule } from './policies/policies.module.js';
import { ToolPinsModule } from './tool-pins/tool-pins.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { SecretsManagerModule } from './secrets-manager/secrets-manager.module.js';
import { SlaTiersModule } from './sla-tiers/sla-tiers.module.js';
import { McpProbeModule } from './mcp-probe/mcp-probe.module.js';
import { McpBackendsModule } from './mcp-backends/mcp-backends.module.js';
import { McpInventoryModule } from './mcp-inventory/mcp-inventory.module.js';
import { McpLibraryModule } from './mcp-library/mcp-library.module.js';
import { AgentsModule } from './agents/agents.module.js';

@Global()
@Module({})
class CoreModule {
  static forRoot(env: Env, databaseUrl: string): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: ENV, useValue: env },
        { provide: DATABASE_URL, useValue: databaseUrl },
        PrismaService,
        SecretBox,
        SyncEndpoint,
      ],
      exports: [ENV, DATABASE_URL, PrismaService, SecretBox, SyncEndpoint],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(env: Env, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(env, databaseUrl),
        AuthModule,
        AuditModule,
        BootstrapModule,
        HealthModule,
        MetricsModule,
        AccessManagementModule,
        ExchangeModule,
        ExchangePortalModule,
        GraphApiModule,
        GatewayTargetsModule,
        GatewayRegistrationModule,
        ConfigSyncModule,
        ApiInstancesModule,
        DeploymentsModule,
        PoliciesModule,
        ToolPinsModule,
        ApiKeysModule,
        ClientApplicationsModule,
        SlaTiersModule,
        SecretsManagerModule,
        AnalyticsModule,
        AlertsModule,
        McpProbeModule,
        McpBackendsModule,
        McpLibraryModule,
        McpInventoryModule,
        AgentsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: QueryParametersInterceptor },
      ],
    };
  }
}
