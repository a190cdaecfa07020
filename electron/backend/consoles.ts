// Consoles of a VM: the serial/text console over virDomainOpenConsole, the graphics (VNC) bytes
// over virDomainOpenGraphicsFD, screenshots, send-key and the external viewer for SPICE.
//
// How graphics bytes reach Vireo depends on the connection (ConsoleInfo.graphicsTransport):
//  - local (qemu:///system, qemu+unix://): virDomainOpenGraphicsFD hands over a connected socket,
//    whatever the VNC server listens on, even nothing reachable (listen type='none' or a socket);
//  - qemu+ssh:// (libvirt cannot pass an FD over its SSH tunnel): `ssh -W address:port` to the
//    same host with the URI's user, port and keyfile: the VNC port as seen from the host itself;
//  - other remote transports (tls, tcp): a TCP connection to the graphics port on the host.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type ConnectionHandle, type NativeBinding, toDuplex } from '../../native/index.js';
import type { StreamHandle, StreamSink, ValidParams, ValidStreamParams } from '../../shared/api/contract.js';
import { apiError, toApiError } from '../../shared/api/errors.js';
import { type ConsoleInfo, type ConsoleScreenshot, type GraphicsConsoleInfo, type GraphicsTransport, LINUX_KEYS } from '../../shared/models/console.js';
import type { ApiError } from '../../shared/models/error.js';
import type { ConnectionManager } from './connection-manager.js';
import { screenshotToPng } from './consoles-png.js';
import { graphicsOf, graphicsPassword, serialsOf } from './consoles-xml.js';
import { domainStateName } from './domain-state.js';

export interface ConsoleServiceOptions {
  binding: NativeBinding;
  connections: ConnectionManager;
  /** The external viewer for SPICE: a command looked up in PATH, or a path. Default remote-viewer ($VIREO_REMOTE_VIEWER). */
  externalViewer?: string;
  /** The ssh client for graphics over qemu+ssh:// (default ssh). */
  sshCommand?: string;
}

/** The parts of a libvirt URI that say how to reach the host. */
export interface UriTarget {
  transport: GraphicsTransport;
  host: string;
  port: number | null;
  user: string | null;
  keyfile: string | null;
  noVerify: boolean;
}

/** Local when it names no host (or goes over the local UNIX socket). */
export function uriTarget(uri: string): UriTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { transport: 'fd', host: '', port: null, user: null, keyfile: null, noVerify: false };
  }
  const scheme = url.protocol.replace(/:$/, '');
  const via = scheme.includes('+') ? scheme.slice(scheme.indexOf('+') + 1) : null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const base = {
    host,
    port: url.port ? Number(url.port) : null,
    user: url.username ? decodeURIComponent(url.username) : null,
    keyfile: url.searchParams.get('keyfile'),
    noVerify: url.searchParams.get('no_verify') === '1',
  };
  if (!host || via === 'unix') return { ...base, transport: 'fd' };
  if (via === 'ssh' || via === 'libssh' || via === 'libssh2') return { ...base, transport: 'ssh' };
  return { ...base, transport: 'tcp' };
}

/** Where to reach a graphics listen address from the host itself ("0.0.0.0" means any, loopback works). */
const hostSideAddress = (address: string | null): string =>
  !address || address === '0.0.0.0' || address === '::' || address === '[::]' ? '127.0.0.1' : address;
const isLoopback = (address: string) => address === 'localhost' || address.startsWith('127.') || address === '::1';

/** An open byte source of a stream: what the client writes goes in, what it produces goes to the sink. */
interface Pipe {
  handle: StreamHandle;
  /** Ends the stream from our side (connection lost): the client gets `error`. */
  fail(error: ApiError): void;
}

/**
 * Hands bytes to a sink in fewer, larger pieces: what arrives within one turn of the event loop
 * goes out together (at the latest on the next turn, so nothing waits on a timer). A serial
 * console delivers its output a line or a few bytes at a time; one frame per piece would cost the
 * transport (a WebSocket frame, a MessagePort message, a terminal write each) more than the bytes.
 */
export class Coalescer {
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly out: (bytes: Buffer) => void,
    private readonly maxBytes = 256 * 1024,
  ) {}

  push(chunk: Buffer): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= this.maxBytes) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is held now (before an end, so the end follows the last bytes). */
  flush(): void {
    if (this.size === 0) return;
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.out(bytes);
  }
}

