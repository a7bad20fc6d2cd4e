/**
 * The log filters (log-filters.ts) of the current screen's URL, and the REST query they make. A
 * preset range ends at an anchor instant: when the screen opened, else when filters were last
 * applied or refreshed. `apply` replaces the URL's query (closing a call's detail); `refresh`
 * also re-reads every observability query (a custom range's too).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useScope } from '../../session/useScope';
import { filtersFrom, filtersToParams, type LogFilters, restQuery } from './log-filters';
import { observeKey } from './queries';

export function useLogFilters() {
  const { orgId, envId } = useScope();
  const queries = useQueryClient();
  const [params, setParams] = useSearchParams();
  // keyed by the filters' own query, so other parameters (an open call) leave them as they are
  const search = filtersToParams(filtersFrom(params)).toString();
  const filters = useMemo(() => filtersFrom(new URLSearchParams(search)), [search]);
  const [anchor, setAnchor] = useState(Date.now);
  const query = useMemo(() => restQuery(filters, anchor), [filters, anchor]);

  return {
    filters,
    query,
    /** the filters as a URL query (`?…`, or '' without any), for links to the other views */
    search: search && `?${search}`,
    apply: (next: LogFilters) => {
      setAnchor(Date.now());
      setParams(filtersToParams(next));
    },
    refresh: () => {
      setAnchor(Date.now());
      void queries.invalidateQueries({ queryKey: observeKey(orgId, envId) });
    },
  };
}
