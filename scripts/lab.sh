#!/bin/bash
# lab.sh [start|stop|restart|status] — the libvirt lab for Vireo's integration and e2e tests:
# libvirtd + virtlogd started by hand (no systemd needed), qemu:///system answering, and the
# tiny guest (kernel + busybox initramfs) built under REPO/.lab/guest.
# Adapted from the team's shared/lab/setup-libvirt.sh.
#
#   bash scripts/lab.sh start    idempotent; ~0.1 s when everything is already up
#   bash scripts/lab.sh stop     destroy running guests (KEEP_GUESTS=1 keeps them), stop the daemons
#   bash scripts/lab.sh restart  restart the daemons; running guests keep running and are
#                                reconnected by the new libvirtd
#   bash scripts/lab.sh status   exit 0 when qemu:///system answers, 3 when not
#
# Then define guests with:  bash scripts/tiny-guest-xml.sh NAME | virsh -c qemu:///system define /dev/stdin
#
# Environment knobs:
#   START_DEFAULT_NET=1|0  try to start libvirt's 'default' NAT network (best effort). Default 1.
#   CGROUPS=auto|on|off    auto: no libvirt cgroup use when the cgroup tree is not writable.
#   OPEN_SOCKET=0|1        1: let any local user use qemu:///system (socket 0777, no auth).
#   GUEST_DIR=dir          where the tiny guest is built (default REPO/.lab/guest).
#
# Bookworm ships libvirt 9.0 with the monolithic libvirtd and QEMU 7.2. Guests must be
# type='qemu' (TCG): /dev/kvm exists on the test machines but KVM guests hang there.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$REPO/.lab
GUEST_DIR=${GUEST_DIR:-$LAB/guest}
URI=qemu:///system
START_DEFAULT_NET=${START_DEFAULT_NET:-1}
CGROUPS=${CGROUPS:-auto}
OPEN_SOCKET=${OPEN_SOCKET:-0}
VIRTLOGD_PID=/run/virtlogd.pid
LIBVIRTD_PID=/run/libvirtd.pid
DAEMON_LOG=/var/log/libvirt/libvirtd.log

T_START=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
log() { echo "[lab] $*"; }
die() { echo "[lab] ERROR: $*" >&2; exit 1; }
pid_alive() {  # PIDFILE: its process exists, is not a zombie, and is the daemon the file is named after
  local p st
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] && [ -r "/proc/$p/stat" ] || return 1
  st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || return 1
  [ "$st" != Z ] && [ "$st" != X ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$(basename "$1" .pid)" ]
}
answers() { timeout 10 virsh -c "$URI" version >/dev/null 2>&1; }

usage() { echo "usage: $0 [start|stop|restart|status]" >&2; exit 2; }
CMD=${1:-start}
case "$CMD" in start|stop|restart|status) ;; -h|--help|help) usage ;; *) usage ;; esac

# ------------------------------------------------------------------------------------- status
status() {
  local rc=0
  for f in "$VIRTLOGD_PID" "$LIBVIRTD_PID"; do
    if pid_alive "$f"; then log "$(basename "$f" .pid): running, pid $(cat "$f")"
    else log "$(basename "$f" .pid): not running"; fi
  done
  if answers; then
    log "$URI answers: $(virsh -c "$URI" version 2>/dev/null | awk -F': ' '/Running hypervisor/{print $2}')"
    virsh -c "$URI" list --all 2>/dev/null | sed '/^$/d; s/^/[lab]   /'
    virsh -c "$URI" net-list --all 2>/dev/null | sed '/^$/d; s/^/[lab]   /'
  else
    log "$URI does not answer"; rc=3
  fi
  if [ -f "$GUEST_DIR/vmlinuz" ] && [ -f "$GUEST_DIR/initramfs.img" ]; then
    log "tiny guest: $GUEST_DIR (kernel $(cat "$GUEST_DIR/kernel-version" 2>/dev/null || echo '?'))"
  else
    log "tiny guest: not built ($GUEST_DIR)"
  fi
  return $rc
}
if [ "$CMD" = status ]; then status; exit $?; fi

[ "$(id -u)" = 0 ] || die "run as root (libvirtd for $URI runs as root here)"

# One lab.sh at a time (parallel test workers may all call `start`). The lock fd is closed
# for the daemons we start, so they never hold it.
mkdir -p /run/lock
exec 9>/run/lock/vireo-lab.lock
if ! flock -n 9; then log "another lab.sh is running; waiting for it"; flock 9; fi

