import { eventTypes, type EventType } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrorsOf, isForbidden } from '../api-errors.ts';
import { TextField } from '../forms/text-field.tsx';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';

type Endpoint = RouterOutputs['admin']['webhooks']['list'][number];
type Delivery = RouterOutputs['admin']['webhooks']['deliveries']['items'][number];

const statusLabels: Record<Delivery['status'], string> = { pending: 'Retrying', sending: 'Sending', sent: 'Delivered', failed: 'Failed' };
// The order badges' colours: delivered green, waiting amber, failed red.
const statusBadges: Record<Delivery['status'], string> = { pending: 'pending', sending: 'pending', sent: 'delivered', failed: 'failed' };

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Where the shop's events are POSTed (signed, Standard Webhooks), each endpoint's delivery log, and a form for a new one. */
export function AdminWebhooks() {
  const endpoints = trpc.admin.webhooks.list.useQuery();
  // A secret just made (create, rotate): shown this once.
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

  if (endpoints.isPending) return <PageLoading />;
  if (endpoints.isError) {
    if (isForbidden(endpoints.error)) return <AdminsOnly error={endpoints.error} />;
    return <LoadFailed message="The webhook endpoints could not be loaded." onRetry={() => void endpoints.refetch()} />;
  }
  return (
    <div className="admin-section">
      <h2 className="section-heading">Webhooks</h2>
      <p className="muted">
        The shop POSTs its events to these URLs, signed in the Standard Webhooks format (verify them with the <code>standardwebhooks</code> library and the
        endpoint’s secret). A delivery that fails is tried again, up to 10 times over about three hours; each attempt is in the endpoint’s log.
      </p>
      {secret ? (
        <div className="banner" role="status" data-testid="webhook-secret">
          <p>
            The signing secret of {secret.url}. Copy it now: it is not shown again (rotate it to get a new one).
          </p>
          <p>
            <code className="discount-code">{secret.secret}</code>
          </p>
          <button type="button" className="button button--quiet button--small" onClick={() => setSecret(null)}>
            Hide the secret
          </button>
        </div>
      ) : null}
      <NewEndpointForm onCreated={(url, made) => setSecret({ url, secret: made })} />
      {endpoints.data.length === 0 ? (
        <div className="notice">
          <p>No endpoints yet: add one above.</p>
        </div>
      ) : (
        endpoints.data.map((endpoint) => <EndpointCard key={endpoint.id} endpoint={endpoint} onSecret={(made) => setSecret({ url: endpoint.url, secret: made })} />)
      )}
    </div>
  );
}

function NewEndpointForm({ onCreated }: { onCreated: (url: string, secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<EventType[]>([]);
  const utils = trpc.useUtils();
  const create = trpc.admin.webhooks.create.useMutation();
  const fields = create.error ? fieldErrorsOf(create.error) : {};

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      const made = await create.mutateAsync({ url, description, eventTypes: all ? 'all' : chosen });
      void utils.admin.webhooks.list.invalidate();
      showNotice({ tone: 'success', title: `Endpoint ${made.endpoint.url} created` });
      onCreated(made.endpoint.url, made.secret);
      setUrl('');
      setDescription('');
    } catch {
      // Shown beside the fields below.
    }
  }

  const toggle = (type: EventType, on: boolean) => setChosen((current) => (on ? [...current, type] : current.filter((other) => other !== type)));
  const typeError = fields.eventTypes?.[0];
  return (
    <form className="admin-panel" onSubmit={(event) => void submit(event)} aria-labelledby="new-webhook-heading" noValidate>
      <h3 id="new-webhook-heading">New endpoint</h3>
      <TextField label="URL" type="url" required placeholder="https://example.com/webhooks/shop" value={url} onChange={(event) => setUrl(event.target.value)} error={fields.url?.[0]} />
      <TextField label="Description" value={description} maxLength={200} onChange={(event) => setDescription(event.target.value)} error={fields.description?.[0]} />
      <fieldset className="fieldset">
        <legend>Events</legend>
        <label className="field-inline field-inline--check">
          <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} />
          All events, also those added later
        </label>
        {all
          ? null
          : eventTypes.map((type) => (
              <label key={type} className="field-inline field-inline--check">
                <input type="checkbox" checked={chosen.includes(type)} onChange={(event) => toggle(type, event.target.checked)} />
                <code>{type}</code>
              </label>
            ))}
        {typeError ? <p className="field-error">{typeError}</p> : null}
      </fieldset>
      {create.error && Object.keys(fields).length === 0 ? (
        <p className="field-error" role="alert">
          {errorMessage(create.error)}
        </p>
      ) : null}
      <div className="inline-form">
        <button type="submit" className="button" disabled={create.isPending}>
          Add endpoint
        </button>
      </div>
    </form>
  );
}

