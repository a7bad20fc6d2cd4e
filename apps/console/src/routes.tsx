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
          { path: 'logs', lazy: async () => ({ Component: (await import('./screens/observe/Logs')).Logs }) },
          { path: 'traffic', lazy: async () => ({ Component: (await import('./screens/observe/Traffic')).Traffic }) },
          {
            path: 'graph',
            lazy: async () => ({ Component: (await import('./screens/observe/WorkflowGraphView')).WorkflowGraphView }),
          },
          { path: 'inventory', lazy: async () => ({ Component: (await import('./screens/observe/Inventory')).Inventory }) },
          {
            path: 'gateways/:targetId',
            lazy: async () => ({ Component: (await import('./screens/gateways/GatewayDetail')).GatewayDetail }),
          },
          {
            path: 'applications',
            lazy: async () => ({
              Component: (await import('./screens/applications/ClientApplications')).ClientApplications,
            }),
          },
          {
            path: 'applications/:applicationId',
            lazy: async () => ({
              Component: (await import('./screens/applications/ApplicationDetail')).ApplicationDetail,
            }),
          },
          {
            path: 'api-keys',
            lazy: async () => ({ Component: (await import('./screens/applications/ApiKeys')).ApiKeys }),
          },
          {
            path: 'mcp-backends',
            lazy: async () => ({ Component: (await import('./screens/library/McpBackends')).McpBackends }),
          },
          {
            path: 'mcp-backends/new',
            lazy: async () => ({ Component: (await import('./screens/library/AddCustomMcp')).AddCustomMcp }),
          },
          {
            path: 'mcp-backends/:apiId',
            lazy: async () => ({ Component: (await import('./screens/library/McpBackendPage')).McpBackendPage }),
          },
          {
            path: 'library',
            lazy: async () => ({ Component: (await import('./screens/library/McpLibrary')).McpLibrary }),
          },
          {
            path: 'library/requests',
            lazy: async () => ({ Component: (await import('./screens/library/InstallRequests')).InstallRequests }),
          },
          {
            path: 'library/:entryId/install',
            lazy: async () => ({ Component: (await import('./screens/library/InstallEntry')).InstallEntry }),
          },
          {
            path: 'agents',
            lazy: async () => ({ Component: (await import('./screens/agents/Agents')).Agents }),
          },
          {
            path: 'agents/new',
            lazy: async () => ({ Component: (await import('./screens/agents/AddAgent')).AddAgent }),
          },
          {
            path: 'agents/access/:apiId',
            lazy: async () => ({ Component: (await import('./screens/agents/BackendAccess')).BackendAccess }),
          },
          {
            path: 'agents/:agentId',
            lazy: async () => ({ Component: (await import('./screens/agents/AgentPage')).AgentPage }),
          },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
]);
