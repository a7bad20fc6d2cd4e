import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiError } from './api/errors';
import { router } from './routes';
import { session } from './session/session';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not change by asking again; anything else gets one more try.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
    },
    // What a write answered (a secret shown once among it) is kept only while its screen shows it.
    mutations: { gcTime: 0 },
  },
});
// Nothing one user read may be shown to the next: a session that starts or ends empties the cache.
session.subscribe(() => queries.clear());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
