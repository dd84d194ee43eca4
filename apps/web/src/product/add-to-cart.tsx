import { maxLineQuantity } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { errorMessage, errorReason } from '../api-errors.ts';
import { useCart, useCartMutations } from '../cart/use-cart.ts';
import { QuantityPicker } from '../forms/quantity-picker.tsx';
import { Link } from '../link.tsx';
import { showNotice } from '../notices/notices.ts';
import { cartHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';

type Product = RouterOutputs['catalog']['product'];

/**
 * The quantity to buy, bounded by the stock (live) less what the cart already holds, and the
 * button that adds it. A sold-out product offers no button at all.
 */
export function AddToCart({ product }: { product: Product }) {
  const cart = useCart();
  const { addItem } = useCartMutations();
  const utils = trpc.useUtils();
  const [wanted, setWanted] = useState(1);

  const inCart = cart.data?.lines.find((line) => line.productId === product.id)?.quantity ?? 0;
  const canAdd = Math.min(product.stock, maxLineQuantity) - inCart;
  // Derived, not stored: when stock drops live, the choice shrinks with it.
  const quantity = Math.max(1, Math.min(wanted, canAdd));

  if (product.stock <= 0) {
    return (
      <div className="add-to-cart">
        <p className="add-to-cart-status">Sold out. It may come back: this page updates by itself when it does.</p>
        <button type="button" className="button button--wide" disabled>
          Sold out
        </button>
      </div>
    );
  }

  if (canAdd <= 0) {
    return (
      <div className="add-to-cart">
        <p className="add-to-cart-status">
          {inCart >= product.stock ? `All ${product.stock} left are in your cart.` : `Your cart holds the most one order can have (${inCart}).`}
        </p>
        <Link href={cartHref} className="button button--wide">
          View cart
        </Link>
      </div>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    addItem.mutate(
      { productId: product.id, quantity },
      {
        onSuccess: () => {
          setWanted(1);
          showNotice({
            tone: 'success',
            title: `Added ${quantity} × ${product.name} to your cart`,
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
        {product.stock} in stock{inCart > 0 ? `, ${inCart} already in your cart` : ''}.
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
