import type { RouterOutputs } from '../trpc.ts';
import type { Notice } from '../notices/notices.ts';
import { cartHref } from '../routes.ts';

type CartMerge = RouterOutputs['auth']['login']['cartMerge'];

/** What to tell a shopper whose guest cart just joined their account's cart; null if nothing moved. */
export function cartMergeNotice(merge: CartMerge): Omit<Notice, 'id'> | null {
  if (!merge.merged || merge.lines.length === 0) return null;
  const capped = merge.lines.some((line) => line.capped);
  const count = merge.lines.length;
  return {
    tone: capped ? 'warning' : 'info',
    title: `We moved ${count === 1 ? 'the item' : `${count} items`} from your guest cart into your account's cart`,
    lines: merge.lines.map((line) =>
      line.capped
        ? `${line.name}: ${line.quantity} in your cart, all we can sell you (you added ${line.requested}).`
        : `${line.name}: ${line.quantity} in your cart.`,
    ),
    action: { label: 'View cart', href: cartHref },
  };
}
