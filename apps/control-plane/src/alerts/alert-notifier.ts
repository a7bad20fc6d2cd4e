/**
 * Tells an alert's recipients and webhooks that it fired or resolved. Deliveries run in the
 * background, each retried on its own (delivery-retry.ts), so a slow or failing recipient never
 * holds the evaluator or the other recipients. At shutdown the deliveries under way get a few
 * seconds to end, then are abandoned (logged).
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV, type Env } from '../config/env.js';
import { deliverWithRetries, type RetryPolicy } from './delivery-retry.js';
import { EmailSender } from './email-sender.js';
import {
  type AlertFacts,
  DEFAULT_MESSAGE,
  DEFAULT_SUBJECT,
  render,
  renderSubject,
  RESOLVED_MESSAGE,
  templateVariables,
} from './alert-templates.js';
import { WebhookSender } from './webhook-sender.js';

const RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000 };
const DRAIN_MS = 5000;

/** One change of an alert's state and whom to tell. */
export interface AlertNotice {
  event: 'fired' | 'resolved';
  alertId: string;
  organizationId: string;
  environmentId: string;
  apiId: number;
  facts: AlertFacts;
  /** the alert's templates; null: the defaults */
  subject: string | null;
  message: string | null;
  /** addresses, each told once */
  emails: string[];
  /** secrets in plain text */
  webhooks: { url: string; secret: string | null }[];
}

@Injectable()
export class AlertNotifier {
  private readonly logger = new Logger('Alerts');
  private readonly pending = new Set<Promise<boolean>>();
  private readonly stopping = new AbortController();
  private readonly webhookSender: WebhookSender;

  constructor(
    private readonly email: EmailSender,
    @Inject(ENV) env: Env,
  ) {
    this.webhookSender = new WebhookSender(env.PORTICO_OUTBOUND_DENY);
  }

  /** Starts the deliveries of `notice` and returns without waiting for them. */
  notify(notice: AlertNotice): void {
    const vars = templateVariables(notice.facts);
    const subject = renderSubject(notice.subject ?? DEFAULT_SUBJECT, vars);
    const email =
      notice.event === 'fired'
        ? { subject, text: render(notice.message ?? DEFAULT_MESSAGE, vars) }
        : { subject: `Resolved: ${subject}`, text: render(RESOLVED_MESSAGE, vars) };
    const what = `alert ${notice.alertId} (${notice.event})`;
    if (notice.emails.length && !this.email.configured) {
      this.logger.warn(`${what}: ${notice.emails.length} e-mail recipient(s) not told: no SMTP relay (PORTICO_SMTP_HOST)`);
    } else {
      for (const to of notice.emails) {
        this.track(
          deliverWithRetries(
            `${what} e-mail to ${to}`,
            () => this.email.send({ to, ...email }),
            RETRY,
            this.logger,
            this.stopping.signal,
          ),
        );
      }
    }
    const event = `alert.${notice.event}`;
    const body = JSON.stringify(webhookPayload(notice, event, email));
    for (const webhook of notice.webhooks) {
      const delivery = { ...webhook, id: randomUUID(), event, body };
      this.track(
        deliverWithRetries(
          `${what} webhook ${webhook.url}`,
          () => this.webhookSender.post(delivery, this.stopping.signal),
          RETRY,
          this.logger,
          this.stopping.signal,
        ),
      );
    }
  }

  /** Waits up to DRAIN_MS for the deliveries under way, then abandons the rest. */
  async drain(): Promise<void> {
    const timer = setTimeout(() => this.stopping.abort(), DRAIN_MS);
    await Promise.allSettled([...this.pending]);
    clearTimeout(timer);
  }

  private track(delivery: Promise<boolean>): void {
    this.pending.add(delivery);
    void delivery.finally(() => this.pending.delete(delivery));
  }
}

/** The JSON a webhook receives. */
function webhookPayload(notice: AlertNotice, event: string, email: { subject: string; text: string }) {
  const { alert, api, value, at, environmentName } = notice.facts;
  return {
    event,
    alert: {
      id: notice.alertId,
      name: alert.name,
      severity: alert.severity,
      metric: alert.metric,
      operator: alert.operator,
      threshold: alert.threshold,
      period: { count: alert.periodCount, unit: alert.periodUnit, repeat: alert.repeat },
      state: notice.event === 'fired' ? 'firing' : 'ok',
    },
    api: { id: notice.apiId, name: api.name },
    organizationId: notice.organizationId,
    environment: { id: notice.environmentId, name: environmentName },
    value,
    timestamp: at.toISOString(),
    subject: email.subject,
    message: email.text,
  };
}
