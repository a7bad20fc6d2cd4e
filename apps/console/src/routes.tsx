/**
 * The console's pages. Routes live in the URL fragment (`/#/…`) so they never collide with the
 * REST API's paths on the same origin. Everything under an organization and environment renders
 * inside the Shell (business group and environment switchers, navigation); screens with heavy
 * libraries (charts, graph layout, JSON-Schema forms) are loaded when first opened.
 */
import type { ComponentType } from 'react';
import { createHashRouter, Navigate } from 'react-router';
import { RequireSession } from './session/RequireSession';
import { Shell } from './layout/Shell';
import { Home } from './screens/Home';
import { Login } from './screens/Login';
import { ApiAdministration } from './screens/apis/ApiAdministration';
import { ProtectMcpServer } from './screens/apis/ProtectMcpServer';

/**
 * A route's screen, loaded when the route is first opened. `load` is the screen module's own
 * `import()`, so Vite still splits each screen into its own chunk.
 */
function screen<Name extends string>(load: () => Promise<Record<Name, ComponentType>>, name: Name) {
  return async () => ({ Component: (await load())[name] });
}

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
          { path: 'apis/:apiId', lazy: screen(() => import('./screens/apis/ApiInstancePage'), 'ApiInstancePage') },
          { path: 'gateways', lazy: screen(() => import('./screens/gateways/GatewayTargets'), 'GatewayTargets') },
          { path: 'logs', lazy: screen(() => import('./screens/observe/Logs'), 'Logs') },
          { path: 'traffic', lazy: screen(() => import('./screens/observe/Traffic'), 'Traffic') },
          { path: 'graph', lazy: screen(() => import('./screens/observe/WorkflowGraphView'), 'WorkflowGraphView') },
          { path: 'inventory', lazy: screen(() => import('./screens/observe/Inventory'), 'Inventory') },
          { path: 'gateways/:targetId', lazy: screen(() => import('./screens/gateways/GatewayDetail'), 'GatewayDetail') },
          { path: 'applications', lazy: screen(() => import('./screens/applications/ClientApplications'), 'ClientApplications') },
          {
            path: 'applications/:applicationId',
            lazy: screen(() => import('./screens/applications/ApplicationDetail'), 'ApplicationDetail'),
          },
          { path: 'api-keys', lazy: screen(() => import('./screens/applications/ApiKeys'), 'ApiKeys') },
          { path: 'mcp-backends', lazy: screen(() => import('./screens/library/McpBackends'), 'McpBackends') },
          { path: 'mcp-backends/new', lazy: screen(() => import('./screens/library/AddCustomMcp'), 'AddCustomMcp') },
          { path: 'mcp-backends/:apiId', lazy: screen(() => import('./screens/library/McpBackendPage'), 'McpBackendPage') },
          { path: 'library', lazy: screen(() => import('./screens/library/McpLibrary'), 'McpLibrary') },
          { path: 'library/requests', lazy: screen(() => import('./screens/library/InstallRequests'), 'InstallRequests') },
          { path: 'library/:entryId/install', lazy: screen(() => import('./screens/library/InstallEntry'), 'InstallEntry') },
          { path: 'agents', lazy: screen(() => import('./screens/agents/Agents'), 'Agents') },
          { path: 'agents/new', lazy: screen(() => import('./screens/agents/AddAgent'), 'AddAgent') },
          { path: 'agents/access/:apiId', lazy: screen(() => import('./screens/agents/BackendAccess'), 'BackendAccess') },
          { path: 'agents/:agentId', lazy: screen(() => import('./screens/agents/AgentPage'), 'AgentPage') },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
]);
