import { apiKeyScopes, type ApiKeyScope } from '@shop/api/schemas';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf, isForbidden } from '../api-errors.ts';
import { formatDateTime } from '../format.ts';
import { TextField } from '../forms/text-field.tsx';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';

type ApiKey = RouterOutputs['admin']['apiKeys']['list'][number];

/** What each scope lets a service do, in the merchant's words. */
const scopeDescriptions: Record<ApiKeyScope, string> = {
  'catalog:write': 'Products and variants: list, create, edit; the catalogue CSV',
  'stock:write': 'Adjust stock (each adjustment records this key)',
  'orders:read': 'Read every order',
  'orders:write': 'Ship, deliver and cancel orders',
  'events:read': 'Follow the shop’s event stream',
};

const expiries = [
  { label: 'Never', days: null },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
  { label: 'In a year', days: 365 },
] as const;

/** Keys for other services: made with their scopes, shown once, listed with when they were last used, revoked. */
export function AdminApiKeys() {
  const keys = trpc.admin.apiKeys.list.useQuery();
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  if (keys.isPending) return <PageLoading />;
  if (keys.isError) {
    if (isForbidden(keys.error)) return <AdminsOnly error={keys.error} />;
    return <LoadFailed message="The API keys could not be loaded." onRetry={() => void keys.refetch()} />;
  }
  return (
    <div className="admin-section">
      <h2 className="section-heading">API keys</h2>
      <p className="muted">
        A key lets another service call the shop’s API (<code>X-Api-Key</code> or <code>Authorization: Bearer</code>) for what its scopes allow, and nothing else: never the
        cart, checkout or a shopper’s account. Only a hash of each key is kept.
      </p>
      {created ? <NewSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} /> : <NewKeyForm onCreated={setCreated} />}
      <KeyList keys={keys.data} />
    </div>
  );
}

function NewKeyForm({ onCreated }: { onCreated: (created: { name: string; secret: string }) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const [expiry, setExpiry] = useState<number | null>(null);
  const [errors, setErrors] = useState<{ name?: string; scopes?: string; form?: string }>({});
  const utils = trpc.useUtils();
  const create = trpc.admin.apiKeys.create.useMutation();
  const headingId = useId();
  const scopesErrorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = { ...(name.trim() === '' ? { name: 'Name the key after the service that will use it' } : {}), ...(scopes.length === 0 ? { scopes: 'Choose at least one scope' } : {}) };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const expiresAt = expiry === null ? undefined : new Date(Date.now() + expiry * 24 * 60 * 60 * 1000).toISOString();
      const { key, secret } = await create.mutateAsync({ name: name.trim(), scopes, ...(expiresAt ? { expiresAt } : {}) });
      void utils.admin.apiKeys.list.invalidate();
      onCreated({ name: key.name, secret });
    } catch (error) {
      const fields = fieldErrorsOf(error);
      setErrors({ name: fields.name?.[0], scopes: fields.scopes?.[0], form: errorMessage(error) });
    }
  }

  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>New key</h3>
      <form className="form form--wide" onSubmit={(event) => void submit(event)} noValidate>
        {errors.form ? (
          <p className="banner banner--error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <TextField label="Name" hint="The service it is for, such as Fulfilment" maxLength={100} value={name} onChange={(event) => setName(event.target.value)} error={errors.name} />
        <fieldset className="fieldset" aria-describedby={errors.scopes ? scopesErrorId : undefined}>
          <legend className="field-label">Scopes</legend>
          {apiKeyScopes.map((scope) => (
            <label key={scope} className="field-inline field-inline--check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(event) => setScopes((current) => (event.target.checked ? [...current, scope] : current.filter((candidate) => candidate !== scope)))}
              />
              <code>{scope}</code> <span className="muted">{scopeDescriptions[scope]}</span>
            </label>
          ))}
          {errors.scopes ? (
            <p id={scopesErrorId} className="field-error">
              {errors.scopes}
            </p>
          ) : null}
        </fieldset>
        <div className="field">
          <label htmlFor={`${headingId}-expiry`} className="field-label">
            Expires
          </label>
          <select id={`${headingId}-expiry`} value={expiry ?? ''} onChange={(event) => setExpiry(event.target.value === '' ? null : Number(event.target.value))}>
            {expiries.map((option) => (
              <option key={option.label} value={option.days ?? ''}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="inline-form">
          <button type="submit" className="button" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The secret, this once: the server keeps only its hash, so it can never be shown again. */
function NewSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const headingId = useId();
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      showNotice({ tone: 'warning', title: 'Could not copy: select the key and copy it yourself' });
    }
  }
  return (
    <section className="admin-panel" aria-labelledby={headingId}>
      <h3 id={headingId}>{name}: your new key</h3>
      <p className="banner banner--warning" role="status">
        Copy the key now and keep it somewhere safe: you will not see it again.
      </p>
      <p>
        <code data-testid="new-api-key">{secret}</code>
      </p>
      <div className="inline-form">
        <button type="button" className="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy key'}
        </button>
        <button type="button" className="button button--quiet" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

function KeyList({ keys }: { keys: ApiKey[] }) {
  // When the list was first shown: what "expired" is judged against.
  const [shownAt] = useState(() => Date.now());
  if (keys.length === 0) return <p className="muted">No keys yet.</p>;
  return (
    <div className="table-scroll">
      <table className="admin-table">
        <caption className="visually-hidden">API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <KeyRow key={key.id} apiKey={key} shownAt={shownAt} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KeyRow({ apiKey, shownAt }: { apiKey: ApiKey; shownAt: number }) {
  const [confirming, setConfirming] = useState(false);
  const utils = trpc.useUtils();
  const revoke = trpc.admin.apiKeys.revoke.useMutation({
    onSuccess: () => {
      void utils.admin.apiKeys.list.invalidate();
      showNotice({ tone: 'success', title: `${apiKey.name} revoked: requests with it are refused from now on` });
    },
  });
  const expired = apiKey.expiresAt !== null && Date.parse(apiKey.expiresAt) <= shownAt;
  return (
    <tr data-api-key={apiKey.name}>
      <th scope="row">{apiKey.name}</th>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>{apiKey.scopes.join(', ')}</td>
      <td>{formatDateTime(apiKey.createdAt)}</td>
      <td>{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : 'Never'}</td>
      <td>
        {apiKey.revokedAt ? (
          `Revoked ${formatDateTime(apiKey.revokedAt)}`
        ) : expired ? (
          'Expired'
        ) : confirming ? (
          <div className="inline-form">
            <button type="button" className="button button--danger button--small" disabled={revoke.isPending} onClick={() => revoke.mutate({ id: apiKey.id })}>
              Revoke {apiKey.name} for good
            </button>
            <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <div className="inline-form">
            {apiKey.expiresAt ? <span className="muted">Expires {formatDateTime(apiKey.expiresAt)}</span> : <span>Active</span>}
            <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(true)}>
              Revoke<span className="visually-hidden"> {apiKey.name}</span>
            </button>
          </div>
        )}
        {revoke.isError ? (
          <p className="field-error" role="alert">
            {errorMessage(revoke.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
