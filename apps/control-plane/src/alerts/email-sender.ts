/**
 * Alert e-mails over SMTP (PORTICO_SMTP_*), with nodemailer: one message per recipient, so that
 * recipients do not see each other's addresses and one refused address does not stop the others.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { ENV, type Env } from '../config/env.js';
import { PermanentDeliveryError } from './delivery-retry.js';

const TIMEOUT_MS = 10_000;

export interface Email {
  to: string;
  subject: string;
  text: string;
}

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`PORTICO_SMTP_CA_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
}

@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private readonly transport?: Transporter;
  private readonly from?: string;

  constructor(@Inject(ENV) env: Env) {
    if (!env.PORTICO_SMTP_HOST) return;
    this.from = env.PORTICO_SMTP_FROM;
    const ca = env.PORTICO_SMTP_CA_FILE ? [...rootCertificates, readCaFile(env.PORTICO_SMTP_CA_FILE)] : undefined;
    this.transport = nodemailer.createTransport({
      host: env.PORTICO_SMTP_HOST,
      port: env.PORTICO_SMTP_PORT,
      secure: env.PORTICO_SMTP_SECURITY === 'tls',
      requireTLS: env.PORTICO_SMTP_SECURITY === 'starttls',
      ignoreTLS: env.PORTICO_SMTP_SECURITY === 'none',
      auth: env.PORTICO_SMTP_USER ? { user: env.PORTICO_SMTP_USER, pass: env.PORTICO_SMTP_PASSWORD } : undefined,
      tls: ca ? { ca } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
  }

  /** Whether an SMTP relay is configured. */
  get configured(): boolean {
    return this.transport !== undefined;
  }

  /**
   * Sends `email`; throws on failure, a PermanentDeliveryError when the relay refused it for good
   * (an SMTP 5xx reply: sending again would be refused again).
   */
  async send(email: Email): Promise<void> {
    if (!this.transport) throw new PermanentDeliveryError('no SMTP relay is configured (PORTICO_SMTP_HOST)');
    try {
      await this.transport.sendMail({ from: this.from, ...email });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500) throw new PermanentDeliveryError((err as Error).message);
      throw err;
    }
  }

  /** After the evaluator drained its deliveries (its onModuleDestroy). */
  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
