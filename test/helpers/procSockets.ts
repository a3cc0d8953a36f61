import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which of our child processes owns the local end of a TCP connection, from /proc (Linux):
 * PostgreSQL names a session's client port (pg_stat_activity.client_port) and an HTTP server
 * its peer's port, and this maps such a port back to the node that holds it.
 */

/** Local port → socket inode of every TCP socket of this network namespace. */
function inodesByLocalPort(): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const inode = cols[9];
      if (!local || !inode || inode === '0') continue;
      const port = Number.parseInt(local.split(':')[1] ?? '', 16);
      if (!Number.isFinite(port)) continue;
      let set = out.get(port);
      if (!set) {
        set = new Set();
        out.set(port, set);
      }
      set.add(inode);
    }
  }
  return out;
}

/** The socket inodes a process holds open. */
function socketInodesOf(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** The one of `pids` that holds a TCP socket bound locally to `port`, if any. */
export function pidOwningLocalPort(port: number, pids: readonly number[]): number | undefined {
  const inodes = inodesByLocalPort().get(port);
  if (!inodes) return undefined;
  for (const pid of pids) {
    for (const inode of socketInodesOf(pid)) if (inodes.has(inode)) return pid;
  }
  return undefined;
}
