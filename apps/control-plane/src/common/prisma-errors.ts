/** Helpers for repositories to recognise Prisma's known request errors by code. */

function prismaCode(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** P2002: a unique constraint was violated. */
export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === 'P2002';
}

/** P2025: the record to update or delete does not exist. */
export function isRecordNotFound(err: unknown): boolean {
  return prismaCode(err) === 'P2025';
}

/** P2003: a foreign key constraint failed (something still references the row). */
export function isForeignKeyViolation(err: unknown): boolean {
  return prismaCode(err) === 'P2003';
}
