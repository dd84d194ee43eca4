// Sends a file to the image upload (POST /images/uploads, not a tRPC call: the body is the file's
// bytes) and reads its answer as the API's errors are read elsewhere: a refusal becomes the
// TRPCClientError that `errorMessage` and `domainProblem` understand (api-errors.ts).
import type { AppRouter } from '@shop/api';
import { imageUploadPath, uploadImageTypes } from '@shop/api/protocol';
import { uploadedImage, type UploadedImage } from '@shop/api/schemas';
import { TRPCClientError } from '@trpc/client';
import { isUnauthorized } from '../api-errors.ts';
import { hadSession } from '../account/session-hint.ts';
import { refreshSession } from '../account/session-link.ts';

function isUploadType(type: string): boolean {
  return uploadImageTypes.some((accepted) => accepted === type);
}

async function send(file: Blob): Promise<Response> {
  return fetch(imageUploadPath, {
    method: 'POST',
    // The server reads what the file is from its bytes: the type the browser guessed from the
    // file's name is only a hint, and a name it cannot type goes as plain bytes.
    headers: { 'content-type': isUploadType(file.type) ? file.type : 'application/octet-stream' },
    body: file,
  });
}

async function answerOf(response: Response): Promise<UploadedImage> {
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return uploadedImage.parse(body);
  // Refusals are tRPC error responses; anything else (a proxy's own page) is a failure without a reason.
  throw TRPCClientError.from<AppRouter>(body ?? new Error(`The upload failed (${response.status})`));
}

/** Uploads an image; an expired access token is renewed once from the refresh cookie, as for every API call. */
export async function uploadImage(file: Blob): Promise<UploadedImage> {
  try {
    return await answerOf(await send(file));
  } catch (error) {
    if (!isUnauthorized(error) || !hadSession() || !(await refreshSession())) throw error;
    return answerOf(await send(file));
  }
}
