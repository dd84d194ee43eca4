// Image uploads for the merchant admin, and the uploads served back.
//
// A plain Fastify route, not a tRPC procedure: tRPC 11 can take binary input (`octetInputParser`,
// FormData), but only through its own adapter, which buffers a body whole before any limit
// applies; trpc-http.ts, which answers /trpc, reads JSON only. Here the body is the file's bytes
// as they are (no multipart to parse), Fastify refuses more than `maxImageBytes` before reading
// them, and the caller is refused before any of it is read. It authenticates as admin procedures
// do: the context is built by the tRPC endpoint's own `createContext` (the access token from the
// Bearer header or the cookie), `requireAdmin` is `adminProcedure`'s own check (live session, the
// database's role), and the app-wide cross-site guard (cross-site-guard.ts) covers every POST.
import {
  DomainError,
  imageUploadPath,
  isUploadedImageName,
  maxImageBytes,
  requireAdmin,
  storeUploadedImage,
  type Context,
  type ImageStore,
} from '@shop/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendRefusal } from './refusal.ts';
import { imageUploadMediaTypes, registerImageUploadGuard } from './request-guard.ts';

export interface ImageRoutesOptions {
  store: ImageStore;
  createContext: (http: { req: FastifyRequest; res: FastifyReply }) => Promise<Context>;
}

/** Uploads never change under their name (it is the hash of their bytes): browsers and CDNs keep them for good. */
const immutable = 'public, max-age=31536000, immutable';

export async function imageRoutes(scope: FastifyInstance, { store, createContext }: ImageRoutesOptions): Promise<void> {
  registerImageUploadGuard(scope);
  // In this scope only: the body is kept as the bytes it is, whatever image type it declares.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser([...imageUploadMediaTypes], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  scope.post(
    imageUploadPath,
    {
      bodyLimit: maxImageBytes,
      // Before the body is read: who may upload at all.
      onRequest: async (request, reply) => {
        await requireAdmin(await createContext({ req: request, res: reply }));
      },
    },
    async (request) => {
      if (!Buffer.isBuffer(request.body)) throw new DomainError('INVALID_INPUT', "Send the image's bytes as the body");
      const image = await storeUploadedImage(store, request.body);
      request.log.info({ path: image.path, bytes: request.body.byteLength }, 'image uploaded');
      return image;
    },
  );

  scope.get<{ Params: { name: string } }>(`${imageUploadPath}/:name`, async (request, reply) => {
    // Only names an upload is stored under: `..`, slashes (decoded from %2F) and the like never reach the store.
    const image = isUploadedImageName(request.params.name) ? await store.get(request.params.name) : null;
    if (!image) return sendRefusal(reply, new DomainError('NOT_FOUND', 'Image not found'));
    return reply.header('cache-control', immutable).header('content-length', image.size).type(image.contentType).send(image.body);
  });
}
