import { useSyncExternalStore } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { session } from './session';

/** Renders its routes while a session lasts; otherwise the login page, which comes back here. */
export function RequireSession() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <Outlet />;
}
