import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators.js';
import { ControlPlaneMetrics } from './control-plane-metrics.js';

/** Prometheus scrape endpoint: public like /healthz (no tenant data, see control-plane-metrics.ts). */
@Controller()
@Public()
export class MetricsController {
  constructor(private readonly metrics: ControlPlaneMetrics) {}

  /**
   * The exposition format's Content-Type is set on the answer only, not with `@Header`: Nest sets
   * a decorated header before the interceptors run, so a refused request (an unknown query
   * parameter) would get its JSON error body under text/plain, which Fastify cannot send (a 500).
   */
  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const text = await this.metrics.registry.metrics();
    void reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return text;
  }
}
