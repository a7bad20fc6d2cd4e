/**
 * Debian's nginx as the reference reverse proxy (`apt-get install -y nginx`), configured as in
 * reference/sync-and-performance.md section C: one worker, no access log, HTTP/1.1 keep-alive
 * pools of 64 connections to each upstream. Started in the foreground from a temporary prefix,
 * stopped by PID with the rest of the run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { type BenchProcess, childPids, sleep, startProcess, tempDir } from './processes.js';

export interface NginxProxy {
  readonly master: BenchProcess;
  /** The one worker process: it does all the proxying, so its CPU is nginx's cost. */
  readonly workerPid: number;
}

/** Starts nginx with one server per entry of `routes`: 127.0.0.1:`listenPort` → 127.0.0.1:`upstreamPort`. */
export async function startNginx(routes: { listenPort: number; upstreamPort: number }[]): Promise<NginxProxy> {
  const prefix = await tempDir('nginx');
  for (const dir of ['logs', 'tmp']) await mkdir(path.join(prefix, dir));
  const blocks = routes.map(
    ({ listenPort, upstreamPort }, i) => `
  upstream up${i} {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 100000;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://up${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`,
  );
  const conf = `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/client_body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_requests 100000;
${blocks.join('\n')}
}
`;
  const file = path.join(prefix, 'nginx.conf');
  await writeFile(file, conf);
  const master = startProcess('nginx', 'nginx', ['-c', file, '-p', `${prefix}/`, '-g', 'daemon off;']);
  for (const { listenPort } of routes) await waitForPort(master, listenPort);
  let workers = childPids(master.pid);
  for (let i = 0; workers.length === 0 && i < 50; i++) {
    await sleep(100);
    workers = childPids(master.pid);
  }
  if (workers.length !== 1) throw new Error(`nginx should run exactly one worker, found ${workers.length}:\n${master.output()}`);
  return { master, workerPid: workers[0]! };
}

async function waitForPort(owner: BenchProcess, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`${owner.name} does not listen on 127.0.0.1:${port}:\n${owner.output()}`);
}
