// Validated shapes of what comes from registries and archives (untrusted).
import { z } from 'zod';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected a sha256 digest');

export const Descriptor = z.object({
  mediaType: z.string().max(255).optional(),
  digest,
  size: z.number().int().nonnegative(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).loose().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
}).loose();
export type Descriptor = z.infer<typeof Descriptor>;

export const Index = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(Descriptor).max(4096),
  annotations: z.record(z.string(), z.string()).optional(),
}).loose();
export type Index = z.infer<typeof Index>;

export const Manifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor).max(1024),
  annotations: z.record(z.string(), z.string()).optional(),
}).loose();
export type Manifest = z.infer<typeof Manifest>;

const strList = z.array(z.string()).nullish();
export const ImageConfigSchema = z.object({
  architecture: z.string().default('amd64'),
  os: z.string().default('linux'),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  config: z.object({
    User: z.string().optional(),
    ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
    Env: strList,
    Entrypoint: strList,
    Cmd: strList,
    Volumes: z.record(z.string(), z.unknown()).nullish(),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    StopSignal: z.string().optional(),
    Healthcheck: z.object({
      Test: strList, Interval: z.number().optional(), Timeout: z.number().optional(),
      Retries: z.number().optional(), StartPeriod: z.number().optional(),
    }).loose().nullish(),
  }).loose().nullish(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(digest).max(1024) }),
  history: z.array(z.object({
    created: z.string().optional(),
    created_by: z.string().optional(),
    author: z.string().optional(),
    comment: z.string().optional(),
    empty_layer: z.boolean().optional(),
  }).loose()).optional(),
}).loose();
export type OciImageConfig = z.infer<typeof ImageConfigSchema>;

/** docker-archive `manifest.json`. */
export const DockerArchiveManifest = z.array(z.object({
  Config: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  Layers: z.array(z.string()).max(1024),
}).loose()).max(1024);

/** Parses JSON bytes against a schema; the message names `what` and the first problem. */
export function parseJson<T>(schema: z.ZodType<T>, bytes: Buffer | string, what: string, onError: (msg: string) => Error): T {
  let raw: unknown;
  try { raw = JSON.parse(bytes.toString()); } catch (e) { throw onError(`${what} is not valid JSON (${(e as Error).message})`); }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw onError(`${what} is malformed: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function isIndexMediaType(mt?: string): boolean {
  return mt === MT.ociIndex || mt === MT.dockerList;
}
