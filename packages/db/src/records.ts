// Types of documents as the services read them, derived from the Mongoose schemas: never a
// hand-written copy of a document's shape.
import type { InferRawDocTypeFromSchema, Schema, Types } from 'mongoose';

/** A document as `.lean()` returns it: the schema's raw type (plain arrays and subdocuments) and its `_id`. */
export type LeanRecord<TSchema extends Schema> = InferRawDocTypeFromSchema<TSchema> & { _id: Types.ObjectId };

/** What a projection (`{ status: 1, lines: 1 }`) reads of a lean record: those fields and `_id`. */
export type Projected<TRecord extends { _id: Types.ObjectId }, TProjection> = Pick<TRecord, Extract<keyof TProjection, keyof TRecord> | '_id'>;
