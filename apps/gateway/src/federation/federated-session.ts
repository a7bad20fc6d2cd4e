/**
 * The session id a federated endpoint gives its client: `pf1.` and the base64url JSON of the
 * negotiated protocol version and each member's own session id ('' for a member without
 * sessions). A member that was unavailable at initialize is absent: it stays out of the session.
 *
 * It is not sealed, on purpose: it holds exactly what a client of a single upstream already
 * holds (the gateway passes an upstream's session id through), and being self-contained it lets
 * any replica, and any worker, serve any request of the session.
 */
const PREFIX = 'pf1.';

export interface FederatedSession {
  readonly protocolVersion: string;
  /** member name → its session id ('' when it has none); members missing were unavailable */
  readonly members: ReadonlyMap<string, string>;
}

export function encodeSession(session: FederatedSession): string {
  const json = JSON.stringify([session.protocolVersion, [...session.members]]);
  return PREFIX + Buffer.from(json).toString('base64url');
}

/** The session `id` names, or undefined when it is not one this gateway made. */
export function decodeSession(id: string | undefined): FederatedSession | undefined {
  if (!id?.startsWith(PREFIX) || id.length > 16_384) return undefined;
  try {
    const [protocolVersion, members] = JSON.parse(
      Buffer.from(id.slice(PREFIX.length), 'base64url').toString('utf8'),
    ) as unknown[];
    if (typeof protocolVersion !== 'string' || !Array.isArray(members)) return undefined;
    if (!members.every((m) => Array.isArray(m) && m.length === 2 && m.every((v) => typeof v === 'string'))) return undefined;
    return { protocolVersion, members: new Map(members as [string, string][]) };
  } catch {
    return undefined;
  }
}
