import { Controller, Get, HttpCode } from '@nestjs/common';
import { Public } from '../auth/decorators.js';
import { DomainError } from '../common/domain-error.js';
import { HealthRepository } from './health.repository.js';

@Controller()
@Public()
export class HealthController {
  constructor(private readonly repo: HealthRepository) {}

  /** The process is up. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** The database answers and every committed migration is applied. */
  @Get('readyz')
  @HttpCode(200)
  async readyz() {
    const pending = await this.repo.pendingMigrations().catch(() => undefined);
    if (pending === undefined) throw new DomainError('SERVICE_UNAVAILABLE', 'Database is not reachable');
    if (pending.length) throw new DomainError('SERVICE_UNAVAILABLE', `Migrations not applied: ${pending.join(', ')}`);
    return { status: 'ready' };
  }
}
