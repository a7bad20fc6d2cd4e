import { Module } from '@nestjs/common';
import { AlertEvaluator } from './alert-evaluator.js';
import { AlertNotifier } from './alert-notifier.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';
import { EmailSender } from './email-sender.js';
import { LegacyAlertsController } from './legacy-alerts.controller.js';
import { MonitoringAlertsController } from './monitoring-alerts.controller.js';
import { OrganizationMembersController } from './organization-members.controller.js';

/**
 * API alerts: their REST routes in API Manager's and Anypoint Monitoring's dialects, the
 * evaluator that checks them on the access events, and their e-mail and webhook notifications.
 * For promotion, AlertsService.copyForPromotion copies an instance's alerts within a transaction.
 */
@Module({
  controllers: [LegacyAlertsController, MonitoringAlertsController, OrganizationMembersController],
  providers: [AlertsRepository, AlertsService, AlertEvaluator, AlertNotifier, EmailSender],
  exports: [AlertsService],
})
export class AlertsModule {}
