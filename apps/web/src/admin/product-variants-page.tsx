import { saveVariantsInput } from '@shop/api/schemas';
import { useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf, isForbidden, isNotFound } from '../api-errors.ts';
import { moneyInputValue } from '../forms/money-input.ts';
import { LoadFailed } from '../layout/load-failed.tsx';
import { PageLoading } from '../layout/page-boundary.tsx';
import { Link } from '../link.tsx';
import { showNotice } from '../notices/notices.ts';
import { adminProductsHref, productHref } from '../routes.ts';
import { trpc, type RouterOutputs } from '../trpc.ts';
import { AdminsOnly } from './admins-only.tsx';
import { draftFromProduct, draftInput, pathErrorsFromApi, pathErrorsFromIssues, skuTakenErrors, type Draft, type PathErrors } from './variant-draft.ts';
import { VariantsEditor } from './variants-editor.tsx';

type Product = RouterOutputs['catalog']['product'];

/** A saved product's options and variants, edited together and saved at once (`saveVariants`). */
export function ProductVariantsPage({ productId }: { productId: string }) {
  const product = trpc.catalog.product.useQuery({ id: productId });
  if (product.isPending) return <PageLoading />;
  if (product.isError) {
    if (isForbidden(product.error)) return <AdminsOnly error={product.error} />;
    if (isNotFound(product.error)) {
      return (
        <div className="notice" role="alert">
          <p>This product no longer exists.</p>
          <Link href={adminProductsHref} className="button">
            Back to the products
          </Link>
        </div>
      );
    }
    return <LoadFailed message="The product could not be loaded." onRetry={() => void product.refetch()} />;
  }
  // Keyed by id: the draft starts from the product once, and live stock updates do not reset it.
  return <VariantsForm key={product.data.id} product={product.data} />;
}

function VariantsForm({ product }: { product: Product }) {
  const [draft, setDraft] = useState<Draft>(() => draftFromProduct(product));
  const [errors, setErrors] = useState<PathErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const utils = trpc.useUtils();
  const save = trpc.admin.products.saveVariants.useMutation();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = draftInput(draft, product.currency);
    const parsed = saveVariantsInput.safeParse({ productId: product.id, options: input.options, variants: input.variants });
    const found = { ...(parsed.success ? {} : pathErrorsFromIssues(parsed.error.issues)), ...input.errors };
    if (!parsed.success || Object.keys(found).length > 0) {
      setErrors(found);
      setFormError('Check the highlighted fields.');
      return;
    }
    setErrors({});
    setFormError(null);
    try {
      const updated = await save.mutateAsync(parsed.data);
      utils.catalog.product.setData({ id: product.id }, updated);
      void utils.catalog.invalidate();
      void utils.admin.products.list.invalidate();
      setDraft(draftFromProduct(updated));
      showNotice({ tone: 'success', title: `${updated.name}: ${updated.variants.length} ${updated.variants.length === 1 ? 'variant' : 'variants'} saved` });
    } catch (error) {
      const problem = domainProblem(error);
      if (problem.reason === 'SKU_TAKEN') {
        setErrors(skuTakenErrors(draft, product.slug, draft.options, problem.details.skus));
        setFormError(`Another product has the SKU ${problem.details.skus.join(', ')}: choose another.`);
        return;
      }
      if (problem.reason === 'VARIANT_IN_USE') {
        setErrors({});
        setFormError(`${problem.details.sku} cannot be removed yet: a checkout in progress holds some of its stock. Try again in a moment.`);
        return;
      }
      setErrors(pathErrorsFromApi(fieldErrorsOf(error)));
      setFormError(errorMessage(error));
    }
  }

  return (
    <form className="form form--wide form--variants" onSubmit={(event) => void submit(event)} noValidate>
      <h2 className="section-heading">
        Options and variants of <Link href={productHref(product.slug)}>{product.name}</Link>
      </h2>
      {formError ? (
        <p className="banner banner--error" role="alert">
          {formError}
        </p>
      ) : null}
      <VariantsEditor
        draft={draft}
        onChange={setDraft}
        errors={errors}
        slug={product.slug}
        currency={product.currency}
        defaultPrice={moneyInputValue(product.price, product.currency)}
        product={product}
      />
      <div className="inline-form">
        <button type="submit" className="button" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save variants'}
        </button>
        <Link href={adminProductsHref} className="button button--quiet">
          Back to the products
        </Link>
      </div>
    </form>
  );
}