# ------------------------------------------------------------------------------------- stop
stop_pidfiles() {  # PIDFILE...: SIGTERM each daemon, then wait for all of them to exit (15 s, then KILL)
  local f p t pids=()
  t=$(date +%s.%N)
  for f in "$@"; do
    p=$(cat "$f" 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p"; pids+=("$p:$(basename "$f" .pid)"); fi
    rm -f "$f"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 300); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "${p%%:*}" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.05
  done
  for p in "${pids[@]}"; do
    if kill -0 "${p%%:*}" 2>/dev/null; then log "${p#*:} (pid ${p%%:*}) did not exit in 15s, sending KILL"; kill -9 "${p%%:*}"; fi
  done
  log "stopped ${pids[*]#*:} in $(since "$t")s"
}
destroy_guests() {
  answers || return 0
  local d
  while read -r d; do
    [ -n "$d" ] || continue
    log "destroying running guest '$d'"
    virsh -c "$URI" destroy "$d" >/dev/null 2>&1 || log "WARNING: could not destroy '$d'"
  done < <(virsh -c "$URI" list --name 2>/dev/null)
}

if [ "$CMD" = stop ] || [ "$CMD" = restart ]; then
  [ "$CMD" = stop ] && [ "${KEEP_GUESTS:-0}" != 1 ] && destroy_guests
  stop_pidfiles "$LIBVIRTD_PID" "$VIRTLOGD_PID"
  if [ "$CMD" = stop ]; then
    if answers; then log "WARNING: $URI still answers (a libvirtd not started by lab.sh?)"; fi
    log "stopped in $(since "$T_START")s"
    exit 0
  fi
fi

# ------------------------------------------------------------------------------------- start
# Packages: only when a tool is missing (scripts/setup.sh is the full, idempotent install).
for tool in libvirtd virtlogd virsh qemu-system-x86_64 qemu-img busybox dnsmasq iptables; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    log "$tool missing; running scripts/setup.sh"
    bash "$REPO/scripts/setup.sh"
    break
  fi
done

# What libvirt-daemon-system would have created. libvirtd resolves its compiled-in default
# user 'libvirt-qemu' even when qemu.conf says user="root" ("Failed to parse user 'libvirt-qemu'").
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || \
  useradd -r -g libvirt-qemu -d /var/lib/libvirt -M -s /usr/sbin/nologin libvirt-qemu
getent group libvirt >/dev/null || groupadd -r libvirt
mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/images /var/lib/libvirt/qemu /var/cache/libvirt \
         /run/libvirt /etc/libvirt/qemu/networks/autostart
chmod 0755 /run/libvirt   # an earlier root virsh client may have created it 0700

# qemu.conf for a sandbox: QEMU runs as root, no relabelling/ownership changes, no
# mount namespaces, no cgroups when the cgroup tree is not writable.
cg_line="# cgroup_controllers: libvirt default (cgroups are writable here)"
if [ "$CGROUPS" = off ]; then
  cg_line='cgroup_controllers = [ ]'
elif [ "$CGROUPS" = auto ]; then
  probe_ok=0
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then                        # pure cgroup v2
    d=/sys/fs/cgroup/vireo-probe.$$; mkdir "$d" 2>/dev/null && rmdir "$d" && probe_ok=1
  elif [ -d /sys/fs/cgroup/cpu ] || [ -d /sys/fs/cgroup/memory ]; then    # v1 / hybrid
    probe_ok=1
    for c in cpu memory; do
      [ -d /sys/fs/cgroup/$c ] || continue
      d=/sys/fs/cgroup/$c/vireo-probe.$$
      if mkdir "$d" 2>/dev/null; then rmdir "$d"; else probe_ok=0; fi
    done
  fi
  [ $probe_ok = 1 ] || cg_line='cgroup_controllers = [ ]'
fi
qemu_conf=$(cat <<EOF
# Written by Vireo's scripts/lab.sh (sandbox/test settings; libvirt-daemon-system not installed)
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
$cg_line
EOF
)
sock_conf=""
[ "$OPEN_SOCKET" = 1 ] && sock_conf=$'unix_sock_group = "root"\nunix_sock_ro_perms = "0777"\nunix_sock_rw_perms = "0777"\nauth_unix_ro = "none"\nauth_unix_rw = "none"'
libvirtd_conf=$(cat <<EOF
# Written by Vireo's scripts/lab.sh
log_outputs = "3:file:$DAEMON_LOG"
$sock_conf
EOF
)
changed=0
write_if_changed() {  # FILE CONTENT
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    printf '%s\n' "$2" > "$1"; changed=1; log "wrote $1"
  fi
}
write_if_changed /etc/libvirt/qemu.conf "$qemu_conf"
write_if_changed /etc/libvirt/libvirtd.conf "$libvirtd_conf"
if [ $changed = 1 ] && pid_alive "$LIBVIRTD_PID"; then
  log "configuration changed; restarting libvirtd (running guests stay up)"
  stop_pidfiles "$LIBVIRTD_PID"
fi

