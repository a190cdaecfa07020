// A Node Duplex over a NativeStream (console, volume upload/download).
import { Duplex, type DuplexOptions } from 'node:stream';
import { callbackify } from 'node:util';
import type { LibvirtError, NativeStream } from './index.js';

export interface ToDuplexOptions {
  /**
   * false for a write-only stream (volUpload): the readable side starts ended, so
   * pipeline(source, duplex) completes once the upload finished. Default true.
   */
  readable?: boolean;
  /** false for a read-only stream (volDownload): the writable side starts ended. Default true. */
  writable?: boolean;
  /** Readable-side buffer before the native stream is paused (bytes). Default 256 KiB. */
  readableHighWaterMark?: number;
}

/**
 * Wraps a NativeStream in a Duplex. Reading starts on the first read (so an upload never reads);
 * when push() reports a full buffer the native stream is paused until the next _read.
 * Each write completes once libvirt took the bytes; end() finishes the stream (virStreamFinish)
 * and destroy() aborts it (virStreamAbort). A native error destroys the Duplex with that
 * LibvirtError. When the peer ends the stream (EOF), the writable side ends too (no half-open).
 *
 * Note: over remote connections (qemu:///system included) libvirt's client library reads stream
 * data off the socket whether or not anyone reads it, so pausing bounds Vireo's buffers but not
 * libvirt's: download large volumes in offset/length windows when the consumer may be slow.
 */
export function toDuplex(stream: NativeStream, opts: ToDuplexOptions = {}): Duplex {
  let started = false;
  let paused = false;
  let ended = false; // the native stream ended (EOF, error, finish, abort)

  const onData = (chunk: Buffer | null): void => {
    if (chunk === null) {
      ended = true;
      duplex.push(null);
      return;
    }
    if (!duplex.push(chunk) && !paused && !duplex.destroyed) {
      paused = true;
      stream.pause();
    }
  };
  const onError = (err: LibvirtError): void => {
    ended = true;
    duplex.destroy(err);
  };

  const write = callbackify((chunk: Buffer) => stream.write(chunk));
  const finish = callbackify(async () => {
    if (ended) return; // the peer ended the stream (EOF): nothing to finish
    await stream.finish();
    ended = true;
    duplex.push(null); // closed natively: nothing more will be read
  });
  const abort = callbackify(async () => {
    if (ended) return;
    ended = true;
    await stream.abort().catch(() => undefined);
  });

  // `readable`/`writable` exist since Node 14 but are missing from @types/node's DuplexOptions.
  const options: DuplexOptions & { readable: boolean; writable: boolean } = {
    readable: opts.readable ?? true,
    writable: opts.writable ?? true,
    allowHalfOpen: false,
    readableHighWaterMark: opts.readableHighWaterMark ?? 256 * 1024,
    read() {
      if (!started) {
        started = true;
        stream.start(onData, onError);
      } else if (paused) {
        paused = false;
        stream.resume();
      }
    },
    write(chunk: Buffer, _encoding, callback) {
      write(chunk, (err) => callback(err));
    },
    final(callback) {
      finish((err) => callback(err));
    },
    destroy(err, callback) {
      abort(() => callback(err));
    },
  };
  const duplex = new Duplex(options);
  return duplex;
}
