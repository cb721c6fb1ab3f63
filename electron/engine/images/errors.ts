// Errors of the image subsystem. Each carries a stable `code` that the API layer maps
// to an HTTP status (ENOIMAGE → 404, EBADREF → 400, EINUSE → 409, others → 500), and a
// message naming the image and the reason, in the user's terms.
export type ImageErrorCode = 'ENOIMAGE' | 'EBADREF' | 'EDIGEST' | 'EAUTH' | 'EREGISTRY' | 'EINUSE' | 'EBADARCHIVE';

export class ImageError extends Error {
  readonly code: ImageErrorCode;
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class ImageNotFoundError extends ImageError {
  constructor(readonly ref: string) { super('ENOIMAGE', `No such image: ${ref}`); }
}
export class BadReferenceError extends ImageError {
  constructor(readonly ref: string, reason: string) { super('EBADREF', `invalid reference "${ref}": ${reason}`); }
}
export class DigestMismatchError extends ImageError {
  constructor(what: string, expected: string, actual: string) {
    super('EDIGEST', `${what}: digest mismatch (expected ${expected}, got ${actual}); nothing was stored`);
  }
}
export class RegistryAuthError extends ImageError {
  constructor(message: string) { super('EAUTH', message); }
}
export class RegistryError extends ImageError {
  constructor(message: string, options?: { cause?: unknown }) { super('EREGISTRY', message, options); }
}
export class ImageInUseError extends ImageError {
  constructor(ref: string, id: string) {
    super('EINUSE', `image ${ref} (${id.slice(7, 19)}) is in use by a container: remove the container first, or force`);
  }
}
export class BadArchiveError extends ImageError {
  constructor(message: string, options?: { cause?: unknown }) { super('EBADARCHIVE', message, options); }
}
