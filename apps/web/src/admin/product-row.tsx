import { updateProductInput } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api-errors.ts';
import { StockBadge } from '../catalog/stock-badge.tsx';
import { fieldErrorsFromIssues } from '../forms/field-errors.ts';
import { moneyInputValue, parseMoney } from '../forms/money-input.ts';
import { formatMoney } from '../format.ts';
import { Link } from '../link.tsx';
import { showNotice } from '../notices/notices.ts';
import { adminProductVariantsHref, productHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { ProductImages } from './product-images.tsx';
import { useStockAdjustment } from './use-stock-adjustment.ts';

type Product = RouterOutputs['admin']['products']['list']['items'][number];

/** "$40.00" or "$40.00–$45.00": what a product's variants cost. */
export function priceRange(variants: readonly { price: number }[], currency: string): string {
  const prices = variants.map((variant) => variant.price);
  if (prices.length === 0) return '';
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high ? formatMoney(low, currency) : `${formatMoney(low, currency)}–${formatMoney(high, currency)}`;
}

/**
 * A product sold in one variant has its price and stock edited in place; one sold in several
 * shows their count, price range and summed stock, and is edited on its variants page.
 */
export function ProductRow({ product }: { product: Product }) {
  const several = product.variants.length > 1 || product.options.length > 0;
  const count = product.variants.length;
  return (
    <tr data-product-id={product.id}>
      <th scope="row">
        <Link href={productHref(product.slug)}>{product.name}</Link>
        <span className="muted admin-sub">{product.category.name}</span>
        <span className="admin-sub">
          <Link href={adminProductVariantsHref(product.id)}>
            {several ? 'Edit variants' : 'Add options'}
            <span className="visually-hidden"> of {product.name}</span>
          </Link>
        </span>
      </th>
      <td>
        {several ? (
          <>
            <span data-testid="admin-price-range">{priceRange(product.variants, product.currency)}</span>
            <span className="muted admin-sub" data-testid="admin-variant-count">
              {count} {count === 1 ? 'variant' : 'variants'}
            </span>
          </>
        ) : (
          <PriceEditor product={product} />
        )}
      </td>
      <td>
        {several ? (
          <div className="inline-form">
            <span className="stock-current" data-testid="admin-stock">
              {product.stock}
            </span>
            <StockBadge product={product} />
            <span className="muted admin-sub">in all</span>
          </div>
        ) : (
          <StockEditor product={product} />
        )}
      </td>
      <td>
        <PicturesEditor product={product} />
      </td>
    </tr>
  );
}

/** Updates the cached lists with what the server answered (the live feed would too, a moment later). */
function useApplyProduct() {
  const utils = trpc.useUtils();
  return () => {
    void utils.admin.products.list.invalidate();
    void utils.catalog.invalidate();
  };
}

function PriceEditor({ product }: { product: Product }) {
  const [text, setText] = useState(() => moneyInputValue(product.price, product.currency));
  const [error, setError] = useState<string | null>(null);
  // The price changed elsewhere (live): follow it, unless an edit is under way.
  const [shownPrice, setShownPrice] = useState(product.price);
  if (product.price !== shownPrice) {
    setShownPrice(product.price);
    if (parseMoney(text, product.currency) === shownPrice) setText(moneyInputValue(product.price, product.currency));
  }
  const applyProduct = useApplyProduct();
  const update = trpc.admin.products.update.useMutation({
    onSuccess: (updated) => {
      applyProduct();
      setText(moneyInputValue(updated.price, updated.currency));
      showNotice({ tone: 'success', title: `${updated.name} now costs ${formatMoney(updated.price, updated.currency)}` });
    },
    onError: (failure) => setError(errorMessage(failure)),
  });
  const price = parseMoney(text, product.currency);
  const changed = price !== product.price;

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = updateProductInput.safeParse({ productId: product.id, price });
    if (price === null || !parsed.success) {
      setError(price === null ? 'Enter an amount like 19.99' : (fieldErrorsFromIssues(parsed.error?.issues ?? []).price ?? 'Not a valid price'));
      return;
    }
    setError(null);
    update.mutate(parsed.data);
  }

  const inputId = `price-${product.id}`;
  return (
    <form className="inline-form" onSubmit={submit}>
      <label htmlFor={inputId} className="visually-hidden">
        Price of {product.name} ({product.currency})
      </label>
      <input
        id={inputId}
        className="input-short"
        inputMode="decimal"
        value={text}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${inputId}-error` : undefined}
      />
      <button type="submit" className="button button--small" disabled={!changed || update.isPending}>
        {update.isPending ? 'Saving…' : 'Save'}
      </button>
      {error ? (
        <p id={`${inputId}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** The product's pictures: an upload or a removal is saved at once. */
function PicturesEditor({ product }: { product: Product }) {
  const [error, setError] = useState<string | null>(null);
  const applyProduct = useApplyProduct();
  const update = trpc.admin.products.update.useMutation({
    onSuccess: (updated, input) => {
      applyProduct();
      const added = (input.images?.length ?? 0) > product.images.length;
      showNotice({ tone: 'success', title: `${updated.name}: picture ${added ? 'added' : 'removed'}` });
    },
    onError: (failure) => setError(errorMessage(failure)),
  });

  function save(images: string[]) {
    setError(null);
    update.mutate({ productId: product.id, images });
  }

  return (
    <>
      <ProductImages images={product.images} name={product.name} onChange={save} busy={update.isPending} compact />
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** Stock changes by a signed amount with a reason, atomically on the server (never below zero). */
function StockEditor({ product }: { product: Product }) {
  const { delta, setDelta, reason, setReason, error, apply, pending } = useStockAdjustment({ productId: product.id }, (updated) =>
    showNotice({ tone: 'success', title: `${updated.name}: ${updated.stock} in stock` }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    apply();
  }

  const id = `stock-${product.id}`;
  return (
    <form className="inline-form stock-editor" onSubmit={submit}>
      <span className="stock-current" data-testid="admin-stock">
        {product.stock}
      </span>
      <StockBadge product={product} />
      <label htmlFor={`${id}-delta`} className="visually-hidden">
        Stock change for {product.name}, for example +5 or -2
      </label>
      <input
        id={`${id}-delta`}
        className="input-short"
        inputMode="numeric"
        placeholder="+5 / −2"
        value={delta}
        onChange={(event) => setDelta(event.target.value)}
      />
      <label htmlFor={`${id}-reason`} className="visually-hidden">
        Reason for the stock change of {product.name}
      </label>
      <input id={`${id}-reason`} placeholder="Reason" value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="submit" className="button button--small" disabled={delta === '' || pending}>
        {pending ? 'Applying…' : 'Apply'}
      </button>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
