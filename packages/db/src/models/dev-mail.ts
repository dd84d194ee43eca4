import { Schema, type InferSchemaType } from 'mongoose';

/**
 * An email the development mailbox received (no SMTP_URL in development), shown at `/dev/mail`.
 * Keyed by its Message-ID: a message delivered again (a retry after a crash) is kept once.
 */
export const devMailSchema = new Schema(
  {
    _id: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'dev_mailbox', strict: 'throw', versionKey: false },
);
devMailSchema.index({ receivedAt: -1 });

export type DevMailDoc = InferSchemaType<typeof devMailSchema>;
