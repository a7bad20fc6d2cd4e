// `npm start`: the control plane on its embedded defaults plus one gateway registered to it.
//
// 1. starts the control plane (dist/apps/control-plane/src/main.js) and waits for /readyz;
// 2. unless PORTICO_LOCAL_GATEWAY=false: on first start registers the bootstrap target
//    `local-gateway` of Sandbox through the public REST API and the CLI (admin login, a
//    registration token, `portico gateway register`) into <data dir>/local-gateway;
// 3. starts the gateway from that directory.
// With PORTICO_CONTROL_PLANE_URL set it starts no control plane and registers (once, with the
// one-time registration token PORTICO_GATEWAY_TOKEN: a gateway host holds no administrator
// credentials) and runs the gateway PORTICO_GATEWAY_NAME (default local-gateway) against that one.
//
// The launcher is a supervisor: the control plane and the gateway fail independently, as they do
// when deployed apart. A child that exits on its own is restarted, after 1 s, then 2, 4, 8, 16 and
// 30 s at most while it keeps exiting (a run of a minute counts as healthy and starts over at 1 s);
// every exit and restart is logged. The gateway keeps serving its last configuration while the
// control plane is away and reconnects to the new one; a gateway that exits is restarted the same
// way, because its listeners are the data plane and an operator expects them back (it needs no
// control plane to start). Only a control plane that exits before its first /readyz ends the
// launcher (exit code 1): that is a configuration error, better shown at once than retried.
// On SIGINT or SIGTERM the launcher stops the children in reverse start order (the gateway before
// the control plane, so its goodbye reaches a live database), waiting for each, and exits.
// Every child started is logged with its pid (`portico: started the control plane (pid 1234)`).
//
// Every child logs pino records to the shared stdout (JSON lines, readable on a terminal: see
// libs/logging); the launcher's own lines (`portico: …`) go to stderr.
//
// `npm start` runs scripts/build-if-changed.mjs first: on a built checkout it builds nothing.
// PORTICO_START_FROM_SOURCE=true (tests, development) runs apps/*/src/main.ts instead of dist/,
// through the loader the e2e tests use (libs/testing/src/swc-register.mjs, with the
// `portico-source` import condition): no build needed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';

const env = process.env;
const dataDir = path.resolve(env.PORTICO_DATA_DIR || '.portico');
const host = env.PORTICO_HOST || '127.0.0.1';
const apiHost = host === '0.0.0.0' ? '127.0.0.1' : host;
const remote = env.PORTICO_CONTROL_PLANE_URL?.replace(/\/+$/, '');
// With PORTICO_TLS_CERT_FILE the API serves HTTPS only; a certificate of a private CA must be
// trusted through NODE_EXTRA_CA_CERTS, as for any Node client.
const scheme = env.PORTICO_TLS_CERT_FILE ? 'https' : 'http';
const baseUrl = remote || `${scheme}://${apiHost}:${env.PORTICO_PORT || '8080'}`;
const gatewayName = env.PORTICO_GATEWAY_NAME || 'local-gateway';
const environmentName = env.PORTICO_GATEWAY_ENVIRONMENT || 'Sandbox';
const gatewayDir = path.join(dataDir, gatewayName);
const fromSource = env.PORTICO_START_FROM_SOURCE === 'true';

/** Restart delay after the n-th exit in a row (n from 0): 1 s doubling, at most 30 s. */
const restartDelayMs = (n) => Math.min(1000 * 2 ** n, 30_000);
/** A child that ran this long before exiting starts over at the first delay. */
const HEALTHY_RUN_MS = 60_000;

/** Node's arguments to run `apps/<app>/src/main`. */
function entryPoint(app) {
  if (!fromSource) return [path.resolve(`dist/apps/${app}/src/main.js`)];
  const loader = path.resolve('libs/testing/src/swc-register.mjs');
  return ['--conditions=portico-source', '--import', loader, path.resolve(`apps/${app}/src/main.ts`)];
}

/** The supervised children, in start order. */
const services = [];
let exiting = false;

/**
 * Starts `name` and keeps it running (see the header). Until `service.restarts` is set, an exit
 * ends the launcher instead.
 */
