// docker-compose.yml and deploy/: safe by default and the topology SPEC
// names. No Docker engine runs here, so the file is read as Compose would
// read it: variables interpolated by Compose's rules (${VAR}, ${VAR:-x},
// ${VAR:?msg}, $$), then parsed as YAML (python3-yaml), then checked. When
// a `docker compose` v2 client is installed it validates the file as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const NGINX = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
const DOCKERFILE = fs.readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8');
const SENTINEL_CONF = fs.readFileSync(path.join(ROOT, 'deploy/redis/sentinel.conf'), 'utf8');
const REDIS_CONF = fs.readFileSync(path.join(ROOT, 'deploy/redis/redis.conf'), 'utf8');

const ENV = { LIVEBLOG_ADMIN_TOKEN: 'a'.repeat(64), REDIS_PASSWORD: 'b'.repeat(64) };

// Compose's interpolation of text with env: throws Error(msg) for a
// ${VAR:?msg} / ${VAR?msg} whose variable is unset (or empty, with ':').
// Comments are YAML's business, not interpolated: strip them first.
export function interpolate(text, env) {
  const body = text.split('\n').map((l) => (/^\s*#/.test(l) ? '' : l)).join('\n');
  return body.replace(/\$(\$|[A-Za-z_][A-Za-z0-9_]*|\{([^}]*)\})/g, (all, tok, braced) => {
    if (tok === '$') return '$';
    if (braced === undefined) return env[tok] ?? '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/s.exec(braced);
    if (!m) throw new Error(`invalid interpolation ${all}`);
    const [, name, colon, op, arg] = m;
    const v = env[name];
    const missing = v === undefined || (colon === ':' && v === '');
    if (!op) return v ?? '';
    if (op === '-') return missing ? arg : v;
    if (missing) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return v;
  });
}

// The interpolated compose file as an object (YAML merge keys resolved).
function load(env) {
  const text = interpolate(COMPOSE, env);
  const json = execFileSync('python3', ['-c',
    'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: text });
  return JSON.parse(json);
}

const services = (c) => Object.entries(c.services);
const isLiveblogd = ([name]) => /^liveblogd-\d+$/.test(name);

test('the stack refuses to start without LIVEBLOG_ADMIN_TOKEN or REDIS_PASSWORD, and has no default for either', () => {
  for (const missing of ['LIVEBLOG_ADMIN_TOKEN', 'REDIS_PASSWORD']) {
    for (const value of [undefined, '']) {
      const env = { ...ENV };
      if (value === undefined) delete env[missing]; else env[missing] = value;
      assert.throws(() => load(env), new RegExp(`required variable ${missing} is missing`), `${missing}=${value}`);
    }
  }
  // No other way to give them a value (a ${VAR:-default} or plain ${VAR}).
  for (const v of ['LIVEBLOG_ADMIN_TOKEN', 'REDIS_PASSWORD']) {
    const uses = COMPOSE.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').match(new RegExp(`\\$\\{?${v}\\b[^}]*\\}?`, 'g')) ?? [];
    assert.ok(uses.length >= 1, `${v} is used`);
    for (const u of uses) assert.match(u, new RegExp(`^\\$\\{${v}:\\?`), `${v}: ${u}`);
  }
  assert.doesNotMatch(COMPOSE, /change-me/);
});

test('the topology: a master, two replicas, three sentinels, two or more liveblogd, nginx', () => {
  const c = load(ENV);
  const names = Object.keys(c.services);
  for (const n of ['redis-master', 'redis-replica-1', 'redis-replica-2', 'sentinel-1', 'sentinel-2', 'sentinel-3', 'nginx'])
    assert.ok(names.includes(n), n);
  const daemons = services(c).filter(isLiveblogd);
  assert.ok(daemons.length >= 2, 'two or more liveblogd');
  const role = (n) => c.services[n].command.join(' ');
  assert.match(role('redis-master'), /start\.sh master$/);
  for (const n of ['redis-replica-1', 'redis-replica-2']) {
    assert.match(role(n), /start\.sh replica$/, n);
    assert.equal(c.services[n].environment.REDIS_MASTER_HOST, 'redis-master', n);
    assert.equal(c.services[n].environment.REDIS_ANNOUNCE, n, n);
  }
  for (const n of ['sentinel-1', 'sentinel-2', 'sentinel-3']) {
    assert.match(role(n), /start\.sh sentinel$/, n);
    assert.equal(c.services[n].environment.REDIS_MASTER_HOST, 'redis-master', n);
    assert.equal(c.services[n].environment.REDIS_ANNOUNCE, n, n);
  }
  // Every Redis process gets the password from the secret, and the
  // templates and script it runs from deploy/redis.
  for (const n of names.filter((x) => /^(redis|sentinel)-/.test(x))) {
    const s = c.services[n];
    assert.ok(s.secrets.includes('redis_password'), n);
    assert.ok(s.volumes.includes('./deploy/redis:/etc/liveblog:ro'), n);
    assert.ok(s.volumes.some((v) => v.endsWith(':/data')), `${n} keeps its data (and rewritten config)`);
  }
  assert.deepEqual(c.secrets.redis_password, { environment: 'REDIS_PASSWORD' });
  // Sentinel across Docker DNS, with the password; quorum 2 of 3.
  assert.match(SENTINEL_CONF, /^sentinel resolve-hostnames yes$/m);
  assert.match(SENTINEL_CONF, /^sentinel announce-hostnames yes$/m);
  assert.match(SENTINEL_CONF, /^sentinel monitor liveblog @MASTER_HOST@ @MASTER_PORT@ 2$/m);
  assert.match(REDIS_CONF, /^replica-announce-ip @ANNOUNCE@$/m);
  assert.match(REDIS_CONF, /^appendonly yes$/m);
});

test('liveblogd: sentinel URL, password file, trusted proxy = nginx network, --ack-replicas 1, the admin token', () => {
  const c = load(ENV);
  const subnet = c.networks.edge.ipam.config[0].subnet;
  assert.match(subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
  for (const [name, s] of services(c).filter(isLiveblogd)) {
    const cmd = s.command.map(String);
    const flag = (f) => cmd[cmd.indexOf(f) + 1];
    assert.equal(flag('--redis'), 'sentinel://sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/liveblog', name);
    assert.equal(flag('--redis-password-file'), '/run/secrets/redis_password', name);
    assert.equal(flag('--trusted-proxy'), subnet, name);
    assert.equal(flag('--ack-replicas'), '1', name);
    assert.ok(s.secrets.includes('redis_password'), name);
    assert.equal(s.environment.LIVEBLOG_ADMIN_TOKEN, ENV.LIVEBLOG_ADMIN_TOKEN, name);
    assert.deepEqual([...s.networks].sort(), ['edge', 'redis'], name);
    assert.equal(s.build.dockerfile, 'deploy/Dockerfile', name);
  }
  // nginx sends every instance traffic, and only nginx faces the outside.
  for (const [name] of services(c).filter(isLiveblogd))
    assert.match(NGINX, new RegExp(`^\\s*server ${name}:8080\\b`, 'm'), `${name} is in deploy/nginx.conf`);
  assert.deepEqual(c.services.nginx.networks, ['edge']);
  for (const [name, s] of services(c).filter(([n]) => /^(redis|sentinel)-/.test(n)))
    assert.deepEqual(s.networks, ['redis'], `${name} is not on nginx's network`);
  assert.equal(c.networks.redis.internal, true);
});

test('no container runs as root, none has capabilities, each root file system is read-only', () => {
  const c = load(ENV);
  // The Dockerfile's last stage switches to a numeric non-root user.
  const last = DOCKERFILE.slice(DOCKERFILE.lastIndexOf('\nFROM '));
  const users = [...last.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length >= 1, 'the runtime stage has USER');
  assert.match(users.at(-1), /^[1-9]\d*(:[1-9]\d*)?$/, `USER ${users.at(-1)}`);
  for (const [name, s] of services(c)) {
    assert.ok(s.user, `${name} has user:`);
    assert.doesNotMatch(String(s.user), /^(root|0)(:|$)/, `${name}: user ${s.user}`);
    assert.deepEqual(s.cap_drop, ['ALL'], name);
    assert.ok(s.security_opt.includes('no-new-privileges:true'), name);
    assert.equal(s.read_only, true, name);
    assert.equal(s.privileged, undefined, name);
    assert.equal(s.network_mode, undefined, name);
  }
});

test('only nginx publishes a port, on 127.0.0.1 unless LIVEBLOG_BIND says otherwise', () => {
  const c = load(ENV);
  for (const [name, s] of services(c)) {
    if (name === 'nginx') continue;
    assert.equal(s.ports, undefined, `${name} publishes nothing`);
  }
  assert.deepEqual(c.services.nginx.ports, ['127.0.0.1:8080:8080']);
  assert.deepEqual(load({ ...ENV, LIVEBLOG_BIND: '0.0.0.0', LIVEBLOG_PORT: '80' }).services.nginx.ports, ['0.0.0.0:80:8080']);
  assert.match(NGINX, /^\s*listen 8080;/m, 'nginx listens where the port is mapped');
});

test('nginx passes WebSocket and SSE through: upgrade, no buffering, long timeouts, X-Forwarded-For', () => {
  assert.match(NGINX, /proxy_http_version 1\.1;/);
  assert.match(NGINX, /proxy_set_header Upgrade \$http_upgrade;/);
  assert.match(NGINX, /proxy_set_header Connection \$connection_upgrade;/);
  assert.match(NGINX, /proxy_buffering off;/);
  assert.match(NGINX, /proxy_read_timeout 1h;/);
  assert.match(NGINX, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  // Runs unprivileged: nothing written outside /tmp.
  assert.match(NGINX, /^pid \/tmp\//m);
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    assert.match(NGINX, new RegExp(`${t}_temp_path\\s+/tmp/`), t);
});

const dockerCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
test('docker compose config accepts the file', { skip: dockerCompose.status !== 0 && 'no docker compose v2 client here' }, () => {
  const run = (env) => spawnSync('docker', ['compose', '-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  const ok = run(ENV);
  assert.equal(ok.status, 0, ok.stderr);
  const bad = run({ LIVEBLOG_ADMIN_TOKEN: ENV.LIVEBLOG_ADMIN_TOKEN });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /REDIS_PASSWORD/);
});
