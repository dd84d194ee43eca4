import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from './location.ts';

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

function opensElsewhere(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
}

/** A real link (a new tab, copying the address still work) that changes page without a reload. */
export function Link({ onClick, ...props }: LinkProps) {
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || opensElsewhere(event) || props.target) return;
    event.preventDefault();
    navigate(props.href);
  }
  return <a {...props} onClick={handleClick} />;
}
