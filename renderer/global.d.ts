import type { VireoBridge } from '../shared/api/bridge.js';

declare global {
  interface Window {
    /** Present in Electron, exposed by the preload; absent in a plain browser. */
    vireo?: VireoBridge;
  }
}
