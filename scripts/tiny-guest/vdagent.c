// vdagent.c — a minimal SPICE guest agent for the tiny guest: text clipboard only.
//
//   vdagent PORT FIFO OUTFILE
//
// PORT is the virtio-serial port named com.redhat.spice.0 (/dev/vportNpM: the tiny guest has no
// udev to make the /dev/virtio-ports/ link). On the host side sits QEMU's qemu-vdagent chardev,
// which bridges the VNC clipboard to this protocol (QEMU ui/vdagent.c; spice-protocol vd_agent.h).
//
//   guest -> host: text written to FIFO (closed by the writer) becomes the guest clipboard: we grab
//                  the clipboard, and answer QEMU's request for it with the text.
//   host -> guest: when QEMU grabs the clipboard (a VNC client sent text), we request the text and
//                  write it to OUTFILE.
//
// Built static (gcc -static -Os) by scripts/make-tiny-guest.sh: the initramfs has no libc.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// The wire format is little-endian and packed; the guest is x86_64, so plain structs do.
struct chunk_header {
  uint32_t port;
  uint32_t size;
} __attribute__((packed));

struct message_header {
  uint32_t protocol;
  uint32_t type;
  uint64_t opaque;
  uint32_t size;
} __attribute__((packed));

enum { VDP_CLIENT_PORT = 1 };
enum { VD_AGENT_PROTOCOL = 1 };
enum {
  VD_AGENT_CLIPBOARD = 4,
  VD_AGENT_ANNOUNCE_CAPABILITIES = 6,
  VD_AGENT_CLIPBOARD_GRAB = 7,
  VD_AGENT_CLIPBOARD_REQUEST = 8,
  VD_AGENT_CLIPBOARD_RELEASE = 9,
};
enum { VD_AGENT_CAP_CLIPBOARD_BY_DEMAND = 5, VD_AGENT_CAP_CLIPBOARD_SELECTION = 6 };
enum { VD_AGENT_CLIPBOARD_NONE = 0, VD_AGENT_CLIPBOARD_UTF8_TEXT = 1 };
enum { SELECTION_CLIPBOARD = 0 };

// Chunks carry at most this much (spice-protocol's VD_AGENT_MAX_DATA_SIZE, header included).
#define MAX_CHUNK 2048
#define MAX_MESSAGE (1 << 20)

static int port_fd;
static const char *out_path;
static char *guest_text;  // what the guest copied (NULL: nothing)
static size_t guest_text_len;

static void die(const char *what) {
  fprintf(stderr, "vdagent: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void write_all(int fd, const void *buf, size_t len) {
  const uint8_t *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("write to the port");
    p += n;
    len -= (size_t)n;
  }
}

static void send_message(uint32_t type, const void *body, uint32_t body_len) {
  size_t total = sizeof(struct message_header) + body_len;
  uint8_t *msg = malloc(total);
  if (!msg) die("malloc");
  struct message_header h = {.protocol = VD_AGENT_PROTOCOL, .type = type, .opaque = 0, .size = body_len};
  memcpy(msg, &h, sizeof h);
  memcpy(msg + sizeof h, body, body_len);
  for (size_t off = 0; off < total;) {
    size_t n = total - off;
    if (n > MAX_CHUNK - sizeof(struct chunk_header)) n = MAX_CHUNK - sizeof(struct chunk_header);
    struct chunk_header c = {.port = VDP_CLIENT_PORT, .size = (uint32_t)n};
    write_all(port_fd, &c, sizeof c);
    write_all(port_fd, msg + off, n);
    off += n;
  }
  free(msg);
}

static void announce(uint32_t request) {
  uint32_t body[2] = {request, (1u << VD_AGENT_CAP_CLIPBOARD_BY_DEMAND) | (1u << VD_AGENT_CAP_CLIPBOARD_SELECTION)};
  send_message(VD_AGENT_ANNOUNCE_CAPABILITIES, body, sizeof body);
}

// Every clipboard message starts with the selection padded to 4 bytes (we announce
// CLIPBOARD_SELECTION, which makes QEMU send it too), then a type word.
static void send_clipboard_word(uint32_t type, uint32_t word) {
  uint32_t body[2] = {SELECTION_CLIPBOARD, word};
  send_message(type, body, sizeof body);
}

static void send_guest_text(void) {
  uint32_t len = (uint32_t)(guest_text ? guest_text_len : 0);
  uint8_t *body = malloc(8 + len);
  if (!body) die("malloc");
  uint32_t head[2] = {SELECTION_CLIPBOARD, guest_text ? VD_AGENT_CLIPBOARD_UTF8_TEXT : VD_AGENT_CLIPBOARD_NONE};
  memcpy(body, head, 8);
  if (len) memcpy(body + 8, guest_text, len);
  send_message(VD_AGENT_CLIPBOARD, body, 8 + len);
  free(body);
}

// VNC clients send text with CRLF line ends and a trailing NUL (RFB extended clipboard): the
// file gets what a Linux program would expect.
static void save_host_text(const uint8_t *text, size_t len) {
  while (len > 0 && text[len - 1] == 0) len--;
  FILE *f = fopen(out_path, "w");
  if (!f) return;
  for (size_t i = 0; i < len; i++)
    if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) fputc(text[i], f);
  fclose(f);
}

