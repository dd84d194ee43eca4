import { z } from 'zod';
import { limit, objectId, page } from './common.ts';

export const orderListInput = z.strictObject({ page, limit }).default({ page: 1, limit: 20 });
export const orderByIdInput = z.strictObject({ id: objectId });