function supervise(name, args, { restarts }) {
  const service = { name, args, restarts, exitsInARow: 0, child: undefined, exited: undefined, timer: undefined };
  services.push(service);
  launch(service);
  return service;
}

function launch(service) {
  const startedAt = Date.now();
  const child = spawn(process.execPath, service.args, { stdio: 'inherit', env });
  service.child = child;
  service.exited = new Promise((resolve) => child.once('exit', resolve));
  console.error(`portico: started the ${service.name} (pid ${child.pid})`);
  child.once('exit', (code, signal) => {
    service.child = undefined;
    if (exiting) return;
    const how = `the ${service.name} (pid ${child.pid}) exited (${signal ?? code})`;
    if (!service.restarts) {
      console.error(`portico: ${how}; stopping`);
      void stopAll(1);
      return;
    }
    if (Date.now() - startedAt >= HEALTHY_RUN_MS) service.exitsInARow = 0;
    const delay = restartDelayMs(service.exitsInARow++);
    console.error(`portico: ${how}; restarting it in ${delay / 1000} s`);
    service.timer = setTimeout(() => launch(service), delay);
  });
}

async function stopAll(code) {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  for (const service of [...services].reverse()) {
    clearTimeout(service.timer);
    if (!service.child) continue;
    service.child.kill('SIGTERM');
    await service.exited;
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll(0));

async function waitReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exiting) return;
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function call(method, urlPath, token, body) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${json.message ?? ''}`);
  return json;
}

/**
 * A one-time registration token: PORTICO_GATEWAY_TOKEN for a remote control plane; for the local
 * one, minted through the public API with the admin's credentials, as an operator would.
 */
async function registrationToken() {
  if (remote) {
    if (env.PORTICO_GATEWAY_TOKEN) return env.PORTICO_GATEWAY_TOKEN;
    throw new Error(
      `PORTICO_CONTROL_PLANE_URL is set and ${gatewayName} is not registered: set PORTICO_GATEWAY_TOKEN to a registration token of its environment (POST …/gatewaytokens)`,
    );
  }
  const username = env.PORTICO_ADMIN_USERNAME || 'admin';
  const password = env.PORTICO_ADMIN_PASSWORD || readFileSync(path.join(dataDir, 'admin-password'), 'utf8').trim();
  const { access_token: token } = await call('POST', '/accounts/login', undefined, { username, password });
  const me = await call('GET', '/accounts/api/me', token);
  const org = me.user.organization.id;
  const envs = await call(
    'GET',
    `/accounts/api/organizations/${org}/environments?name=${encodeURIComponent(environmentName)}`,
    token,
  );
  const environmentId = envs.data[0]?.id;
  if (!environmentId) throw new Error(`the ${environmentName} environment does not exist`);
  const { registrationToken: minted } = await call(
    'POST',
    `/standalone/api/v1/organizations/${org}/environments/${environmentId}/gatewaytokens`,
    token,
  );
  return minted;
}

/** Registers the gateway into its directory with the CLI. */
async function registerGateway() {
  const args = [
    'gateway',
    'register',
    '--token',
    await registrationToken(),
    '--control-plane',
    baseUrl,
    '--name',
    gatewayName,
    '--out',
    gatewayDir,
  ];
  const result = spawnSync(process.execPath, [...entryPoint('cli'), ...args], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`registering ${gatewayName} failed`);
}

const controlPlane = remote ? undefined : supervise('control plane', entryPoint('control-plane'), { restarts: false });
try {
  await waitReady(`${baseUrl}/readyz`, 120_000);
  if (controlPlane) controlPlane.restarts = true;
  if (remote || env.PORTICO_LOCAL_GATEWAY !== 'false') {
    if (!exiting && !existsSync(path.join(gatewayDir, 'registration.yaml'))) await registerGateway();
    if (!exiting) supervise('gateway', [...entryPoint('gateway'), '--dir', gatewayDir], { restarts: true });
  }
} catch (err) {
  console.error(`portico: ${err.message}`);
  await stopAll(1);
}
