import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { InstallRequest } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { Field } from '../../components/Field';
import { useScope } from '../../session/useScope';
import { useGatewayTargets } from '../apis/mcp-wizard-queries';
import { formErrors } from '../../components/form-errors';
import { useMay } from '../../session/permissions';
import { requestsKey, type RequestStatus, useInstallRequests } from './queries';
import './library.css';
import { focusIsLost } from '../../components/useFocusBack';
import { apisKey } from '../apis/queries';
import { BusyButton } from '../../components/BusyButton';

const BADGE: Record<RequestStatus, string> = { pending: 'badge warn', approved: 'badge ok', rejected: 'badge bad' };

/**
 * Install requests of the environment: holders of Approve MCP Install Requests see every one and
 * approve (which installs it, with any secret the requester left out) or reject it with a
 * comment; everyone else sees their own and what was decided.
 *
 * The review panel takes the focus when it opens (its heading) and gives it back when it closes:
 * to the request's Review button (Cancel), or, once decided (the panel closes when the list says
 * so, not before, so that the button it would go back to is known to be gone), to the request's
 * row, which now says the decision, or to the page's heading when the list no longer shows it.
 */
export function InstallRequests() {
  const { orgId, envId } = useScope();
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const requests = useInstallRequests(orgId, envId, status || undefined);
  const targets = useGatewayTargets(orgId, envId);
  const mayApprove = useMay('approve:mcp_install_requests');
  const [reviewing, setReviewing] = useState<string>();
  const targetName = (id: string) => targets.data?.rows.find((t) => t.id === id)?.name ?? id;
  const selected = requests.data?.data.find((r) => r.id === reviewing && r.status === 'pending');
  const page = useRef<HTMLElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  /** The request the open panel reviews, to give the focus back to when it closes. */
  const shown = useRef<string>(undefined);
  const selectedId = selected?.id;
  useLayoutEffect(() => {
    const closed = shown.current;
    shown.current = selectedId;
    if (!closed || selectedId || !focusIsLost()) return;
    const row = page.current?.querySelector<HTMLElement>(`tr[data-request="${CSS.escape(closed)}"]`);
    (row?.querySelector<HTMLElement>('[data-review]') ?? row ?? title.current)?.focus();
  }, [selectedId]);
  const head = (
    <div className="page-head">
      <h1 id="requests-title" ref={title} tabIndex={-1}>
        Install requests
      </h1>
      <Link to=".." relative="path" className="button">
        MCP Library
      </Link>
    </div>
  );
  if (requests.error)
    return (
      <section aria-labelledby="requests-title">
        {head}
        <ErrorMessage error={requests.error} />
      </section>
    );

  return (
    <section ref={page} aria-labelledby="requests-title">
      {head}
      <p className="muted">
        {mayApprove ? 'Every install request of this environment.' : 'Your install requests in this environment.'}
      </p>
      <div className="filters">
        <Field label="Status">
          {(ids) => (
            <select {...ids} value={status} onChange={(e) => setStatus(e.target.value as RequestStatus | '')}>
              <option value="">All</option>
              <option value="pending">Pending</option>
              <option value="approved">Approved</option>
              <option value="rejected">Rejected</option>
            </select>
          )}
        </Field>
      </div>
      {requests.data?.data.length === 0 && <p>No install request.</p>}
      {requests.data && requests.data.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">MCP server</th>
              <th scope="col">Requested by</th>
              <th scope="col">Reason</th>
              <th scope="col">Gateway</th>
              <th scope="col">Status</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {requests.data.data.map((r) => (
              <tr key={r.id} data-request={r.id} tabIndex={-1}>
                <td>
                  {r.entry.name} <span className="muted">{r.entry.version}</span>
                </td>
                <td>
                  {r.requestedByName}
                  <br />
                  <span className="muted">{new Date(r.createdAt).toLocaleString()}</span>
                </td>
                <td>{r.reason}</td>
                <td>{targetName(r.targetId)}</td>
                <td>
                  <span className={BADGE[r.status]}>{r.status}</span>
                </td>
                <td>
                  <Decision request={r} />
                  {mayApprove && r.status === 'pending' && (
                    <button
                      type="button"
                      data-review
                      onClick={() => setReviewing(r.id)}
                      aria-label={`Review the request of ${r.requestedByName} for ${r.entry.name}`}
                    >
                      Review
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <Review key={selected.id} request={selected} onCancel={() => setReviewing(undefined)} />}
    </section>
  );
}

function Decision({ request }: { request: InstallRequest }) {
  if (request.status === 'pending') return null;
  return (
    <p className="muted">
      {request.status === 'approved' ? 'Approved' : 'Rejected'} by {request.decidedByName}
      {request.comment && `: “${request.comment}”`}
      {request.apiId !== null && (
        <>
          {' '}
          <Link to={`../../mcp-backends/${request.apiId}`} relative="path">
            Open the MCP server
          </Link>
        </>
      )}
    </p>
  );
}

/** `headers.Authorization` → its label. */
const secretLabel = (key: string) => {
  const [where, ...name] = key.split('.');
  return `${name.join('.')}${where === 'headers' ? ' header' : ''} (required)`;
};

/**
 * Approve (with the secrets the requester left out) or reject (with a comment) one pending
 * request; the panel goes once the list shows the request decided.
 */
function Review({ request, onCancel }: { request: InstallRequest; onCancel: () => void }) {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const [comment, setComment] = useState('');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const path = { path: { orgId, envId, requestId: request.id } };

  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => {
      if (decision === 'reject')
        return call(
          api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/install-requests/{requestId}/reject', {
            params: path,
            body: { comment },
          }),
        );
      const given = (where: string) =>
        Object.fromEntries(
          Object.entries(secrets)
            .filter(([key, value]) => key.startsWith(`${where}.`) && value)
            .map(([key, value]) => [key.slice(where.length + 1), value]),
        );
      return call(
        api.POST('/mcpgateway/api/v1/organizations/{orgId}/environments/{envId}/install-requests/{requestId}/approve', {
          params: path,
          body: { ...(comment && { comment }), variables: given('variables'), headers: given('headers') },
        }),
      );
    },
    onSuccess: () =>
      Promise.all([
        queries.invalidateQueries({ queryKey: requestsKey(orgId, envId) }),
        queries.invalidateQueries({ queryKey: apisKey(orgId, envId) }),
      ]),
  });
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);
  const errors = formErrors(decide.error, ['comment', ...request.missingSecrets]);

  return (
    <section className="panel" aria-labelledby="review-title">
      <h2 id="review-title" ref={heading} tabIndex={-1}>
        Review: {request.entry.name} for {request.requestedByName}
      </h2>
      <p>“{request.reason}”</p>
      {request.missingSecrets.map((key) => (
        <Field
          key={key}
          label={secretLabel(key)}
          hint="The requester left this secret for you; stored encrypted"
          error={errors.at(key)}
        >
          {(ids) => (
            <input
              {...ids}
              type="password"
              autoComplete="off"
              value={secrets[key] ?? ''}
              onChange={(e) => setSecrets({ ...secrets, [key]: e.target.value })}
            />
          )}
        </Field>
      ))}
      <Field label="Comment" hint="For the requester; required to reject" error={errors.at('comment')}>
        {(ids) => <textarea {...ids} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <ErrorMessage error={errors.general} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <BusyButton busy={decide.isPending} onClick={() => decide.mutate('reject')}>
          Reject
        </BusyButton>
        <BusyButton className="primary" busy={decide.isPending} onClick={() => decide.mutate('approve')}>
          Approve and install
        </BusyButton>
      </div>
    </section>
  );
}
