// The catalogue has one currency (the seed's): discounts' fixed amounts, shipping rates and
// thresholds are typed and shown in it, as product prices are on the new-product form.
export const shopCurrency = 'USD';
