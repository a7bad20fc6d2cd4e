import { z } from 'zod';

export const TOOL_CHANGE_STATUSES = ['pending', 'approved', 'rejected'] as const;

export const listToolChangesQuery = z.object({
  status: z
    .enum(TOOL_CHANGE_STATUSES, { error: `must be one of ${TOOL_CHANGE_STATUSES.join(', ')}` })
    .optional()
    .describe('only changes in this state (default: all)'),
});
export type ListToolChangesQuery = z.output<typeof listToolChangesQuery>;
