#!/bin/bash
# make-tiny-guest.sh OUTDIR — builds the tiny Linux guest used by the lab and the tests.
# Boots in a few seconds under QEMU TCG (no KVM needed). Adapted from the team's
# shared/lab/make-tiny-guest.sh.
#
#   OUTDIR/vmlinuz        Debian bookworm kernel (from the linux-image-amd64 dependency), bzImage
#   OUTDIR/vmlinux        the same kernel uncompressed (ELF, PVH entry): boots ~3.5 s faster under
#                         TCG; tiny-guest-xml.sh uses it when present
#   OUTDIR/initramfs.img  gzip'd newc cpio: busybox-static + /init + a few virtio/ACPI/DRM modules
#                         + a minimal clipboard agent (tiny-guest/vdagent.c)
#   OUTDIR/disk.qcow2     empty 64 MiB qcow2 template (copy it; don't share it between guests)
#   OUTDIR/.stamp         sha256 of this script + tiny-guest/vdagent.c (scripts/lab.sh rebuilds when
#                         it changes)
#   OUTDIR/kernel-version the guest kernel's release (uname -r)
#
# Guest behaviour: /init mounts proc/sys/devtmpfs, loads virtio + power-button modules,
# brings up eth0 with udhcpc if there is one, prints "TINY-GUEST-READY <kernel>" on the
# serial console (ttyS0) and on tty1 (VGA/VNC; a bochs-drm framebuffer console when booted
# through PVH, a virtio-gpu one with a virtio display), then runs a root shell with the prompt
# "tiny# " on both, respawned forever. An ACPI power-button press (virsh shutdown) powers the
# guest off. With QEMU's clipboard agent port (com.redhat.spice.0) it starts the agent:
# `vdagent-copy TEXT` puts TEXT on the guest clipboard, and text pasted from the host is written
# to /tmp/clipboard.
#
# Environment:
#   CACHE_DIR=dir        where the kernel .deb is cached (default OUTDIR/.cache; lab.sh
#                        uses .lab/cache so a rebuilt guest does not download again)
#   KERNEL_DEB=path.deb  use this kernel package instead of downloading one
# Needs: busybox-static, gcc + libc6-dev (static agent), dpkg-deb, xz, apt-get (only to download
# the kernel .deb once), qemu-img (optional, for disk.qcow2). Idempotent; files are replaced atomically.
set -euo pipefail

OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CACHE=${CACHE_DIR:-$OUT/.cache}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
AGENT_SRC=$(cd "$(dirname "$0")" && pwd)/tiny-guest/vdagent.c
T0=$(date +%s.%N)
log() { echo "[make-tiny-guest] $*"; }

BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "need a static $BUSYBOX (apt-get install -y busybox-static, or bash scripts/setup.sh)" >&2
  exit 1
fi

