/**
 * What a controller method validates its whole query or path parameters with: the zod schemas
 * of the `ZodPipe`s on its `@Query()` / `@Param()` arguments (`@Query(new ZodPipe(schema))`).
 * Read by the OpenAPI document and by the query-parameter check, so both see what validation sees.
 */
import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { z } from 'zod';
import { ZodPipe } from './validation.js';

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/** The schemas of `controller.method`'s whole-object arguments of `type` (QUERY or PARAM). */
export function zodSchemasOf(controller: Type<unknown>, method: string, type: RouteParamtypes): z.ZodType[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, RouteArgument>;
  return Object.entries(args)
    .filter(([key, arg]) => Number(key.split(':')[0]) === type && arg.data === undefined)
    .flatMap(([, arg]) => (arg.pipes ?? []).filter((p): p is ZodPipe<z.ZodType> => p instanceof ZodPipe))
    .map((pipe) => pipe.schema);
}
