import { countryName } from '@shop/api/schemas';
import { useState } from 'react';
import { errorMessage, isForbidden } from '../api-errors.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { showNotice } from '../notices/notices.ts';
import { trpc } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { shopCurrency } from './shop-currency.ts';
import { ZoneForm } from './zone-form.tsx';
import { describeRate, type Zone } from './zone-draft.ts';

/** Where the shop ships: each zone's countries and methods, edited in place; a new zone above them. */
export function AdminShipping() {
  const zones = trpc.admin.shipping.zones.list.useQuery();
  // 'new', or the id of the zone being edited.
  const [editing, setEditing] = useState<string | null>(null);

  function doneEditing(focusId: string) {
    setEditing(null);
    requestAnimationFrame(() => document.getElementById(focusId)?.focus());
  }

  if (zones.isPending) return <PageLoading />;
  if (zones.isError) {
    if (isForbidden(zones.error)) return <AdminsOnly error={zones.error} />;
    return <LoadFailed message="The shipping zones could not be loaded." onRetry={() => void zones.refetch()} />;
  }
  const shipped = zones.data.reduce((count, zone) => count + zone.countries.length, 0);
  return (
    <div className="admin-section">
      <h2 className="section-heading">Shipping zones</h2>
      <p className="muted">
        A shopper’s country decides the zone, and the zone the methods offered at checkout. A country is in one zone at most; the shop does not ship to countries in
        none. {zones.data.length === 0 ? 'No zones yet.' : `${zones.data.length} ${zones.data.length === 1 ? 'zone' : 'zones'}, ${shipped} ${shipped === 1 ? 'country' : 'countries'}.`}
      </p>
      {editing === 'new' ? (
        <ZoneForm zone={null} zones={zones.data} onDone={() => doneEditing('new-zone')} />
      ) : (
        <div>
          <button type="button" id="new-zone" className="button" onClick={() => setEditing('new')}>
            New zone
          </button>
        </div>
      )}
      {zones.data.map((zone) =>
        editing === zone.id ? (
          <ZoneForm key={zone.id} zone={zone} zones={zones.data} onDone={() => doneEditing(`edit-zone-${zone.id}`)} />
        ) : (
          <ZoneCard key={zone.id} zone={zone} onEdit={() => setEditing(zone.id)} />
        ),
      )}
    </div>
  );
}

function ZoneCard({ zone, onEdit }: { zone: Zone; onEdit: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const utils = trpc.useUtils();
  const remove = trpc.admin.shipping.zones.delete.useMutation({
    onSuccess: () => {
      void utils.admin.shipping.zones.list.invalidate();
      showNotice({ tone: 'success', title: `${zone.name} deleted: the shop no longer ships to its countries` });
    },
  });
  const headingId = `zone-${zone.id}`;
  return (
    <section className="admin-panel zone-card" aria-labelledby={headingId} data-zone={zone.name}>
      <div className="zone-card-header">
        <h3 id={headingId}>{zone.name}</h3>
        <div className="inline-form">
          <button type="button" id={`edit-zone-${zone.id}`} className="button button--quiet button--small" onClick={onEdit}>
            Edit<span className="visually-hidden"> {zone.name}</span>
          </button>
          {confirming ? (
            <>
              <button type="button" className="button button--danger button--small" disabled={remove.isPending} onClick={() => remove.mutate({ zoneId: zone.id })}>
                Delete {zone.name} for good
              </button>
              <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="button button--quiet button--small" onClick={() => setConfirming(true)}>
              Delete<span className="visually-hidden"> {zone.name}</span>
            </button>
          )}
        </div>
      </div>
      {remove.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      ) : null}
      <p data-testid="zone-countries">
        <span className="muted">
          {zone.countries.length} {zone.countries.length === 1 ? 'country' : 'countries'}:{' '}
        </span>
        {zone.countries
          .map(countryName)
          .sort((a, b) => a.localeCompare(b, 'en'))
          .join(', ')}
      </p>
      {zone.methods.length === 0 ? (
        <p className="banner banner--warning">No shipping methods: shoppers in these countries cannot check out.</p>
      ) : (
        <div className="table-scroll">
          <table className="admin-table methods-table">
            <caption className="visually-hidden">Shipping methods of {zone.name}</caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Price</th>
                <th scope="col">At checkout</th>
              </tr>
            </thead>
            <tbody>
              {zone.methods.map((method) => (
                <tr key={method.id} data-method={method.name}>
                  <th scope="row">{method.name}</th>
                  <td>{describeRate(method.rate, shopCurrency)}</td>
                  <td>{method.active ? 'Offered' : <span className="muted">Not offered</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