/** A Duplex (console, socket) feeding a sink; ends the sink exactly once. */
/** The sink side of a pipe: bytes grouped per event-loop turn, then one end after the last of them. */
function sinkSide(sink: StreamSink, onEnd: () => void): { readonly ended: boolean; push(chunk: Buffer): void; end(error: ApiError | null): void } {
  let ended = false;
  const out = new Coalescer((bytes) => sink.data(bytes));
  return {
    get ended() {
      return ended;
    },
    push: (chunk) => {
      if (!ended) out.push(chunk);
    },
    end: (error) => {
      if (ended) return;
      ended = true;
      out.flush();
      onEnd();
      sink.end(error);
    },
  };
}

function pipeDuplex(duplex: Duplex, sink: StreamSink, onEnd: () => void, describeError: (e: Error) => ApiError = toApiError): Pipe {
  const out = sinkSide(sink, onEnd);
  const end = out.end;
  duplex.on('data', out.push);
  duplex.on('error', (e: Error) => end(describeError(e)));
  duplex.on('close', () => end(null));
  duplex.on('end', () => end(null));
  return {
    handle: {
      write: (bytes) => {
        if (!out.ended && !duplex.destroyed && duplex.writable) duplex.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
      close: () => {
        end(null);
        duplex.destroy();
      },
      pause: () => duplex.pause(),
      resume: () => duplex.resume(),
    },
    fail: (error) => {
      end(error);
      duplex.destroy();
    },
  };
}

/** A child process's stdio (ssh -W) feeding a sink; a failed exit ends it with the process's complaint. */
function pipeProcess(child: ChildProcess, sink: StreamSink, what: string, onEnd: () => void): Pipe {
  let stderr = '';
  const out = sinkSide(sink, onEnd);
  const end = out.end;
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-2000);
  });
  child.stdout?.on('data', out.push);
  child.stdin?.on('error', () => undefined); // EPIPE once the process is gone: 'exit' reports it
  child.once('error', (e) => end({ code: 'internal', message: `${what} could not start: ${e.message}` }));
  child.once('exit', (code, signal) => {
    if (code === 0 || signal === 'SIGTERM') return end(null);
    end({ code: 'internal', message: `${what} ended (${code === null ? signal : `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}` });
  });
  return {
    handle: {
      write: (bytes) => {
        if (!out.ended && child.stdin?.writable) child.stdin.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      },
      close: () => {
        end(null);
        child.kill('SIGTERM');
      },
      pause: () => child.stdout?.pause(),
      resume: () => child.stdout?.resume(),
    },
    fail: (error) => {
      end(error);
      child.kill('SIGTERM');
    },
  };
}

/** The path of `command` when it is an executable file in PATH (or a path to one), else null. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = isAbsolute(command) || command.includes('/') ? [command] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const path of candidates) {
    try {
      accessSync(path, fsConstants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export class ConsoleService {
  private readonly lv: NativeBinding;
  private readonly connections: ConnectionManager;
  private readonly viewer: string;
  private readonly ssh: string;
  /** Open streams per connection, ended when the connection goes away. */
  private readonly open = new Map<string, Set<Pipe>>();
  /** Local forwarders serving external viewers of remote guests, stopped when the viewer exits. */
  private readonly forwarders = new Set<net.Server>();

  constructor(options: ConsoleServiceOptions) {
    this.lv = options.binding;
    this.connections = options.connections;
    this.viewer = options.externalViewer ?? process.env.VIREO_REMOTE_VIEWER ?? 'remote-viewer';
    this.ssh = options.sshCommand ?? 'ssh';
    this.connections.lifecycle.on('disconnected', (connectionId) => {
      const pipes = this.open.get(connectionId);
      this.open.delete(connectionId);
      for (const pipe of pipes ?? []) pipe.fail({ code: 'not-connected', message: 'The connection to libvirt was closed' });
    });
  }

  private conn(connectionId: string): ConnectionHandle {
    return this.connections.requireHandle(connectionId);
  }

  private track(connectionId: string, make: (untrack: () => void) => Pipe): StreamHandle {
    let set = this.open.get(connectionId);
    if (!set) this.open.set(connectionId, (set = new Set()));
    const pipes = set;
    let pipe: Pipe | undefined;
    let ended = false;
    pipe = make(() => {
      ended = true;
      if (pipe) pipes.delete(pipe);
    });
    if (!ended) pipes.add(pipe);
    return pipe.handle;
  }

  private async secureXml(conn: ConnectionHandle, uuid: string): Promise<string> {
    // A read-only connection may not read secure XML: then passwords are simply not known.
    return this.lv.domainGetXML(conn, uuid, { secure: true }).catch(() => this.lv.domainGetXML(conn, uuid));
  }

  async info({ connectionId, uuid }: ValidParams<'consoles.info'>): Promise<ConsoleInfo> {
    const conn = this.conn(connectionId);
    const [ref, state, xml] = await Promise.all([this.lv.domainLookup(conn, uuid), this.lv.domainGetState(conn, uuid), this.secureXml(conn, uuid)]);
    return {
      connectionId,
      uuid: ref.uuid,
      name: ref.name,
      state: domainStateName(state.state),
      graphics: graphicsOf(xml),
      serials: serialsOf(xml),
      graphicsTransport: uriTarget(this.connections.info(connectionId).uri).transport,
      externalViewer: { command: this.viewer, available: findExecutable(this.viewer) !== null },
    };
  }

  async screenshot({ connectionId, uuid, screen }: ValidParams<'consoles.screenshot'>): Promise<ConsoleScreenshot> {
    const shot = await this.lv.domainScreenshot(this.conn(connectionId), uuid, screen);
    const { png, width, height } = screenshotToPng(shot.mimeType, shot.data);
    return { mimeType: 'image/png', width, height, dataBase64: png.toString('base64') };
  }

  async sendKeys({ connectionId, uuid, keys, holdMs }: ValidParams<'consoles.sendKeys'>): Promise<void> {
    const codes = keys.map((k) => LINUX_KEYS[k]!);
    await this.lv.domainSendKey(this.conn(connectionId), uuid, 'linux', holdMs, codes);
  }

  /** The serial/text console; fails with libvirt's "Active console session exists" unless `force`. */
  async openSerial({ connectionId, uuid, device, force }: ValidStreamParams<'console.serial'>, sink: StreamSink): Promise<StreamHandle> {
    const native = await this.lv.domainOpenConsole(this.conn(connectionId), uuid, device, { safe: true, force });
    // A small readable buffer: a paused client pauses the guest's console soon.
    const duplex = toDuplex(native, { readableHighWaterMark: 64 * 1024 });
    return this.track(connectionId, (untrack) => pipeDuplex(duplex, sink, untrack));
  }

  /** The raw bytes of graphics device `index` (an RFB stream for VNC). */
  async openGraphics({ connectionId, uuid, index }: ValidStreamParams<'console.graphics'>, sink: StreamSink): Promise<StreamHandle> {
    const conn = this.conn(connectionId);
    const target = uriTarget(this.connections.info(connectionId).uri);
    if (target.transport === 'fd') {
      const fd = await this.lv.domainOpenGraphicsFD(conn, uuid, index);
      const socket = new net.Socket({ fd, readable: true, writable: true });
      socket.setNoDelay?.(true);
      return this.track(connectionId, (untrack) => pipeDuplex(socket, sink, untrack));
    }
    const graphics = await this.listeningGraphics(conn, uuid, index);
    const address = hostSideAddress(graphics.address);
    if (target.transport === 'ssh') {
      const child = spawn(this.ssh, [...this.sshArgs(target), '-W', `${address.includes(':') ? `[${address}]` : address}:${graphics.port}`, target.host], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      return this.track(connectionId, (untrack) => pipeProcess(child, sink, `ssh -W to ${target.host}`, untrack));
    }
    if (isLoopback(address)) {
      throw apiError(
        'not-implemented',
        `The graphics of this VM listen on ${address} of ${target.host} only, which cannot be reached over a ${target.transport} connection; connect with qemu+ssh:// or make it listen on a reachable address`,
      );
    }
    const socket = net.connect({ host: address, port: graphics.port });
    socket.setNoDelay(true);
    return this.track(connectionId, (untrack) => pipeDuplex(socket, sink, untrack));
  }

  /** A remote guest's graphics device with the TCP port it listens on. */
  private async listeningGraphics(conn: ConnectionHandle, uuid: string, index: number): Promise<GraphicsConsoleInfo & { port: number }> {
    const graphics = graphicsOf(await this.lv.domainGetXML(conn, uuid))[index];
    if (!graphics) throw apiError('not-found', `The VM has no graphics device ${index}`);
    if (graphics.port === null) {
      if (graphics.socket) throw apiError('not-implemented', `Graphics device ${index} listens on a UNIX socket on the remote host (${graphics.socket}); only TCP listens can be reached remotely`);
      throw apiError('not-found', `Graphics device ${index} has no TCP port (is the VM running?)`);
    }
    return { ...graphics, port: graphics.port };
  }

  private sshArgs(target: UriTarget): string[] {
    return [
      '-o', 'BatchMode=yes',
      '-o', 'ExitOnForwardFailure=yes',
      ...(target.noVerify ? ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'] : []),
      ...(target.port ? ['-p', String(target.port)] : []),
      ...(target.user ? ['-l', target.user] : []),
      ...(target.keyfile ? ['-i', target.keyfile] : []),
    ];
  }

  /**
   * Opens graphics device `index` in remote-viewer with a .vv file (password included, the
   * viewer deletes the file once read). For a remote host, remote-viewer gets a local port that
   * forwards every connection it makes (SPICE opens several) the same way openGraphics does.
   */
  async openExternalViewer({ connectionId, uuid, index }: ValidParams<'consoles.openExternalViewer'>): Promise<void> {
    const viewer = findExecutable(this.viewer);
    if (!viewer) throw apiError('not-found', `${this.viewer} is not installed (Debian: apt install virt-viewer)`);
    const conn = this.conn(connectionId);
    const [ref, xml] = await Promise.all([this.lv.domainLookup(conn, uuid), this.secureXml(conn, uuid)]);
    const graphics = graphicsOf(xml)[index];
    if (!graphics) throw apiError('not-found', `The VM has no graphics device ${index}`);
    if (graphics.type !== 'spice' && graphics.type !== 'vnc') throw apiError('not-implemented', `remote-viewer cannot show ${graphics.type} graphics`);
    if (graphics.port === null) {
      throw apiError('not-found', graphics.tlsPort ? 'This device only listens with TLS, which Vireo cannot hand to remote-viewer yet' : 'The graphics device has no TCP port (is the VM running?)');
    }
    const target = uriTarget(this.connections.info(connectionId).uri);
    let host = hostSideAddress(graphics.address);
    let port = graphics.port;
    let forwarder: net.Server | null = null;
    if (target.transport !== 'fd') {
      forwarder = await this.forward(connectionId, uuid, index);
      host = '127.0.0.1';
      port = (forwarder.address() as net.AddressInfo).port;
    }
    const dir = await mkdtemp(join(tmpdir(), 'vireo-viewer-'));
    const file = join(dir, `${ref.name.replace(/[^\w.-]/g, '_')}.vv`);
    const password = graphicsPassword(xml, index);
    const lines = [
      '[virt-viewer]',
      `type=${graphics.type}`,
      `host=${host}`,
      `port=${port}`,
      ...(password ? [`password=${password}`] : []),
      `title=${ref.name} (Vireo)`,
      'delete-this-file=1',
    ];
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    const child = spawn(viewer, [file], { stdio: 'ignore', detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(apiError('internal', `${this.viewer} could not start: ${e.message}`)));
    }).catch(async (e: unknown) => {
      forwarder?.close();
      await rm(dir, { recursive: true, force: true });
      throw e;
    });
    child.once('exit', () => {
      // The viewer deletes the file itself; the folder and any forwarder go with the viewer.
      void rm(dir, { recursive: true, force: true });
      if (forwarder) {
        this.forwarders.delete(forwarder);
        forwarder.close();
      }
    });
    child.unref();
  }

  /** A listener on 127.0.0.1 whose every connection is a graphics stream of the VM. */
  private async forward(connectionId: string, uuid: string, index: number): Promise<net.Server> {
    const server = net.createServer((client) => {
      client.pause();
      const toClient: StreamSink = {
        data: (bytes) => client.write(bytes),
        end: () => client.end(),
      };
      void this.bridgeClient(client, toClient, { connectionId, uuid, index });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.forwarders.add(server);
    return server;
  }

  private async bridgeClient(client: net.Socket, toClient: StreamSink, target: ValidStreamParams<'console.graphics'>): Promise<void> {
    let handle: StreamHandle;
    try {
      handle = await this.openGraphics(target, toClient);
    } catch {
      client.destroy();
      return;
    }
    client.on('data', (b: Buffer) => handle.write(b));
    client.on('close', () => handle.close());
    client.on('error', () => handle.close());
    client.resume();
  }

  dispose(): void {
    for (const [, pipes] of this.open) for (const pipe of pipes) pipe.fail({ code: 'transport-closed', message: 'Vireo is shutting down' });
    this.open.clear();
    for (const server of this.forwarders) server.close();
    this.forwarders.clear();
  }
}
