// `npm start`: the control plane on its embedded defaults plus one gateway registered to it.
//
// 1. starts the control plane (dist/apps/control-plane/src/main.js) and waits for /readyz;
// 2. unless PORTICO_LOCAL_GATEWAY=false: on first start registers the bootstrap target
//    `local-gateway` of Sandbox through the public REST API and the CLI (admin login, a
//    registration token, `portico gateway register`) into <data dir>/local-gateway;
// 3. starts the gateway from that directory.
// With PORTICO_CONTROL_PLANE_URL set it starts no control plane and registers (once) and runs the
// gateway PORTICO_GATEWAY_NAME (default local-gateway) of environment PORTICO_GATEWAY_ENVIRONMENT
// (default Sandbox) against that one: a gateway container next to a control-plane container.
// On a signal, or when one exits, the others are stopped in reverse start order (the gateway
// before the control plane, so its goodbye reaches a live database) and the launcher exits.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
const children = [];
let exiting = false;

function run(name, script, args = [], extraEnv = {}) {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env: { ...env, ...extraEnv } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  children.push({ child, exited });
  child.on('exit', (code, signal) => {
    children.splice(
      children.findIndex((c) => c.child === child),
      1,
    );
    if (exiting) return;
    console.error(`portico: the ${name} exited (${signal ?? code}); stopping`);
    void stopAll(code ?? 1);
  });
  return child;
}

async function stopAll(code) {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  for (const { child, exited } of [...children].reverse()) {
    child.kill('SIGTERM');
    await exited;
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

/** Registers the gateway with the public API, as an operator would. */
async function registerGateway() {
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
  const { registrationToken } = await call(
    'POST',
    `/standalone/api/v1/organizations/${org}/environments/${environmentId}/gatewaytokens`,
    token,
  );
  const cli = path.resolve('dist/apps/cli/src/main.js');
  const args = [
    'gateway',
    'register',
    '--token',
    registrationToken,
    '--control-plane',
    baseUrl,
    '--name',
    gatewayName,
    '--out',
    gatewayDir,
  ];
  const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`registering ${gatewayName} failed`);
}

if (!remote) run('control plane', path.resolve('dist/apps/control-plane/src/main.js'));
try {
  await waitReady(`${baseUrl}/readyz`, 120_000);
  if ((remote || env.PORTICO_LOCAL_GATEWAY !== 'false') && !exiting) {
    if (!existsSync(path.join(gatewayDir, 'registration.yaml'))) await registerGateway();
    run('gateway', path.resolve('dist/apps/gateway/src/main.js'), ['--dir', gatewayDir]);
  }
} catch (err) {
  console.error(`portico: ${err.message}`);
  await stopAll(1);
}
