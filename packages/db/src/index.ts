export { connect, disconnect, type Database, type Models, type ConnectOptions } from './connection.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { userRoles, type UserRole, type UserDoc } from './models/user.ts';
export type { CategoryDoc } from './models/category.ts';
export { productStatus, type ProductDoc, type ProductStatus, type ProductHold } from './models/product.ts';
export type { CartDoc } from './models/cart.ts';
export { orderStatuses, orderTransitions, soldOrderStatuses, type OrderStatus, type OrderDoc } from './models/order.ts';
export { Types, isValidObjectId } from 'mongoose';
export { trusted } from './trusted.ts';
