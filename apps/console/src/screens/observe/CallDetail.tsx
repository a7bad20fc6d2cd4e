/**
 * One logged call in a modal dialog: what the gateway saw (who, which MCP method and tool, the
 * HTTP and JSON-RPC outcome, timings, sizes), what the policies decided and DLP found, and the
 * payloads when the gateway recorded them. The dialog belongs to the URL (`call` and `at`), so a
 * detail can be shared and reloaded; closing it (Escape, Close) removes them.
 */
import { useEffect, useRef } from 'react';
import type { AccessLogEvent, CallVerdict, DlpFinding } from '../../api/resources';
import { type Column, DataTable } from '../../components/DataTable';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { formatMicros, formatTime } from '../../components/format';
import { callerOf, outcomeOf } from './format';
import { useAccessLogCall } from './queries';

export function CallDetail(props: { id: string; at: string; serverName: (apiId: number) => string; onClose: () => void }) {
  const { orgId, envId } = useScope();
  const found = useAccessLogCall(orgId, envId, props.id, props.at);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    // leaving the page removes the dialog, which closes it: nothing to undo
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  return (
    <dialog ref={dialog} className="call-detail" aria-labelledby="call-title" onClose={props.onClose}>
      <div className="page-head">
        <h2 id="call-title">
          {found.data ? `Call of ${found.data.mcpName ?? found.data.mcpMethod ?? found.data.path}` : 'Call'}
        </h2>
        <button type="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      <ErrorMessage error={found.error} />
      {found.isPending && <p className="muted">Loading the call…</p>}
      {found.data === null && <p>This call is not in the log (it may have been removed by retention).</p>}
      {found.data && <CallFacts event={found.data} serverName={props.serverName} />}
    </dialog>
  );
}

const VERDICT_COLUMNS: Column<CallVerdict>[] = [
  { header: 'Policy', cell: (v) => `${v.policyType} (${v.policyId})` },
  { header: 'Decision', cell: (v) => v.verdict },
  { header: 'Mode', cell: (v) => v.mode },
  { header: 'Error', cell: (v) => v.errorKind || '—' },
];

const DLP_COLUMNS: Column<DlpFinding>[] = [
  { header: 'Direction', cell: (f) => f.direction },
  { header: 'Categories', cell: (f) => f.categories.join(', ') },
  { header: 'Action', cell: (f) => f.action },
  { header: 'Policy', cell: (f) => f.policyId },
];

function CallFacts({ event, serverName }: { event: AccessLogEvent; serverName: (apiId: number) => string }) {
  const facts: [string, string | number | null][] = [
    ['Time', formatTime(event.time)],
    ['MCP server', serverName(event.apiId)],
    ['MCP method', event.mcpMethod],
    ['Tool or name', event.mcpName],
    ['JSON-RPC id', event.jsonRpcId],
    ['Outcome', outcomeOf(event)],
    ['Gateway error', event.gatewayError],
    ['Agent', callerOf(event)],
    ['Client application', event.clientName ?? event.clientId],
    ['User', event.principal],
    ['User domain', event.userDomain],
    ['User-Agent', event.userAgent],
    ['Client address', event.clientAddress],
    ['HTTP request', `${event.httpMethod} ${event.path}`],
    ['Duration', formatMicros(event.durationUs)],
    ['Upstream latency', event.upstreamLatencyUs === null ? null : formatMicros(event.upstreamLatencyUs)],
    ['Bytes in / out', `${event.bytesIn} / ${event.bytesOut}`],
    ['Upstream', event.upstreamName],
    ['Session', event.sessionId],
    ['Request id', event.requestId],
    ['Gateway replica', event.replicaId],
  ];
  return (
    <>
      <dl className="facts">
        {facts
          .filter(([, value]) => value !== null && value !== '')
          .map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      <h3>Policy decisions</h3>
      <DataTable
        columns={VERDICT_COLUMNS}
        rows={event.verdicts}
        rowKey={(_, i) => i}
        empty={<p className="muted">No policy rejected, changed or failed on this call.</p>}
      />
      <h3>DLP findings</h3>
      <DataTable
        columns={DLP_COLUMNS}
        rows={event.dlp}
        rowKey={(_, i) => i}
        empty={<p className="muted">No sensitive data found.</p>}
      />
      <h3>Payloads</h3>
      {event.requestPayload || event.responsePayload ? (
        <>
          <Payload label="Request" text={event.requestPayload} />
          <Payload label="Response" text={event.responsePayload} />
        </>
      ) : (
        <p className="muted">Not recorded: the log keeps payloads of instances with the MCP Payload Logging policy.</p>
      )}
    </>
  );
}

function Payload({ label, text }: { label: string; text: string | null | undefined }) {
  if (!text) return null;
  return (
    <details>
      <summary>{label}</summary>
      <pre className="payload">{text}</pre>
    </details>
  );
}