function EndpointCard({ endpoint, onSecret }: { endpoint: Endpoint; onSecret: (secret: string) => void }) {
  const [confirming, setConfirming] = useState(false);
  const utils = trpc.useUtils();
  const refresh = () => void utils.admin.webhooks.invalidate();
  const update = trpc.admin.webhooks.update.useMutation({ onSuccess: refresh });
  const remove = trpc.admin.webhooks.delete.useMutation({
    onSuccess: () => {
      refresh();
      showNotice({ tone: 'success', title: `Endpoint ${endpoint.url} deleted` });
    },
  });
  const rotate = trpc.admin.webhooks.rotateSecret.useMutation({
    onSuccess: (rotated) => {
      refresh();
      onSecret(rotated.secret);
    },
  });
  const test = trpc.admin.webhooks.test.useMutation({
    onSuccess: () => {
      refresh();
      showNotice({ tone: 'success', title: `A test event is on its way to ${endpoint.url}` });
    },
  });
  const failure = update.error ?? remove.error ?? rotate.error ?? test.error;
  const headingId = `webhook-${endpoint.id}`;
  return (
    <section className="admin-panel" aria-labelledby={headingId} data-endpoint={endpoint.url}>
      <div className="zone-card-header">
        <h3 id={headingId}>
          <code>{endpoint.url}</code>
        </h3>
        <span className={`status-badge status-badge--${endpoint.enabled ? 'delivered' : 'cancelled'}`} data-testid="endpoint-status">
          {endpoint.enabled ? 'Enabled' : 'Disabled'}
        </span>
      </div>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      <p className="muted">Events: {endpoint.eventTypes === 'all' ? 'all' : endpoint.eventTypes.join(', ')}</p>
      {endpoint.disabledReason ? <p className="banner banner--warning">{endpoint.disabledReason}</p> : null}
      {endpoint.previousSecretUntil ? <p className="muted">The previous secret also signs until {when(endpoint.previousSecretUntil)}.</p> : null}
      <div className="inline-form">
        <button type="button" className="button button--small" disabled={test.isPending} onClick={() => test.mutate({ endpointId: endpoint.id })}>
          Send test event
        </button>
        <button type="button" className="button button--quiet button--small" disabled={update.isPending} onClick={() => update.mutate({ endpointId: endpoint.id, enabled: !endpoint.enabled })}>
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="button button--quiet button--small" disabled={rotate.isPending} onClick={() => rotate.mutate({ endpointId: endpoint.id })}>
          Rotate secret
        </button>
        {confirming ? (
          <>
            <button type="button" className="button button--danger button--small" disabled={remove.isPending} onClick={() => remove.mutate({ endpointId: endpoint.id })}>
              Delete this endpoint for good
            </button>
            <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {failure ? (
        <p className="field-error" role="alert">
          {errorMessage(failure)}
        </p>
      ) : null}
      <DeliveryLog endpointId={endpoint.id} />
    </section>
  );
}

function DeliveryLog({ endpointId }: { endpointId: string }) {
  // Retries happen behind the page: it looks again every few seconds.
  const deliveries = trpc.admin.webhooks.deliveries.useQuery({ endpointId, limit: 20 }, { refetchInterval: 2000 });
  const utils = trpc.useUtils();
  const redeliver = trpc.admin.webhooks.redeliver.useMutation({
    onSuccess: () => {
      void utils.admin.webhooks.deliveries.invalidate({ endpointId });
      showNotice({ tone: 'success', title: 'Sent again, with the same webhook-id' });
    },
  });
  if (deliveries.isPending) return <PageLoading />;
  if (deliveries.isError) return <LoadFailed message="The delivery log could not be loaded." onRetry={() => void deliveries.refetch()} />;
  if (deliveries.data.items.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <div className="table-scroll">
      <table className="admin-table">
        <caption className="visually-hidden">Deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Response</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last attempt</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.data.items.map((delivery) => {
            const last = delivery.log[0];
            return (
              <tr key={delivery.id} data-delivery={delivery.id} data-event-type={delivery.eventType}>
                <th scope="row">
                  <code>{delivery.eventType}</code>
                  <span className="muted admin-sub">
                    {delivery.eventId}
                    {delivery.redelivery ? ` · redelivery ${delivery.redelivery}` : ''}
                  </span>
                </th>
                <td>
                  <span className={`status-badge status-badge--${statusBadges[delivery.status]}`} data-testid="delivery-status">
                    {statusLabels[delivery.status]}
                  </span>
                </td>
                <td>
                  <span data-testid="delivery-code">{last ? (last.status ?? 'no answer') : '—'}</span>
                  {last?.error ? <span className="muted admin-sub">{last.error}</span> : null}
                  {last ? <span className="muted admin-sub">{last.durationMs} ms</span> : null}
                </td>
                <td className="numeric">{delivery.attempts}</td>
                <td>
                  {last ? when(last.at) : '—'}
                  {delivery.nextAttemptAt ? <span className="muted admin-sub">next {when(delivery.nextAttemptAt)}</span> : null}
                </td>
                <td>
                  <button type="button" className="button button--quiet button--small" disabled={redeliver.isPending} onClick={() => redeliver.mutate({ deliveryId: delivery.id })}>
                    Redeliver<span className="visually-hidden"> {delivery.eventId}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
