/**
 * The console's pages. Routes live in the URL fragment (`/#/…`) so they never collide with the
 * REST API's paths on the same origin. Everything under an organization and environment renders
 * inside the Shell (business group and environment switchers, navigation); screens with heavy
 * libraries (charts, graph layout, JSON-Schema forms) are loaded when first opened.
 */
import { createHashRouter, Navigate } from 'react-router';
import { RequireSession } from './session/RequireSession';
import { Shell } from './layout/Shell';
import { Home } from './screens/Home';
import { Login } from './screens/Login';
import { ApiAdministration } from './screens/apis/ApiAdministration';
import { ProtectMcpServer } from './screens/apis/ProtectMcpServer';

export const router = createHashRouter([
  { path: '/login', element: <Login /> },
  {
    element: <RequireSession />,
    children: [
      { path: '/', element: <Home /> },
      {
        path: '/organizations/:orgId/environments/:envId',
        element: <Shell />,
        children: [
          { index: true, element: <Navigate to="apis" replace /> },
          { path: 'apis', element: <ApiAdministration /> },
          { path: 'apis/new/mcp', element: <ProtectMcpServer /> },
          {
            path: 'apis/:apiId',
            lazy: async () => ({ Component: (await import('./screens/apis/ApiInstancePage')).ApiInstancePage }),
          },
          {
            path: 'gateways',
            lazy: async () => ({ Component: (await import('./screens/gateways/GatewayTargets')).GatewayTargets }),
          },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
]);
