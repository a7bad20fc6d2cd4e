/**
 * Alert webhooks: an HTTP POST of the notification as JSON. With a secret, the request is signed
 * as `X-Portico-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Portico-Timestamp>.<body>")>`, the
 * timestamp (Unix seconds) letting receivers refuse replays. Redirects are not followed.
 *
 * The URL is the alert owner's to choose and the control plane posts to it from inside its
 * network, so every connection is held to PORTICO_OUTBOUND_DENY (#portico/outbound-address, on
 * the address each connection resolves to: a name is checked when delivering, not when the alert
 * is saved): by default a webhook cannot reach this host, link-local addresses or a cloud
 * metadata service. A refused address is a PermanentDeliveryError naming the rule, as trying
 * again would be refused again. Nothing of the answer but its status is read or shown to anyone.
 */
import { createHmac } from 'node:crypto';
import { AddressDenied, AddressPolicy, outboundFetch } from '#portico/outbound-address';
import { PermanentDeliveryError } from './delivery-retry.js';

const TIMEOUT_MS = 10_000;

export interface WebhookDelivery {
  url: string;
  /** plain text; null: unsigned */
  secret: string | null;
  /** `X-Portico-Delivery`: the same on every try of one notification */
  id: string;
  /** `X-Portico-Event`: alert.fired | alert.resolved */
  event: string;
  body: string;
}

/** Posts alert webhooks through connections PORTICO_OUTBOUND_DENY allows. */
export class WebhookSender {
  private readonly fetch: typeof fetch;

  /** `deny`: the entries of PORTICO_OUTBOUND_DENY (none: any address). */
  constructor(deny: readonly string[]) {
    this.fetch = outboundFetch(deny.length ? new AddressPolicy(deny) : undefined, TIMEOUT_MS);
  }

  /**
   * Posts `delivery`; throws unless a 2xx answers, a PermanentDeliveryError for a 3xx or 4xx (not
   * 408 or 429) and for an address PORTICO_OUTBOUND_DENY refuses.
   */
  async post(delivery: WebhookDelivery, signal: AbortSignal): Promise<void> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Portico-Alerts/1',
      'x-portico-event': delivery.event,
      'x-portico-delivery': delivery.id,
      'x-portico-timestamp': timestamp,
    };
    if (delivery.secret !== null) {
      const mac = createHmac('sha256', delivery.secret).update(`${timestamp}.${delivery.body}`).digest('hex');
      headers['x-portico-signature'] = `sha256=${mac}`;
    }
    const res = await this.fetch(delivery.url, {
      method: 'POST',
      headers,
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    }).catch((err: Error) => {
      // fetch rejects with a TypeError whose cause is the refusal (its message: host, address, rule)
      if (err.cause instanceof AddressDenied) throw new PermanentDeliveryError(`${err.cause.message} (PORTICO_OUTBOUND_DENY)`);
      throw err;
    });
    await res.body?.cancel();
    if (res.ok) return;
    const failure = `${delivery.url} answered ${res.status}`;
    if (res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentDeliveryError(failure);
    throw new Error(failure);
  }
}
