/**
 * Evaluates the enabled API alerts on the access events gateways publish, every
 * PORTICO_ALERTS_INTERVAL_MS, in every control plane.
 *
 * Contract:
 * - Several control planes share the work by claiming alerts (alerts.repository.ts claimDue, a
 *   row claim with FOR UPDATE SKIP LOCKED): per interval, exactly one of them evaluates a given
 *   alert. Claims take alerts not evaluated for 90 % of the claimer's interval, so replicas must
 *   share the setting.
 * - An alert fires once, when its condition starts to hold, and resolves once, when it stops
 *   (state `firing` / `ok` in the database, with `firedAt` / `resolvedAt`); in between nothing is
 *   sent. The change is recorded before the notifications go out, and only if the definition did
 *   not change meanwhile: a crash in between loses that notification rather than sending it
 *   twice.
 * - A pending alert (never evaluated) fires if its condition holds, else becomes `ok` silently.
 * - Nothing an alert or a delivery does stops the others: failures are logged, and an outage of
 *   the database is logged when it starts and ends (common/database-outage.ts).
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DatabaseOutage } from '../common/database-outage.js';
import { SecretBox } from '../common/secret-box.js';
import { ENV, type Env } from '../config/env.js';
import { conditionHolds, periodValues } from './alert-condition.js';
import { type AlertMetric, type AlertOperator, apiName, storedRecipients, storedWebhooks } from './alert-definition.js';
import { type AlertNotice, AlertNotifier } from './alert-notifier.js';
import { type AlertForEvaluation, AlertsRepository } from './alerts.repository.js';

/** Alerts claimed per statement; a tick claims batches until none is due. */
const BATCH = 100;
/** Claims take alerts not evaluated for this share of the interval (ticks drift by a few ms). */
const DUE_SHARE = 0.9;

@Injectable()
export class AlertEvaluator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private readonly outage = new DatabaseOutage(this.logger, 'alerts are not evaluated until it is back');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly repo: AlertsRepository,
    private readonly notifier: AlertNotifier,
    private readonly secrets: SecretBox,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      // a tick still running (a slow database) is not overlapped
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.env.PORTICO_ALERTS_INTERVAL_MS).unref();
  }

  /** Stops ticking; waits for the tick under way, then for the deliveries (AlertNotifier.drain). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.notifier.drain();
  }

  /** Claims and evaluates the alerts due, batch after batch. */
  private async tick(): Promise<void> {
    try {
      for (;;) {
        const ids = await this.repo.claimDue(this.env.PORTICO_ALERTS_INTERVAL_MS * DUE_SHARE, BATCH);
        for (const alert of ids.length ? await this.repo.loadForEvaluation(ids) : []) {
          await this.evaluate(alert).catch((err: Error) => {
            if (!this.outage.failed(err)) this.logger.error(`alert ${alert.id} cannot be evaluated: ${err.message}`, err.stack);
          });
        }
        this.outage.succeeded();
        if (ids.length < BATCH) return;
      }
    } catch (err) {
      if (!this.outage.failed(err))
        this.logger.error(`alerts cannot be evaluated: ${(err as Error).message}`, (err as Error).stack);
    }
  }

  private async evaluate(alert: AlertForEvaluation): Promise<void> {
    const at = new Date();
    const definition = { ...alert, metric: alert.metric as AlertMetric, operator: alert.operator as AlertOperator };
    const values = periodValues(definition, await this.repo.periodStats(alert, at));
    const holds = conditionHolds(definition, values);
    const lastValue = values[0] ?? null;
    const firing = alert.state === 'firing';
    const event = holds && !firing ? 'fired' : !holds && firing ? 'resolved' : undefined;
    const recorded = await this.repo.recordEvaluation(alert, alert.state, {
      state: holds ? 'firing' : 'ok',
      lastValue,
      ...(event === 'fired' && { firedAt: at }),
      ...(event === 'resolved' && { resolvedAt: at }),
    });
    if (recorded && event) this.notifier.notify(await this.notice(definition, event, lastValue, at));
  }

  /** Whom to tell of `event`, with what (member e-mails read now, webhook secrets opened). */
  private async notice(
    alert: AlertForEvaluation & { metric: AlertMetric; operator: AlertOperator },
    event: 'fired' | 'resolved',
    value: number | null,
    at: Date,
  ): Promise<AlertNotice> {
    const recipients = storedRecipients(alert);
    const userIds = recipients.flatMap((r) => (r.type === 'user' ? [r.value] : []));
    const members = await this.repo.membersById(userIds);
    const memberEmails = members.map((m) => m.email).filter((e) => e !== '');
    if (memberEmails.length < userIds.length) {
      this.logger.warn(
        `alert ${alert.id}: ${userIds.length - memberEmails.length} member recipient(s) have no e-mail address (or are gone)`,
      );
    }
    const emails = [...new Set([...recipients.flatMap((r) => (r.type === 'email' ? [r.value] : [])), ...memberEmails])];
    const base = this.env.PORTICO_PUBLIC_URL?.replace(/\/+$/, '');
    const env = `${alert.organizationId}/environments/${alert.environmentId}`;
    return {
      event,
      alertId: alert.id,
      organizationId: alert.organizationId,
      environmentId: alert.environmentId,
      apiId: alert.apiId,
      facts: {
        alert,
        api: { name: apiName(alert.api) },
        environmentName: alert.api.environment.name,
        value,
        at,
        apiLink: base ? `${base}/apimanager/api/v1/organizations/${env}/apis/${alert.apiId}` : '',
        dashboardLink: base ? `${base}/analytics/1.0/${env}/mcp-analytics?apiId=${alert.apiId}` : '',
      },
      subject: alert.subject,
      message: alert.message,
      emails,
      webhooks: storedWebhooks(alert).map((w) => ({
        url: w.url,
        secret: w.secret === null ? null : this.secrets.open(w.secret),
      })),
    };
  }
}
