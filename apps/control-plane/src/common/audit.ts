import { z } from 'zod';

/** An instant as responses write it: `Date.toISOString()` (UTC, milliseconds). */
export const isoTime = z.iso.datetime();

/** The schema of {@link audit}'s object: `updated` is empty when the resource never changed. */
export const auditSchema = z.object({
  created: z.object({ date: isoTime }),
  updated: z.object({ date: isoTime.optional() }),
});

/** The `audit` object Anypoint puts on most resources. */
export function audit(createdAt: Date, updatedAt?: Date | null) {
  return {
    created: { date: createdAt.toISOString() },
    updated: updatedAt ? { date: updatedAt.toISOString() } : {},
  };
}
