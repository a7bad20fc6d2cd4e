/**
 * A REST error as the console shows it: the one error body of the control plane
 * (`{status, name, code, message, errors[{path, message}]}`), with each validation issue keyed by
 * the request field it names, so forms put it next to that field.
 */
export interface ErrorBody {
  status?: number;
  name?: string;
  code?: string;
  message?: string;
  errors?: { path: string; message: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** Validation messages by body field, as a dotted path (`endpoint.uri`, `routing.0.upstreams`). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, body: ErrorBody | undefined) {
    super(body?.message ?? `The request failed with status ${status}`);
    this.status = status;
    this.code = body?.code;
    const fields: Record<string, string> = {};
    for (const issue of body?.errors ?? []) {
      const field = fieldOf(issue.path);
      if (field && !(field in fields)) fields[field] = issue.message;
    }
    this.fields = fields;
  }

  /** The message for `field` or for anything inside it (`endpoint` matches `endpoint.uri`). */
  fieldMessage(field: string): string | undefined {
    if (this.fields[field]) return this.fields[field];
    const nested = Object.keys(this.fields).find((f) => f.startsWith(`${field}.`));
    return nested && this.fields[nested];
  }
}

/** `/body/endpoint/uri` → `endpoint.uri`; a query or path issue names no form field. */
function fieldOf(path: string): string | undefined {
  const [where, ...rest] = path.split('/').filter(Boolean);
  return where === 'body' && rest.length > 0 ? rest.join('.') : undefined;
}

/** What to show for any failure: the REST message, or the thrown error's. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
