import { addSavedAddressInput, maxSavedAddresses, updateSavedAddressInput } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf } from '../api-errors.ts';
import { AddressFields, addressLine, emptyAddress, type AddressDraft } from '../forms/address-fields.tsx';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { PostalAddress } from './order-addresses.tsx';

type SavedAddress = RouterOutputs['account']['addresses']['list'][number];

/** The account's saved addresses: checkout offers them, the default first. */
export function AddressBook() {
  const utils = trpc.useUtils();
  const book = trpc.account.addresses.list.useQuery();
  // Every change answers the whole book: it replaces the cached one.
  const onSuccess = (addresses: SavedAddress[]) => utils.account.addresses.list.setData(undefined, addresses);
  const setDefault = trpc.account.addresses.setDefault.useMutation({ onSuccess });
  const remove = trpc.account.addresses.remove.useMutation({ onSuccess });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const failed = setDefault.error ?? remove.error;

  return (
    <section aria-labelledby="addresses-heading">
      <h2 id="addresses-heading" className="section-heading">
        Your addresses
      </h2>
      {book.isPending ? (
        <PageLoading />
      ) : book.isError ? (
        <LoadFailed message="Your addresses could not be loaded." onRetry={() => void book.refetch()} />
      ) : (
        <>
          {failed ? (
            <p className="form-error" role="alert">
              {errorMessage(failed)}
            </p>
          ) : null}
          {book.data.length === 0 ? <p className="muted">No saved addresses yet. Checkout can save the one you use.</p> : null}
          <ul className="address-list">
            {book.data.map((address) => (
              <li key={address.id} className="address-card">
                {editing === address.id ? (
                  <AddressForm saved={address} onDone={() => setEditing(null)} />
                ) : (
                  <>
                    <p className="radio-card-label">
                      {address.label ?? 'Address'}
                      {address.isDefault ? ' · Default' : ''}
                    </p>
                    <PostalAddress address={address} />
                    <div className="notice-actions">
                      {address.isDefault ? null : (
                        <button type="button" className="button button--quiet" onClick={() => setDefault.mutate({ id: address.id })} disabled={setDefault.isPending}>
                          Make default
                        </button>
                      )}
                      <button type="button" className="button button--quiet" onClick={() => setEditing(address.id)} aria-label={`Edit ${address.label ?? addressLine(address)}`}>
                        Edit
                      </button>
                      <button type="button" className="button button--quiet" onClick={() => remove.mutate({ id: address.id })} disabled={remove.isPending}>
                        Remove
                      </button>
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
          {adding ? (
            <AddressForm onDone={() => setAdding(false)} />
          ) : book.data.length < maxSavedAddresses ? (
            <button type="button" className="button button--quiet" onClick={() => setAdding(true)}>
              Add an address
            </button>
          ) : (
            <p className="field-hint">Your book is full ({maxSavedAddresses} addresses): remove one to add another.</p>
          )}
        </>
      )}
    </section>
  );
}

/** A new address for the book, or (`saved`) one of the book's changed in place. */
function AddressForm({ saved, onDone }: { saved?: SavedAddress; onDone: () => void }) {
  const utils = trpc.useUtils();
  const [draft, setDraft] = useState<AddressDraft>(saved ? draftOf(saved) : emptyAddress);
  const [label, setLabel] = useState(saved?.label ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const onSuccess = (addresses: SavedAddress[]) => {
    utils.account.addresses.list.setData(undefined, addresses);
    onDone();
  };
  const add = trpc.account.addresses.add.useMutation({ onSuccess });
  const update = trpc.account.addresses.update.useMutation({ onSuccess });
  const save = saved ? update : add;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const parsed = saved ? updateSavedAddressInput.safeParse({ id: saved.id, ...draft, label }) : addSavedAddressInput.safeParse({ ...draft, label });
    if (!parsed.success) {
      setErrors(fieldErrorsFromIssues(parsed.error.issues));
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setErrors({});
    if ('id' in parsed.data) update.mutate(parsed.data);
    else add.mutate(parsed.data);
  }

  const shown = { ...(save.isError ? fieldErrorsFromApi(fieldErrorsOf(save.error)) : {}), ...errors };
  return (
    <form className="form form--wide" onSubmit={onSubmit} noValidate aria-label={saved ? 'Edit address' : 'New address'}>
      {save.isError ? (
        <p className="banner banner--error" role="alert">
          {errorMessage(save.error)}
        </p>
      ) : null}
      <TextField label="Label (optional)" name="label" placeholder="Home, Office…" value={label} onChange={(event) => setLabel(event.target.value)} error={shown.label} />
      <AddressFields value={draft} onChange={setDraft} errors={shown} disabled={save.isPending} />
      <div className="notice-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save address'}
        </button>
        <button type="button" className="button button--quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A saved address as the form edits it: every field a string. */
function draftOf(address: SavedAddress): AddressDraft {
  return {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? '',
    city: address.city,
    region: address.region ?? '',
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? '',
  };
}
