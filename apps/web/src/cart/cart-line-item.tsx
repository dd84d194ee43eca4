import { maxLineQuantity } from '@shop/api/schemas';
import { errorMessage } from '../api-errors.ts';
import { formatMoney } from '../format.ts';
import { imageSources, shownWidths } from '../images/image-sources.ts';
import { QuantityPicker } from '../forms/quantity-picker.tsx';
import { Link } from '../link.tsx';
import { optionsLabel } from '../product/variant-choice.ts';
import { productHref } from '../routes.ts';
import { lineWarnings } from './line-warnings.ts';
import { useCartMutations, type CartLine } from './use-cart.ts';

/** One line of the cart: change its quantity, remove it, or take the fix a warning offers. */
export function CartLineItem({ line, currency }: { line: CartLine; currency: string }) {
  const { setQuantity, removeItem } = useCartMutations();
  const busy = setQuantity.isPending || removeItem.isPending;
  const error = setQuantity.error ?? removeItem.error;
  const warnings = lineWarnings(line, currency);
  const ref = { productId: line.productId, variantId: line.variantId };
  const change = (quantity: number) => (quantity === 0 ? removeItem.mutate(ref) : setQuantity.mutate({ ...ref, quantity }));
  const buyable = line.issue !== 'unavailable' && line.issue !== 'sold_out';
  const options = optionsLabel(line.options);
  // Two sizes of one product are two lines: their controls must say which is which.
  const name = options ? `${line.name}, ${options}` : line.name;

  return (
    <li className="cart-line" data-product-id={line.productId} data-variant-id={line.variantId} aria-busy={busy}>
      <div className="cart-line-image product-image">
        {line.image ? <img {...imageSources(line.image, shownWidths.thumbnail)} alt="" width={96} height={96} loading="lazy" /> : null}
      </div>
      <div className="cart-line-main">
        <h2 className="cart-line-name">{line.slug ? <Link href={productHref(line.slug, line.options)}>{line.name}</Link> : line.name}</h2>
        <VariantDetails options={options} sku={line.sku} className="cart-line-options" />
        <p className="cart-line-price">
          {formatMoney(line.unitPrice, currency)} each
          {line.priceChanged ? (
            <s className="was-price">
              <span className="visually-hidden">, was </span>
              {formatMoney(line.priceAtAdd, currency)}
            </s>
          ) : null}
        </p>
        {warnings.map((warning) => (
          <p key={warning.text} className={`line-warning line-warning--${warning.tone}`}>
            <span>{warning.text}</span>
            {warning.fix ? (
              <button type="button" className="link-button" onClick={() => change(warning.fix?.quantity ?? 0)} disabled={busy}>
                {warning.fix.label}
              </button>
            ) : null}
          </p>
        ))}
        {error ? (
          <p className="form-error" role="alert">
            {errorMessage(error, 'That change did not go through. Please try again.')}
          </p>
        ) : null}
      </div>
      <div className="cart-line-controls">
        {buyable ? (
          <QuantityPicker
            value={line.quantity}
            max={Math.max(1, Math.min(Math.max(line.stock, line.quantity), maxLineQuantity))}
            onChange={change}
            label={`Quantity of ${name}`}
            hideLabel
            disabled={busy}
          />
        ) : null}
        <p className="cart-line-total">{formatMoney(line.lineTotal, currency)}</p>
        <button type="button" className="link-button" onClick={() => change(0)} disabled={busy} aria-label={`Remove ${name}`}>
          Remove
        </button>
      </div>
    </li>
  );
}

/** "Colour: Black · Size: M · SKU ESSENTIAL-TEE-BLACK-M"; the SKU alone for a product without options. */
export function VariantDetails({ options, sku, className }: { options: string; sku: string; className: string }) {
  if (!options && !sku) return null;
  return (
    <p className={className}>
      {options ? <span data-testid="line-options">{options}</span> : null}
      {options && sku ? ' · ' : null}
      {sku ? <span data-testid="line-sku">SKU {sku}</span> : null}
    </p>
  );
}
