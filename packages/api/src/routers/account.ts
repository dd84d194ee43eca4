import { addSavedAddressInput, savedAddressIdInput, updateSavedAddressInput } from '../schemas/address.ts';
import { addressBookOutput } from '../schemas/responses.ts';
import { addAddress, listAddresses, removeAddress, setDefaultAddress, updateAddress } from '../services/address-book.ts';
import { authedProcedure, createTRPCRouter } from '../trpc.ts';

const tags = ['account'];

/** The signed-in shopper's own account. Every change of the address book answers the whole book, default first. */
export const accountRouter = createTRPCRouter({
  addresses: createTRPCRouter({
    list: authedProcedure
      .meta({ openapi: { method: 'GET', path: '/account/addresses', tags, summary: 'The address book, the default first' } })
      .output(addressBookOutput)
      .query(({ ctx }) => listAddresses(ctx.db, ctx.user.id)),
    add: authedProcedure
      .meta({ openapi: { method: 'POST', path: '/account/addresses', tags, summary: 'Adds an address (the first becomes the default)' } })
      .input(addSavedAddressInput)
      .output(addressBookOutput)
      .mutation(({ ctx, input }) => addAddress(ctx.db, ctx.user.id, input)),
    update: authedProcedure
      .meta({ openapi: { method: 'PUT', path: '/account/addresses/{id}', tags, summary: 'Replaces an address' } })
      .input(updateSavedAddressInput)
      .output(addressBookOutput)
      .mutation(({ ctx, input }) => updateAddress(ctx.db, ctx.user.id, input)),
    remove: authedProcedure
      .meta({ openapi: { method: 'DELETE', path: '/account/addresses/{id}', tags, summary: 'Removes an address' } })
      .input(savedAddressIdInput)
      .output(addressBookOutput)
      .mutation(({ ctx, input }) => removeAddress(ctx.db, ctx.user.id, input.id)),
    setDefault: authedProcedure
      .meta({ openapi: { method: 'POST', path: '/account/addresses/{id}/default', tags, summary: 'Makes an address the default' } })
      .input(savedAddressIdInput)
      .output(addressBookOutput)
      .mutation(({ ctx, input }) => setDefaultAddress(ctx.db, ctx.user.id, input.id)),
  }),
});
