import { addSavedAddressInput, savedAddressIdInput, updateSavedAddressInput } from '../schemas/address.ts';
import { addAddress, listAddresses, removeAddress, setDefaultAddress, updateAddress } from '../services/address-book.ts';
import { authedProcedure, createTRPCRouter } from '../trpc.ts';

/** The signed-in shopper's own account. Every change of the address book answers the whole book, default first. */
export const accountRouter = createTRPCRouter({
  addresses: createTRPCRouter({
    list: authedProcedure.query(({ ctx }) => listAddresses(ctx.db, ctx.user.id)),
    add: authedProcedure.input(addSavedAddressInput).mutation(({ ctx, input }) => addAddress(ctx.db, ctx.user.id, input)),
    update: authedProcedure.input(updateSavedAddressInput).mutation(({ ctx, input }) => updateAddress(ctx.db, ctx.user.id, input)),
    remove: authedProcedure.input(savedAddressIdInput).mutation(({ ctx, input }) => removeAddress(ctx.db, ctx.user.id, input.id)),
    setDefault: authedProcedure.input(savedAddressIdInput).mutation(({ ctx, input }) => setDefaultAddress(ctx.db, ctx.user.id, input.id)),
  }),
});