# Daemons: -d daemonizes (setsid, stdio on /dev/null) but keeps every other inherited fd.
# Close them all (our lock, a caller's pipes) so that nobody waiting for EOF on a pipe of
# ours is kept waiting by the daemons, and the lock is never held by them.
start_daemon() {  # NAME PIDFILE
  local name=$1 pidf=$2
  log "starting $name"
  ( for f in /proc/$BASHPID/fd/*; do
      f=${f##*/}; [ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-" 2>/dev/null
    done
    exec "$name" -d -p "$pidf" </dev/null >>"/var/log/libvirt/$name.stdio.log" 2>&1
  ) || die "$name failed to start; see /var/log/libvirt/$name.stdio.log and $DAEMON_LOG"
}
T_DAEMON=$(date +%s.%N)
started=0 foreign=0
if ! pid_alive "$VIRTLOGD_PID"; then start_daemon virtlogd "$VIRTLOGD_PID"; started=1; fi
if ! pid_alive "$LIBVIRTD_PID"; then
  if answers; then
    log "a libvirtd not started by lab.sh already serves $URI; using it"; foreign=1
  else
    start_daemon libvirtd "$LIBVIRTD_PID"; started=1
  fi
fi
ok=0 retried=0
for i in $(seq 1200); do  # up to 60 s; the first start probes QEMU's capabilities (~8 s)
  if answers; then ok=1; break; fi
  if [ $foreign = 0 ] && [ "$i" -gt 20 ] && ! pid_alive "$LIBVIRTD_PID"; then
    [ $retried = 0 ] || break   # it died twice: give up and show its log
    log "libvirtd is gone (was it killed?); starting it again"
    retried=1; start_daemon libvirtd "$LIBVIRTD_PID"; started=1
  fi
  sleep 0.05
done
if [ $ok != 1 ]; then
  log "libvirtd did not come up; last lines of $DAEMON_LOG and libvirtd.stdio.log:"
  tail -n 20 "$DAEMON_LOG" /var/log/libvirt/libvirtd.stdio.log 2>&1 | sed 's/^/[lab]   /' || true
  exit 1
fi
if [ $started = 1 ]; then
  log "$URI answers after $(since "$T_DAEMON")s (libvirtd pid $(cat "$LIBVIRTD_PID" 2>/dev/null || echo '?'))"
  virsh -c "$URI" version 2>/dev/null | sed '/^$/d; s/^/[lab]   /'
else
  log "libvirtd already running (pid $(cat "$LIBVIRTD_PID" 2>/dev/null || echo '?')); $URI answers"
fi

# 'default' NAT network: best effort (needs bridge + iptables + dnsmasq; a sandbox may refuse).
if [ "$START_DEFAULT_NET" = 1 ]; then
  info=$(virsh -c "$URI" net-info default 2>/dev/null || true)
  if [ -z "$info" ] && [ -f /usr/share/libvirt/networks/default.xml ]; then
    virsh -c "$URI" net-define /usr/share/libvirt/networks/default.xml >/dev/null 2>&1 || true
    info=$(virsh -c "$URI" net-info default 2>/dev/null || true)
  fi
  if grep -q '^Active:.*yes' <<<"$info"; then
    [ $started = 1 ] && log "network 'default' active"
  elif [ -n "$info" ]; then
    t=$(date +%s.%N)
    if out=$(timeout 30 virsh -c "$URI" net-start default 2>&1); then
      log "network 'default' started in $(since "$t")s (virbr0, 192.168.122.1/24)"
    else
      log "note: network 'default' could not start (guests can use <interface type='user'>, NET=1):"
      log "  $(tr '\n' ' ' <<<"$out")"
      grep -q 'already in use by interface' <<<"$out" && \
        log "  (a stale virbr0 from an earlier libvirtd whose /run state is gone: 'ip link del virbr0' and stop its dnsmasq)"
    fi
  fi
fi

# Tiny guest: build when missing or when make-tiny-guest.sh or the agent it compiles changed.
want=$(cat "$REPO/scripts/make-tiny-guest.sh" "$REPO/scripts/tiny-guest/vdagent.c" | sha256sum | cut -d' ' -f1)
have=$(cat "$GUEST_DIR/.stamp" 2>/dev/null || true)
if [ ! -f "$GUEST_DIR/vmlinuz" ] || [ ! -f "$GUEST_DIR/initramfs.img" ] || [ "$want" != "$have" ]; then
  t=$(date +%s.%N)
  log "building the tiny guest in $GUEST_DIR"
  CACHE_DIR=$LAB/cache bash "$REPO/scripts/make-tiny-guest.sh" "$GUEST_DIR" 9>&- | sed 's/^/[lab]   /'
  log "tiny guest built in $(since "$t")s"
else
  [ $started = 1 ] && log "tiny guest ready: $GUEST_DIR (kernel $(cat "$GUEST_DIR/kernel-version" 2>/dev/null || echo '?'))"
fi

log "lab ready in $(since "$T_START")s — define a guest: bash scripts/tiny-guest-xml.sh NAME | virsh -c $URI define /dev/stdin"
