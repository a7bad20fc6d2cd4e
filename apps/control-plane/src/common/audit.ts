/** The `audit` object Anypoint puts on most resources. */
export function audit(createdAt: Date, updatedAt?: Date | null) {
  return {
    created: { date: createdAt.toISOString() },
    updated: updatedAt ? { date: updatedAt.toISOString() } : {},
  };
}
