/**
 * The calls of a log search as a virtualized table: only the rows in view (and a few around) are
 * in the DOM, and the next page is fetched when the last loaded row comes near, so a search
 * matching 100k calls scrolls as lightly as one matching ten. ARIA table semantics carry the row
 * positions (aria-rowindex) and, when known, the number of matching calls (aria-rowcount). Each
 * row's time links to the call's detail.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { AccessLogEvent } from '../../api/resources';
import { formatMicros, formatTime } from '../../components/format';
import { callerOf, dlpOf, isFailure, outcomeOf, userOf } from './format';

const ROW_HEIGHT = 36;
/** Rows from the end of what is loaded at which the next page is asked for. */
const PREFETCH_ROWS = 40;
const COLUMNS = ['Time', 'MCP server', 'Method', 'Tool or name', 'Agent', 'User', 'Status', 'DLP', 'Duration'];

export function LogTable(props: {
  events: AccessLogEvent[];
  /** matching calls in all, when counted */
  total: number | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  serverName: (apiId: number) => string;
  detailHref: (event: AccessLogEvent) => string;
}) {
  const { events, hasMore, loadingMore, loadMore } = props;
  const scroller = useRef<HTMLDivElement>(null);
  // useVirtualizer hands back functions the React Compiler cannot memoize; the console is not built with it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const rows = useVirtualizer({
    count: events.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = rows.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= events.length - PREFETCH_ROWS) loadMore();
  }, [hasMore, loadingMore, lastIndex, events.length, loadMore]);

  return (
    <div className="log-table" role="table" aria-label="Calls" aria-rowcount={props.total === undefined ? -1 : props.total + 1}>
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className="log-row log-head">
          {COLUMNS.map((c) => (
            <span role="columnheader" key={c}>
              {c}
            </span>
          ))}
        </div>
      </div>
      <div ref={scroller} role="rowgroup" className="log-body" tabIndex={0} aria-label="Calls, newest first">
        <div role="presentation" className="log-space" style={{ height: rows.getTotalSize() }}>
          {items.map((item) => {
            const event = events[item.index];
            const place = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
            if (!event) {
              return (
                <div role="row" key="more" aria-rowindex={item.index + 2} className="log-row" style={place}>
                  <span role="cell" className="muted">
                    Loading more calls…
                  </span>
                </div>
              );
            }
            const name = event.mcpName ?? event.path;
            return (
              <div
                role="row"
                key={event.id}
                aria-rowindex={item.index + 2}
                className={isFailure(event) ? 'log-row failed' : 'log-row'}
                style={place}
              >
                <span role="cell">
                  <Link to={props.detailHref(event)} aria-label={`Details of ${name} at ${formatTime(event.time)}`}>
                    {formatTime(event.time)}
                  </Link>
                </span>
                <Cell text={props.serverName(event.apiId)} />
                <Cell text={event.mcpMethod ?? event.httpMethod} />
                <Cell text={name} />
                <Cell text={callerOf(event)} />
                <Cell text={userOf(event)} />
                <Cell text={outcomeOf(event)} />
                <Cell text={dlpOf(event)} />
                <Cell text={formatMicros(event.durationUs)} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** A cell cut to its column, the whole text on hover. */
function Cell({ text }: { text: string }) {
  return (
    <span role="cell" title={text}>
      {text}
    </span>
  );
}
