/** The business group and environment last opened in this browser, to start there next time. */
const KEY = 'portico.scope';

export function lastScope(): { orgId?: string; envId?: string } {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as { orgId?: string; envId?: string };
  } catch {
    return {};
  }
}

export function rememberScope(orgId: string, envId: string): void {
  localStorage.setItem(KEY, JSON.stringify({ orgId, envId }));
}
