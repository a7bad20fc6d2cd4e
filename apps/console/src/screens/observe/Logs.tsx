/**
 * The Logs screen (seed 003: "Review MCP logs with filters for time range, MCP, tool, agent, user
 * domain, and DLP outcome"): the filters in the URL, the number of matching calls (counted by the
 * analytics route with the same filters), the calls newest first in a virtualized table read page
 * by page from the server, and one call's detail in a dialog (`?call=<id>&at=<time>`).
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { AccessLogEvent } from '../../api/resources';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useScope } from '../../session/useScope';
import { CallDetail } from './CallDetail';
import { FilterBar } from './FilterBar';
import { formatCount, plural } from '../../components/format';
import { LogTable } from './LogTable';
import { useMcpServers } from './mcp-servers';
import { useAccessLogs, useMcpAnalytics } from './queries';
import { useLogFilters } from './useLogFilters';
import './observe.css';

export function Logs() {
  const { orgId, envId } = useScope();
  const state = useLogFilters();
  const [params, setParams] = useSearchParams();
  const logs = useAccessLogs(orgId, envId, state.query);
  const counted = useMcpAnalytics(orgId, envId, state.query, 1);
  const { nameOf } = useMcpServers(orgId, envId);
  const events = useMemo(() => logs.data?.pages.flatMap((p) => p.data) ?? [], [logs.data]);
  // a count of the previous filters is no count of these
  const total = counted.isPlaceholderData ? undefined : counted.data?.totals.requests;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = logs;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const detailHref = (event: AccessLogEvent) => {
    const next = new URLSearchParams(params);
    next.set('call', event.id);
    next.set('at', event.time);
    return `?${next}`;
  };
  const callId = params.get('call');
  const at = params.get('at');
  const closeDetail = () =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      next.delete('call');
      next.delete('at');
      return next;
    });

  return (
    <section aria-labelledby="logs-title" className="observe">
      <h1 id="logs-title">Logs</h1>
      <FilterBar view="logs" state={state} />
      <ErrorMessage error={logs.error ?? counted.error} />
      <p className="count" aria-live="polite">
        {logs.isPending
          ? 'Searching…'
          : total === undefined && hasNextPage
            ? `${formatCount(events.length)}+ matching calls`
            : plural(total ?? events.length, 'matching call')}
      </p>
      {logs.data && events.length === 0 ? (
        <p>No call matches these filters in this time range.</p>
      ) : (
        <LogTable
          events={events}
          total={total}
          hasMore={hasNextPage}
          loadingMore={isFetchingNextPage}
          loadMore={loadMore}
          serverName={nameOf}
          detailHref={detailHref}
        />
      )}
      {callId && at && <CallDetail key={callId} id={callId} at={at} serverName={nameOf} onClose={closeDetail} />}
    </section>
  );
}
