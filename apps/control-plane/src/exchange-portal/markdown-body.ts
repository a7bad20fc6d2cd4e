/**
 * Makes `text/markdown` a request body the app reads: page content is PUT as markdown (Exchange's
 * docs; anypoint-cli `page upload|update`), a media type Fastify does not parse by itself (415).
 * The body arrives as a UTF-8 string of at most PORTICO_BODY_LIMIT_BYTES (413 past it), before
 * the app-wide NUL check (common/nul-characters.ts) runs on it like on every body.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ENV, type Env } from '../config/env.js';

export const MARKDOWN = 'text/markdown';

@Injectable()
export class MarkdownBodyParser implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Runs while the app initialises, before Fastify is ready to take parsers no more. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(
      MARKDOWN,
      { parseAs: 'string', bodyLimit: this.env.PORTICO_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
  }
}
