#!/bin/bash
# lab-sshd.sh [start|stop] — an sshd on 127.0.0.1 for testing qemu+ssh:// connections to this
# machine's libvirtd, with its own host key and a client key (no passwords, nothing global
# changed but root's authorized_keys entry, which is marked and replaced idempotently).
#
# Prints nothing but its log lines; the URI to use is:
#   qemu+ssh://root@127.0.0.1:$PORT/system?keyfile=$DIR/client_key&no_verify=1
# (PORT default 2222, DIR default REPO/.lab/ssh). `no_verify` is fine here: loopback only.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${SSH_LAB_DIR:-$REPO/.lab/ssh}
PORT=${SSH_LAB_PORT:-2222}
# One lab sshd per machine (several clones share it: it reads root's authorized_keys,
# where each clone registers its own client key).
PID=/run/vireo-lab-sshd.pid
KEY_COMMENT="vireo-lab:$DIR"
log() { echo "[lab-sshd] $*"; }

stop() {
  if [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; then kill "$(cat "$PID")"; log "stopped"; fi
  rm -f "$PID"
}
case "${1:-start}" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac

mkdir -p "$DIR" /run/sshd
chmod 700 "$DIR"
[ -f "$DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/host_key"
[ -f "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C "$KEY_COMMENT" -f "$DIR/client_key"

# Authorise this clone's client key for root, replacing its own earlier entry only.
mkdir -p /root/.ssh && chmod 700 /root/.ssh
touch /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys
grep -vF " $KEY_COMMENT" /root/.ssh/authorized_keys > "$DIR/authorized_keys.tmp" || true
awk -v c="$KEY_COMMENT" '{print $1, $2, c}' "$DIR/client_key.pub" >> "$DIR/authorized_keys.tmp"
cat "$DIR/authorized_keys.tmp" > /root/.ssh/authorized_keys
rm -f "$DIR/authorized_keys.tmp"

if [ -f "$PID" ] && kill -0 "$(cat "$PID")" 2>/dev/null; then
  log "already running on 127.0.0.1:$PORT (pid $(cat "$PID"))"
  exit 0
fi
cat > "$DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $PORT
HostKey $DIR/host_key
PidFile $PID
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile /root/.ssh/authorized_keys
UsePAM no
StrictModes no
CONF
/usr/sbin/sshd -f "$DIR/sshd_config" -E "$DIR/sshd.log"
for _ in $(seq 50); do [ -f "$PID" ] && break; sleep 0.1; done
[ -f "$PID" ] || { log "sshd did not start:"; cat "$DIR/sshd.log" >&2; exit 1; }
log "sshd on 127.0.0.1:$PORT (pid $(cat "$PID"))"
