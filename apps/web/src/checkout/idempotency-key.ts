import { useState } from 'react';

// One purchase attempt has one idempotency key, reused by every retry of it (a double click, a
// network retry, a reload after the connection dropped): the server then answers with the same
// order instead of placing a second one. A new key is taken only after a definite answer.

const storageKey = 'shop:checkout-attempt';

/** A random (version 4) UUID. `crypto.randomUUID` exists only on HTTPS pages; this works on any. */
export function newUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function storedKey(): string {
  const stored = sessionStorage.getItem(storageKey);
  if (stored) return stored;
  const key = newUuid();
  sessionStorage.setItem(storageKey, key);
  return key;
}

/** The current attempt's key (kept in this tab's session storage) and a way to start a new attempt. */
export function useIdempotencyKey(): { key: string; renew: () => void } {
  const [key, setKey] = useState(storedKey);
  return {
    key,
    renew() {
      const next = newUuid();
      sessionStorage.setItem(storageKey, next);
      setKey(next);
    },
  };
}