# ---------------------------------------------------------------- kernel
if [ -z "${KERNEL_DEB:-}" ]; then
  KERNEL_DEB=$(ls -t "$CACHE"/linux-image-*-amd64_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$KERNEL_DEB" ]; then
    PKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
    if [ -z "$PKG" ]; then
      log "linux-image-amd64 unknown to apt; running apt-get update"
      apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null
      PKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
    fi
    [ -n "$PKG" ] || { echo "cannot resolve linux-image-amd64" >&2; exit 1; }
    # a copy in apt's own archive cache saves the download
    local_deb=$(ls /var/cache/apt/archives/"$PKG"_*.deb 2>/dev/null | head -1 || true)
    if [ -n "$local_deb" ]; then
      cp "$local_deb" "$CACHE/"
    else
      log "downloading $PKG into $CACHE"
      T=$(date +%s.%N)
      (cd "$CACHE" && apt-get -q download "$PKG" 2>&1 | grep -v 'Download is performed unsandboxed' || true)
      awk -v a="$T" -v b="$(date +%s.%N)" 'BEGIN{printf "[make-tiny-guest] download took %.1fs\n", b-a}'
    fi
    KERNEL_DEB=$(ls -t "$CACHE"/linux-image-*-amd64_*.deb 2>/dev/null | head -1 || true)
    [ -n "$KERNEL_DEB" ] || { echo "kernel download failed" >&2; exit 1; }
  fi
fi
log "kernel deb: $KERNEL_DEB"

WORK=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
KX=$WORK/kx
mkdir -p "$KX"
# The DRM drivers in the order /init loads them: dependencies first, as each .ko's depends= says
# (strings X.ko | grep ^depends=; the tiny guest has no modprobe to work it out).
BOCHS_MODS="drm drm_kms_helper ttm drm_ttm_helper drm_vram_helper bochs"
VIRTIO_GPU_MODS="drm drm_kms_helper drm_shmem_helper virtio_dma_buf virtio-gpu"
MODS="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_blk virtio_console virtio_balloon evdev button $BOCHS_MODS $VIRTIO_GPU_MODS"
dpkg-deb --fsys-tarfile "$KERNEL_DEB" | tar -x -C "$KX" --wildcards \
  './boot/vmlinuz-*' \
  './lib/modules/*/kernel/drivers/virtio/*.ko' \
  './lib/modules/*/kernel/drivers/net/virtio_net.ko' \
  './lib/modules/*/kernel/drivers/net/net_failover.ko' \
  './lib/modules/*/kernel/net/core/failover.ko' \
  './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
  './lib/modules/*/kernel/drivers/char/virtio_console.ko' \
  './lib/modules/*/kernel/drivers/input/evdev.ko' \
  './lib/modules/*/kernel/drivers/acpi/button.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/drm.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/drm_kms_helper.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/ttm/ttm.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/drm_ttm_helper.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/drm_vram_helper.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/tiny/bochs.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/drm_shmem_helper.ko' \
  './lib/modules/*/kernel/drivers/gpu/drm/virtio/virtio-gpu.ko'

# vmlinux: the uncompressed ELF inside the bzImage. QEMU boots it through its PVH entry point,
# skipping the xz decompression that takes ~3.5 s under TCG. Without the bzImage's real-mode
# set-up there is no VGA text console, so /init then loads bochs-drm for a framebuffer console.
off=$(LC_ALL=C grep -obUaP '\xfd\x37\x7a\x58\x5a\x00' "$KX"/boot/vmlinuz-* | head -1 | cut -d: -f1 || true)
# (tail may die of SIGPIPE once xz has read its one stream: judge the result, not the pipeline)
[ -n "$off" ] && { tail -c +$((off + 1)) "$KX"/boot/vmlinuz-* | xz -dc --single-stream > "$WORK/vmlinux" 2>/dev/null || true; }
if [ -s "$WORK/vmlinux" ] && [ "$(head -c 4 "$WORK/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
  have_vmlinux=1
else
  have_vmlinux=0; rm -f "$WORK/vmlinux"
  log "note: could not extract vmlinux from the bzImage; guests will boot vmlinuz (slower)"
fi

# ---------------------------------------------------------------- initramfs
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root,lib/modules,mnt,run}
cp "$BUSYBOX" "$R/bin/busybox"
for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
for m in $(printf '%s\n' $MODS | sort -u); do
  f=$(find "$KX/lib/modules" -name "$m.ko" | head -1)
  [ -n "$f" ] && cp "$f" "$R/lib/modules/"
done
echo "$BOCHS_MODS" > "$R/lib/modules/bochs.load"
echo "$VIRTIO_GPU_MODS" > "$R/lib/modules/virtio-gpu.load"
# the clipboard agent (tiny-guest-xml.sh VDAGENT=1): static, the initramfs has no libc
gcc -static -Os -s -o "$R/bin/vdagent" "$AGENT_SRC"
cat > "$R/bin/vdagent-copy" <<'EOF'
#!/bin/sh
# vdagent-copy TEXT: puts TEXT on the guest clipboard (the agent reads it from its fifo)
printf '%s' "$*" > /run/vdagent-copy
EOF
chmod +x "$R/bin/vdagent-copy"
echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
echo "root:x:0:" > "$R/etc/group"
echo tiny > "$R/etc/hostname"

cat > "$R/etc/udhcpc.script" <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /etc/resolv.conf; for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done ;;
esac
EOF
chmod +x "$R/etc/udhcpc.script"

cat > "$R/init" <<'EOF'
#!/bin/sh
export PATH=/bin HOME=/root TERM=linux PS1='tiny# '
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
hostname tiny
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
         failover net_failover virtio_net virtio_blk virtio_console virtio_balloon evdev button; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
done
pci_device() {  # VENDOR:DEVICE (e.g. 0x1af4:0x1050) is on the PCI bus
  for d in /sys/bus/pci/devices/*; do
    read -r vendor < "$d/vendor"; read -r device < "$d/device"
    [ "$vendor:$device" = "$1" ] && return 0
  done
  return 1
}
# A virtio GPU (1af4:1050) gets its DRM driver, whose display follows the size the VNC client asks
# for. Else, PVH boot (vmlinux) has no VGA text console: give tty1 a framebuffer console via bochs-drm.
drm_mods=
if pci_device 0x1af4:0x1050; then
  drm_mods=$(cat /lib/modules/virtio-gpu.load)
elif grep -q dummy /sys/class/vtconsole/vtcon0/name 2>/dev/null; then
  drm_mods=$(cat /lib/modules/bochs.load)
fi
for m in $drm_mods; do
  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko 2>/dev/null
done
ip link set lo up
sleep 0.3
# QEMU's clipboard agent port (tiny-guest-xml.sh VDAGENT=1): share the clipboard with VNC clients
for p in /sys/class/virtio-ports/*; do
  [ -r "$p/name" ] && read -r name < "$p/name" || continue
  [ "$name" = com.redhat.spice.0 ] && vdagent "/dev/${p##*/}" /run/vdagent-copy /tmp/clipboard &
done
# ACPI power button (virsh shutdown) -> power off
for d in /sys/class/input/event*; do
  [ -e "$d/device/name" ] || continue
  if grep -q "Power Button" "$d/device/name"; then
    ev=/dev/input/$(basename "$d")
    ( while :; do
        n=$(dd if="$ev" bs=24 count=1 2>/dev/null | wc -c)
        if [ "$n" -gt 0 ]; then echo "tiny: power button -> poweroff" > /dev/console; sync; poweroff -f; fi
        sleep 1
      done ) &
  fi
done
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  udhcpc -i eth0 -s /etc/udhcpc.script -q -t 5 -T 1 -n >/dev/null 2>&1 &
fi
echo "TINY-GUEST-READY $(uname -r)"
echo "TINY-GUEST-READY $(uname -r)" > /dev/tty1 2>/dev/null
# shell on the VGA console (visible over VNC)
( while :; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; sleep 1; done ) &
# shell on the serial console (virsh console); respawn forever, PID 1 must not exit
while :; do setsid cttyhack sh -i; sleep 1; done
EOF
chmod +x "$R/init"

(cd "$R" && find . | sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -9 > "$WORK/initramfs.img")

# ---------------------------------------------------------------- install (atomic renames)
cp -f "$KX"/boot/vmlinuz-* "$WORK/vmlinuz"
mv -f "$WORK/vmlinuz" "$OUT/vmlinuz"
if [ "$have_vmlinux" = 1 ]; then mv -f "$WORK/vmlinux" "$OUT/vmlinux"; else rm -f "$OUT/vmlinux"; fi
mv -f "$WORK/initramfs.img" "$OUT/initramfs.img"
if command -v qemu-img >/dev/null && [ ! -f "$OUT/disk.qcow2" ]; then
  qemu-img create -q -f qcow2 "$OUT/disk.qcow2" 64M
fi
KVER=$(basename "$(ls -d "$KX"/lib/modules/*)")
cat "$0" "$AGENT_SRC" | sha256sum | cut -d' ' -f1 > "$OUT/.stamp"
echo "$KVER" > "$OUT/kernel-version"
ls -la "$OUT"
awk -v a="$T0" -v b="$(date +%s.%N)" -v k="$KVER" \
  'BEGIN{printf "[make-tiny-guest] built kernel %s + initramfs in %.1fs\n", k, b-a}'
