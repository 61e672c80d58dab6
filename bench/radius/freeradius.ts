/**
 * The peer: FreeRADIUS 3.2 (Debian `freeradius`, `freeradius-postgresql`) with rlm_sql_postgresql,
 * from a private configuration written into a temporary directory, listening on loopback only,
 * run in the foreground as a child of the benchmark (never the system service). Its database gets
 * FreeRADIUS's own PostgreSQL schema and one radcheck row per voucher (Cleartext-Password = code),
 * so CHAP logins are authorised from radcheck and accounting goes to radacct with the stock
 * queries (one statement per packet, as operators run it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { codeOf } from './packets.js';

const SYSTEM_CONF = '/etc/freeradius/3.0';
const FREERADIUS = '/usr/sbin/freeradius';

export function freeRadiusAvailable(): boolean {
  return (
    fs.existsSync(FREERADIUS) && fs.existsSync(`${SYSTEM_CONF}/mods-config/sql/main/postgresql/queries.conf`)
  );
}

/** Loads FreeRADIUS's schema and one radcheck row per voucher into `dbUrl` (an empty database). */
export async function seedFreeRadiusDatabase(dbUrl: string, vouchers: number): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query(fs.readFileSync(`${SYSTEM_CONF}/mods-config/sql/main/postgresql/schema.sql`, 'utf8'));
    const codes = Array.from({ length: vouchers }, (_, i) => codeOf(i));
    await client.query(
      `insert into radcheck (username, attribute, op, value)
       select c, 'Cleartext-Password', ':=', c from unnest($1::text[]) as c`,
      [codes],
    );
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

export interface FreeRadiusServer {
  child: ChildProcess;
  authPort: number;
  acctPort: number;
  stop(): Promise<void>;
}

/** Writes the private configuration into `dir` and starts FreeRADIUS on 127.0.0.1. */
export async function startFreeRadius(options: {
  dir: string;
  dbUrl: string;
  secret: string;
  authPort: number;
  acctPort: number;
}): Promise<FreeRadiusServer> {
  const { dir } = options;
  const db = new URL(options.dbUrl);
  for (const sub of ['log', 'run', 'mods-config/sql/main/postgresql']) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  }
  fs.copyFileSync(`${SYSTEM_CONF}/dictionary`, path.join(dir, 'dictionary'));
  fs.copyFileSync(
    `${SYSTEM_CONF}/mods-config/sql/main/postgresql/queries.conf`,
    path.join(dir, 'mods-config/sql/main/postgresql/queries.conf'),
  );
  // The stock radiusd.conf and sql module, reduced to what this benchmark exercises; thread
  // pool and connection pool at their stock sizes.
  const conf = `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
logdir = ${dir}/log
raddbdir = ${dir}
radacctdir = ${dir}/log
name = freeradius
confdir = ${dir}
modconfdir = ${dir}/mods-config
run_dir = ${dir}/run
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = ${dir}/run/freeradius.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 65536
hostname_lookups = no
log {
  destination = files
  file = ${dir}/log/radius.log
  auth = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 1
  status_server = yes
}
proxy_requests = no
client bench {
  ipaddr = 127.0.0.1
  secret = ${options.secret}
  require_message_authenticator = yes
}
thread pool {
  start_servers = 5
  max_servers = 32
  min_spare_servers = 3
  max_spare_servers = 10
  max_requests_per_server = 0
  auto_limit_acct = no
}
modules {
  expr {
  }
  chap {
  }
  sql {
    dialect = "postgresql"
    driver = "rlm_sql_postgresql"
    postgresql {
      send_application_name = yes
    }
    server = "${decodeURIComponent(db.hostname)}"
    port = ${db.port || 5432}
    login = "${decodeURIComponent(db.username)}"
    password = "${decodeURIComponent(db.password)}"
    radius_db = "${db.pathname.slice(1)}"
    acct_table1 = "radacct"
    acct_table2 = "radacct"
    postauth_table = "radpostauth"
    authcheck_table = "radcheck"
    groupcheck_table = "radgroupcheck"
    authreply_table = "radreply"
    groupreply_table = "radgroupreply"
    usergroup_table = "radusergroup"
    delete_stale_sessions = yes
    pool {
      start = 5
      min = 3
      max = 32
      spare = 10
      uses = 0
      retry_delay = 30
      lifetime = 0
      idle_timeout = 60
    }
    client_table = "nas"
    group_attribute = "SQL-Group"
    $INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${options.authPort}
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${options.acctPort}
  }
  authorize {
    chap
    sql
  }
  authenticate {
    Auth-Type CHAP {
      chap
    }
  }
  preacct {
    update request {
      &Acct-Unique-Session-Id := "%{md5:%{User-Name},%{Acct-Session-ID},%{%{NAS-IPv6-Address}:-%{NAS-IP-Address}},%{NAS-Identifier},%{NAS-Port-ID},%{NAS-Port}}"
    }
  }
  accounting {
    sql
  }
}
`;
  fs.writeFileSync(path.join(dir, 'radiusd.conf'), conf);
  const child = spawn(FREERADIUS, ['-f', '-d', dir, '-n', 'radiusd'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const logFile = path.join(dir, 'log/radius.log');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    if (log.includes('Ready to process requests')) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`FreeRADIUS did not start:\n${output}\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    authPort: options.authPort,
    acctPort: options.acctPort,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
