import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, isForbidden } from '../api-errors.ts';
import { Pagination } from '../catalog/pagination.tsx';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { useSearch } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { adminDiscountsHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { DiscountForm } from './discount-form.tsx';
import { discountAmountLabel, discountMinimumLabel, discountStatusLabels, discountUsesLabel, discountWindowLabel, type Discount } from './discount-draft.ts';
import { shopCurrency } from './shop-currency.ts';
import { AdminSearch } from './admin-search.tsx';

const perPage = 20;

function discountsHref(q: string, page: number): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `${adminDiscountsHref}?${query}` : adminDiscountsHref;
}

const editButtonId = (discount: Pick<Discount, 'id'>) => `edit-discount-${discount.id}`;

/** The shop's discount codes: what each takes off, when, how often it was used, and its status; new ones and edits below. */
export function AdminDiscounts() {
  const params = new URLSearchParams(useSearch());
  const q = params.get('q')?.trim().slice(0, 32) ?? '';
  const pageParam = Number(params.get('page'));
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  const discounts = trpc.admin.discounts.list.useQuery({ q: q || undefined, page, limit: perPage }, { placeholderData: keepPreviousData });
  const [editing, setEditing] = useState<Discount | null>(null);

  function doneEditing() {
    const edited = editing;
    setEditing(null);
    // Back to where the merchant was: the row's Edit button.
    if (edited) requestAnimationFrame(() => document.getElementById(editButtonId(edited))?.focus());
  }

  if (discounts.isError && isForbidden(discounts.error)) return <AdminsOnly error={discounts.error} />;
  return (
    <div className="admin-section">
      <h2 className="section-heading">Discount codes</h2>
      <AdminSearch id="admin-discount-search" label="Search codes" q={q} maxLength={32} hrefFor={(text) => discountsHref(text, 1)} />
      {discounts.isPending ? (
        <PageLoading />
      ) : discounts.isError ? (
        <LoadFailed message="The discount codes could not be loaded." onRetry={() => void discounts.refetch()} />
      ) : discounts.data.items.length === 0 ? (
        <div className="notice">
          <p>{q ? `No code starts with “${q}”.` : 'No discount codes yet: create one below.'}</p>
        </div>
      ) : (
        <>
          <div className="table-scroll">
            <table className="admin-table discounts-table">
              <caption className="visually-hidden">Discount codes</caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Discount</th>
                  <th scope="col">When</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {discounts.data.items.map((discount) => (
                  <DiscountRow key={discount.id} discount={discount} editing={editing?.id === discount.id} onEdit={() => setEditing(discount)} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pageCount={Math.max(1, Math.ceil(discounts.data.total / perPage))} hrefFor={(target) => discountsHref(q, target)} />
        </>
      )}
      <DiscountForm key={editing?.id ?? 'new'} discount={editing} onDone={doneEditing} />
    </div>
  );
}

function DiscountRow({ discount, editing, onEdit }: { discount: Discount; editing: boolean; onEdit: () => void }) {
  const utils = trpc.useUtils();
  const onSuccess = (updated: Discount) => {
    void utils.admin.discounts.list.invalidate();
    showNotice({ tone: 'success', title: `${updated.code} is ${updated.disabled ? 'disabled: shoppers can no longer use it' : 'enabled again'}` });
  };
  const disable = trpc.admin.discounts.disable.useMutation({ onSuccess });
  const enable = trpc.admin.discounts.update.useMutation({ onSuccess });
  const { uses, perCustomer } = discountUsesLabel(discount);
  const failure = disable.error ?? enable.error;
  return (
    <tr data-discount={discount.code}>
      <th scope="row">
        <span className="discount-code">{discount.code}</span>
      </th>
      <td>
        {discountAmountLabel(discount, shopCurrency)}
        <span className="muted admin-sub">{discountMinimumLabel(discount, shopCurrency)}</span>
      </td>
      <td>{discountWindowLabel(discount)}</td>
      <td>
        <span data-testid="discount-uses">{uses}</span>
        {perCustomer ? <span className="muted admin-sub">{perCustomer}</span> : null}
      </td>
      <td>
        <span className={`status-badge status-badge--discount-${discount.status}`} data-testid="discount-status">
          {discountStatusLabels[discount.status]}
        </span>
      </td>
      <td>
        <div className="inline-form">
          <button type="button" id={editButtonId(discount)} className="button button--quiet button--small" onClick={onEdit} disabled={editing}>
            Edit<span className="visually-hidden"> {discount.code}</span>
          </button>
          {discount.disabled ? (
            <button
              type="button"
              className="button button--quiet button--small"
              disabled={enable.isPending}
              onClick={() => enable.mutate({ discountId: discount.id, disabled: false })}
            >
              Enable<span className="visually-hidden"> {discount.code}</span>
            </button>
          ) : (
            <button type="button" className="button button--quiet button--small" disabled={disable.isPending} onClick={() => disable.mutate({ discountId: discount.id })}>
              Disable<span className="visually-hidden"> {discount.code}</span>
            </button>
          )}
          {failure ? (
            <p className="field-error" role="alert">
              {errorMessage(failure)}
            </p>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