static void handle_message(uint32_t type, const uint8_t *body, uint32_t len) {
  if (type == VD_AGENT_ANNOUNCE_CAPABILITIES) {
    uint32_t request;
    if (len >= 4 && (memcpy(&request, body, 4), request)) announce(0);
    return;
  }
  if (type != VD_AGENT_CLIPBOARD && type != VD_AGENT_CLIPBOARD_GRAB && type != VD_AGENT_CLIPBOARD_REQUEST) return;
  // Only the CLIPBOARD selection: VNC has no other.
  if (len < 4 || body[0] != SELECTION_CLIPBOARD) return;
  body += 4;
  len -= 4;
  uint32_t word = 0;
  if (len >= 4) memcpy(&word, body, 4);
  switch (type) {
    case VD_AGENT_CLIPBOARD_GRAB:  // the host has new text: the grab lists its types; ask for text
      for (uint32_t i = 0; i + 4 <= len; i += 4) {
        memcpy(&word, body + i, 4);
        if (word == VD_AGENT_CLIPBOARD_UTF8_TEXT) {
          send_clipboard_word(VD_AGENT_CLIPBOARD_REQUEST, VD_AGENT_CLIPBOARD_UTF8_TEXT);
          break;
        }
      }
      // The host owns the clipboard now: what the guest copied before is no longer offered.
      free(guest_text);
      guest_text = NULL;
      break;
    case VD_AGENT_CLIPBOARD_REQUEST:  // the host pastes what the guest grabbed
      send_guest_text();
      break;
    case VD_AGENT_CLIPBOARD:  // the text we requested
      if (len >= 4 && word == VD_AGENT_CLIPBOARD_UTF8_TEXT) save_host_text(body + 4, len - 4);
      break;
  }
}

// Messages arrive split into chunks (QEMU sends at most 1 KiB per chunk): reassemble them.
static uint8_t *message;
static size_t message_len;

static void take_chunk_data(const uint8_t *data, size_t len) {
  uint8_t *grown = realloc(message, message_len + len);
  if (!grown) die("realloc");
  message = grown;
  memcpy(message + message_len, data, len);
  message_len += len;
  struct message_header h;
  if (message_len < sizeof h) return;
  memcpy(&h, message, sizeof h);
  if (h.size > MAX_MESSAGE) {  // not a message we could ever take: resynchronise on the next one
    message_len = 0;
    return;
  }
  if (message_len < sizeof h + h.size) return;
  handle_message(h.type, message + sizeof h, h.size);
  message_len = 0;
}

static uint8_t input[MAX_MESSAGE + sizeof(struct chunk_header)];
static size_t input_len;

static void read_port(void) {
  ssize_t n = read(port_fd, input + input_len, sizeof input - input_len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  // 0: the host side is not connected (QEMU not yet up, or gone); wait for it without spinning.
  if (n == 0) {
    usleep(200 * 1000);
    return;
  }
  if (n < 0) die("read from the port");
  input_len += (size_t)n;
  size_t off = 0;
  struct chunk_header c;
  while (input_len - off >= sizeof c) {
    memcpy(&c, input + off, sizeof c);
    if (c.size > MAX_MESSAGE) {  // garbage: drop what we have
      off = input_len;
      break;
    }
    if (input_len - off < sizeof c + c.size) break;
    take_chunk_data(input + off + sizeof c, c.size);
    off += sizeof c + c.size;
  }
  memmove(input, input + off, input_len - off);
  input_len -= off;
}

// The FIFO's writer closing it ends one text (read returns 0): then grab the clipboard with it.
// Opened non-blocking so that waiting for a writer does not block the agent.
static const char *fifo_path;
static int fifo_fd = -1;
static char *pending;
static size_t pending_len;

static void open_fifo(void) {
  fifo_fd = open(fifo_path, O_RDONLY | O_NONBLOCK);
  if (fifo_fd < 0) die("open the fifo");
}

static void read_fifo(void) {
  char buf[4096];
  ssize_t n = read(fifo_fd, buf, sizeof buf);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return;
    die("read the fifo");
  }
  if (n > 0) {
    if (pending_len + (size_t)n > MAX_MESSAGE / 2) return;  // too long for one message: cut
    char *grown = realloc(pending, pending_len + (size_t)n);
    if (!grown) die("realloc");
    pending = grown;
    memcpy(pending + pending_len, buf, (size_t)n);
    pending_len += (size_t)n;
    return;
  }
  close(fifo_fd);
  open_fifo();
  free(guest_text);
  guest_text = pending;
  guest_text_len = pending_len;
  pending = NULL;
  pending_len = 0;
  if (!guest_text) guest_text = calloc(1, 1);
  send_clipboard_word(VD_AGENT_CLIPBOARD_GRAB, VD_AGENT_CLIPBOARD_UTF8_TEXT);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PORT FIFO OUTFILE\n", argv[0]);
    return 2;
  }
  port_fd = open(argv[1], O_RDWR);
  if (port_fd < 0) die(argv[1]);
  fifo_path = argv[2];
  out_path = argv[3];
  if (mkfifo(fifo_path, 0600) < 0 && errno != EEXIST) die("mkfifo");
  open_fifo();
  // QEMU asks for our capabilities when the port opens; announcing them too covers an agent
  // restarted while the port stayed open on the host side.
  announce(1);
  for (;;) {
    struct pollfd fds[2] = {{.fd = port_fd, .events = POLLIN}, {.fd = fifo_fd, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[0].revents) read_port();
    if (fds[1].revents) read_fifo();
  }
}
