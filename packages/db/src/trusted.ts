import mongoose from 'mongoose';

/**
 * Marks a filter value as built by our code, so that the connection's `sanitizeFilter` keeps its
 * operators (`{ stock: trusted({ $gte: 2 }) }`). Every other operator in a filter is matched
 * literally: user input that slipped past validation can never become a query operator.
 */
export function trusted<T>(filter: T): T {
  return mongoose.trusted(filter);
}
