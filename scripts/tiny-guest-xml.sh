#!/bin/bash
# tiny-guest-xml.sh NAME [OUTDIR] — prints the domain XML of a tiny test guest named NAME.
#
#   bash scripts/tiny-guest-xml.sh t1 | virsh -c qemu:///system define /dev/stdin
#   virsh -c qemu:///system start t1      # "TINY-GUEST-READY" + prompt "tiny# " on the serial console
#
# OUTDIR holds vmlinux/vmlinuz + initramfs.img from make-tiny-guest.sh (default: REPO/.lab/guest, built by
# `bash scripts/lab.sh start`). The guest: type='qemu' (TCG: KVM guests hang on these machines),
# direct kernel boot, serial pty + console, VNC on 127.0.0.1 (autoport), vga video (VIDEO), ACPI
# (virsh shutdown powers it off), no memballoon, on_poweroff destroy, no disk, no network.
#
# Environment:
#   DISK=path        add <disk> vda (virtio) with this file; DISK_FORMAT=qcow2|raw (default from
#                    the extension: .qcow2 -> qcow2, else raw). Give each guest its own file.
#   NET=1            add <interface type='user'> (QEMU user-mode network, virtio); the guest
#                    gets 10.0.2.15 by DHCP
#   NET=network:NAME add an interface on libvirt's virtual network NAME (e.g. network:default);
#                    the guest asks its dnsmasq for an address at boot
#   MEM_MIB=256      memory;  VCPUS=1  virtual CPUs
#   KERNEL=vmlinux|vmlinuz|path  default vmlinux when built (fast PVH boot), else vmlinuz (bzImage)
#   CMDLINE_EXTRA=.. appended to the kernel command line
#   SERIAL_LOG=path  also log the serial console to this file (written by virtlogd); "1" means
#                    /var/log/libvirt/qemu/NAME-serial.log
#   UUID=..          fixed UUID (default: libvirt generates one)
#   VIDEO=vga|virtio the display adapter (default vga: the guest draws its console with bochs-drm);
#                    virtio: virtio-gpu, which resizes the guest display to what a VNC client asks
#                    for (VNC SetDesktopSize -> QEMU UI info -> the guest's preferred mode)
#   VDAGENT=1        add QEMU's qemu-vdagent channel (com.redhat.spice.0) with the clipboard on:
#                    the guest's agent then shares its clipboard with VNC clients (vdagent-copy TEXT
#                    puts TEXT on it; text from the client lands in /tmp/clipboard)
set -euo pipefail

NAME=${1:?usage: $0 NAME [OUTDIR]}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${2:-${GUEST_DIR:-$REPO/.lab/guest}}
if [ ! -f "$OUT/vmlinuz" ] || [ ! -f "$OUT/initramfs.img" ]; then
  echo "tiny-guest-xml: no $OUT/vmlinuz or $OUT/initramfs.img; run: bash scripts/lab.sh start" >&2
  exit 1
fi
OUT=$(cd "$OUT" && pwd)
# vmlinux (PVH ELF) boots ~3.5 s faster than the xz bzImage under TCG; KERNEL=vmlinuz forces the bzImage
KERNEL=${KERNEL:-$([ -f "$OUT/vmlinux" ] && echo vmlinux || echo vmlinuz)}
case "$KERNEL" in vmlinux|vmlinuz) KERNEL=$OUT/$KERNEL ;; esac

# XML-escape (replacements quoted: bash 5.2's patsub_replacement makes a bare & mean "the match")
esc() { local s=$1; s=${s//&/"&amp;"}; s=${s//</"&lt;"}; s=${s//>/"&gt;"}; s=${s//\'/"&apos;"}; s=${s//\"/"&quot;"}; printf '%s' "$s"; }

MEM_MIB=${MEM_MIB:-256}
VCPUS=${VCPUS:-1}
CMDLINE="console=tty0 console=ttyS0 panic=-1${CMDLINE_EXTRA:+ $CMDLINE_EXTRA}"

uuid_xml=""
[ -n "${UUID:-}" ] && uuid_xml="
  <uuid>$(esc "$UUID")</uuid>"

disk_xml=""
if [ -n "${DISK:-}" ]; then
  fmt=${DISK_FORMAT:-}
  if [ -z "$fmt" ]; then case "$DISK" in *.qcow2) fmt=qcow2 ;; *) fmt=raw ;; esac; fi
  disk_xml="
    <disk type='file' device='disk'>
      <driver name='qemu' type='$(esc "$fmt")'/>
      <source file='$(esc "$DISK")'/>
      <target dev='vda' bus='virtio'/>
    </disk>"
fi

net_xml=""
case "${NET:-0}" in
  0) ;;
  1) net_xml="
    <interface type='user'>
      <model type='virtio'/>
    </interface>" ;;
  network:?*) net_xml="
    <interface type='network'>
      <source network='$(esc "${NET#network:}")'/>
      <model type='virtio'/>
    </interface>" ;;
  *) echo "tiny-guest-xml: NET must be 0, 1 or network:NAME, not '$NET'" >&2; exit 1 ;;
esac

VIDEO=${VIDEO:-vga}
case "$VIDEO" in vga|virtio) ;; *) echo "tiny-guest-xml: VIDEO must be vga or virtio, not '$VIDEO'" >&2; exit 1 ;; esac

vdagent_xml=""
[ "${VDAGENT:-0}" = 1 ] && vdagent_xml="
    <channel type='qemu-vdagent'>
      <source>
        <clipboard copypaste='yes'/>
      </source>
      <target type='virtio' name='com.redhat.spice.0'/>
    </channel>"

log_xml=""
if [ -n "${SERIAL_LOG:-}" ] && [ "${SERIAL_LOG}" != 0 ]; then
  lf=$SERIAL_LOG
  [ "$lf" = 1 ] && lf=/var/log/libvirt/qemu/$NAME-serial.log
  log_xml="
      <log file='$(esc "$lf")' append='off'/>"
fi

cat <<EOF
<domain type='qemu'>
  <name>$(esc "$NAME")</name>${uuid_xml}
  <title>Vireo tiny test guest</title>
  <memory unit='MiB'>${MEM_MIB}</memory>
  <vcpu>${VCPUS}</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$(esc "$KERNEL")</kernel>
    <initrd>$(esc "$OUT/initramfs.img")</initrd>
    <cmdline>$(esc "$CMDLINE")</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>${disk_xml}${net_xml}
    <serial type='pty'>${log_xml}
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>${vdagent_xml}
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video>
      <model type='${VIDEO}'/>
    </video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
