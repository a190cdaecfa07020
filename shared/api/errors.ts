import type { z } from 'zod';
import type { ApiError, ApiErrorIssue } from '../models/error.js';

/**
 * An ApiError as a throwable: the backend throws it for its own failures, and clients reject
 * with it, so callers catch one type whatever went wrong and wherever.
 */
export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly issues: ApiErrorIssue[] | undefined;
  readonly libvirt: ApiError['libvirt'];

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.issues = error.issues;
    this.libvirt = error.libvirt;
  }

  toApiError(): ApiError {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues && { issues: this.issues }),
      ...(this.libvirt && { libvirt: this.libvirt }),
    };
  }
}

export const apiError = (code: ApiError['code'], message: string): ApiCallError => new ApiCallError({ code, message });

/** Shape of the binding's LibvirtError (native/index.ts), checked structurally so shared/ stays free of Node. */
interface LibvirtErrorLike extends Error {
  code: string;
  virCode: number;
  virDomainName: string;
}
const isLibvirtErrorLike = (e: unknown): e is LibvirtErrorLike =>
  e instanceof Error &&
  typeof (e as Partial<LibvirtErrorLike>).virCode === 'number' &&
  typeof (e as Partial<LibvirtErrorLike>).code === 'string' &&
  (e as LibvirtErrorLike).code.startsWith('VIR_ERR_');

/** Anything a handler threw, as the ApiError the client receives. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiCallError) return e.toApiError();
  if (isLibvirtErrorLike(e)) {
    return { code: e.code as `VIR_ERR_${string}`, message: e.message, libvirt: { virCode: e.virCode, virDomainName: e.virDomainName } };
  }
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function invalidInput(what: string, error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
  const details = issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  return { code: 'invalid-input', message: `Invalid params for ${what}: ${details}`, issues };
}
