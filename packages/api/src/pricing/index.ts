// @shop/api/pricing: how a cart is priced — lines, discount, shipping, tax — in one set of pure,
// browser-safe functions the storefront and the server share (no Node, Mongoose or tRPC imports).
// The rounding rules are stated once, at the top of price-cart.ts.
export { priceCart, breakdownDifferences, type AppliedTaxRate, type Breakdown, type PricedLine, type PricePart, type PricingCart, type PricingContext, type PricingLine, type SeenPrice } from './price-cart.ts';
export { evaluateDiscount, discountAmounts, type DiscountEvaluation, type DiscountProblem, type DiscountTerms, type UsableDiscount } from './discount.ts';
export {
  shippedGoods,
  shippingMethodsFor,
  shippingPrice,
  zoneFor,
  type ShippedGoods,
  type ShippedLine,
  type ShippingChoice,
  type ShippingMethodDefinition,
  type ShippingOption,
  type ShippingRate,
  type ShippingZoneDefinition,
  type WeightBand,
} from './shipping.ts';
export { allocateLargestRemainder, mulDivHalfUp } from './money.ts';
export { formatMoney } from './format-money.ts';
