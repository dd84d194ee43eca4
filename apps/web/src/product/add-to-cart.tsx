import { maxLineQuantity } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { errorMessage, errorReason } from '../api-errors.ts';
import { useCart, useCartMutations } from '../cart/use-cart.ts';
import { QuantityPicker } from '../forms/quantity-picker.tsx';
import { Link } from '../link.tsx';
import { showNotice } from '../notices/notices.ts';
import { cartHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { BackInStockForm } from './back-in-stock.tsx';
import { optionsLabel, type VariantChoice } from './variant-choice.ts';

type Product = RouterOutputs['catalog']['product'];
type Variant = Product['variants'][number];

/**
 * The quantity to buy of the chosen variant, bounded by its stock (live) less what the cart
 * already holds of it, and the button that adds it. Until every option is chosen, the button says
 * what is missing; a sold-out variant offers no button to buy, but to be emailed when it is back.
 */
export function AddToCart({ product, variant, choice }: { product: Product; variant: Variant | undefined; choice: VariantChoice }) {
  const cart = useCart();
  const { addItem } = useCartMutations();
  const utils = trpc.useUtils();
  const [wanted, setWanted] = useState(1);

  const stock = variant?.stock ?? 0;
  const inCart = cart.data?.lines.find((line) => line.productId === product.id && line.variantId === variant?.id)?.quantity ?? 0;
  const canAdd = Math.min(stock, maxLineQuantity) - inCart;
  // Derived, not stored: when stock drops live, the choice shrinks with it.
  const quantity = Math.max(1, Math.min(wanted, canAdd));

  if (!variant) {
    const missing = product.options.filter((option) => choice[option.name] === undefined).map((option) => option.name.toLowerCase());
    const prompt = `Choose ${missing.length > 0 ? missing.join(' and ') : 'an option'}`;
    return (
      <div className="add-to-cart">
        <p className="add-to-cart-status">{`${prompt} to add it to your cart.`}</p>
        <button type="button" className="button button--wide" disabled>
          {prompt}
        </button>
      </div>
    );
  }

  if (stock <= 0) {
    return (
      <div className="add-to-cart">
        <p className="add-to-cart-status">Sold out. It may come back: this page updates by itself when it does.</p>
        <button type="button" className="button button--wide" disabled>
          Sold out
        </button>
        <BackInStockForm productId={product.id} variantId={variant.id} slug={product.slug} />
      </div>
    );
  }

  if (canAdd <= 0) {
    return (
      <div className="add-to-cart">
        <p className="add-to-cart-status">
          {inCart >= stock ? `All ${stock} left are in your cart.` : `Your cart holds the most one order can have (${inCart}).`}
        </p>
        <Link href={cartHref} className="button button--wide">
          View cart
        </Link>
      </div>
    );
  }

  const variantId = variant.id;
  const label = optionsLabel(variant.options);
  const name = label ? `${product.name} (${label})` : product.name;

  function submit(event: FormEvent) {
    event.preventDefault();
    addItem.mutate(
      { productId: product.id, variantId, quantity },
      {
        onSuccess: () => {
          setWanted(1);
          showNotice({
            tone: 'success',
            title: `Added ${quantity} × ${name} to your cart`,
            action: { label: 'View cart', href: cartHref },
          });
        },
        onError: (error) => {
          // Someone bought some meanwhile: show the real stock (the live feed usually has already).
          const reason = errorReason(error);
          if (reason === 'INSUFFICIENT_STOCK' || reason === 'OUT_OF_STOCK') void utils.catalog.product.invalidate({ slug: product.slug });
        },
      },
    );
  }

  return (
    <form className="add-to-cart" onSubmit={submit}>
      <QuantityPicker value={quantity} max={canAdd} onChange={setWanted} disabled={addItem.isPending} />
      <p className="field-hint" data-testid="stock-count">
        {stock} in stock{inCart > 0 ? `, ${inCart} already in your cart` : ''}.
      </p>
      <button type="submit" className="button button--wide" disabled={addItem.isPending}>
        {addItem.isPending ? 'Adding…' : 'Add to cart'}
      </button>
      {addItem.isError ? (
        <p className="form-error" role="alert">
          {errorMessage(addItem.error, 'It could not be added. Please try again.')}
        </p>
      ) : null}
    </form>
  );
}
