import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/decorators.js';
import { ControlPlaneMetrics } from './control-plane-metrics.js';

/** Prometheus scrape endpoint: public like /healthz (no tenant data, see control-plane-metrics.ts). */
@Controller()
@Public()
export class MetricsController {
  constructor(private readonly metrics: ControlPlaneMetrics) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
