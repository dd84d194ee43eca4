import { createProductInput } from '@shop/api/schemas';
import { useId, useState, type FormEvent } from 'react';
import { domainProblem, errorMessage, fieldErrorsOf } from '../api-errors.ts';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { parseMoney } from '../forms/money-input.ts';
import { TextField } from '../forms/text-field.tsx';
import { navigate } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { adminProductsHref, productHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { ProductImages } from './product-images.tsx';
import { draftInput, emptyDraft, pathErrorsFromApi, pathErrorsFromIssues, skuTakenErrors, type Draft, type PathErrors } from './variant-draft.ts';
import { VariantsEditor } from './variants-editor.tsx';

/** "Black Zip Hoodie!" → "black-zip-hoodie": a slug the API accepts, suggested from the name. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
}

const currency = 'USD';

export function NewProductForm() {
  const categories = trpc.catalog.categories.useQuery();
  const utils = trpc.useUtils();
  const create = trpc.admin.products.create.useMutation();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState<string | null>(null);
  const [images, setImages] = useState<string[]>([]);
  const [price, setPrice] = useState('');
  // Options and variants are defined here, before the product exists, because a merchant thinks
  // of "a hoodie in S–M and red or blue" as one new product, with stock arriving per size and
  // colour: one form and one create, nothing half-made in the catalogue in between. The same
  // editor edits them afterwards (the product's variants page), where stock changes by adjustments.
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [variantErrors, setVariantErrors] = useState<PathErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const categoryId = useId();
  const descriptionId = useId();

  const productSlug = slug ?? slugify(name);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (field: string) => {
      const value = form.get(field);
      return typeof value === 'string' ? value.trim() : '';
    };
    const imagePath = text('image');
    const priceText = price.trim();
    const amount = parseMoney(priceText, currency);
    const hasVariants = draft.options.length > 0;
    const variants = draftInput(draft, currency);
    const parsed = createProductInput.safeParse({
      name,
      slug: productSlug,
      description: text('description'),
      price: amount ?? Number.NaN,
      currency,
      categoryId: text('categoryId'),
      images: imagePath && !images.includes(imagePath) ? [...images, imagePath] : images,
      ...(hasVariants
        ? { options: variants.options, variants: variants.variants }
        : { stock: text('stock') === '' ? Number.NaN : Number(text('stock')) }),
    });
    const foundVariantErrors = { ...(parsed.success ? {} : pathErrorsFromIssues(parsed.error.issues)), ...(hasVariants ? variants.errors : {}) };
    if (!parsed.success || amount === null || Object.keys(variants.errors).length > 0) {
      const found = parsed.success ? {} : fieldErrorsFromIssues(parsed.error.issues);
      if (amount === null) found.price = priceText ? 'Enter an amount like 19.99' : 'Enter a price';
      setErrors(found);
      setVariantErrors(foundVariantErrors);
      setFormError(null);
      return;
    }
    setErrors({});
    setVariantErrors({});
    setFormError(null);
    try {
      const product = await create.mutateAsync(parsed.data);
      void utils.catalog.invalidate();
      void utils.admin.products.list.invalidate();
      showNotice({ tone: 'success', title: `${product.name} is in the catalogue`, action: { label: 'View it', href: productHref(product.slug) } });
      navigate(adminProductsHref);
    } catch (error) {
      setErrors(fieldErrorsFromApi(fieldErrorsOf(error)));
      setVariantErrors(pathErrorsFromApi(fieldErrorsOf(error)));
      const problem = domainProblem(error);
      if (problem.reason === 'SKU_TAKEN') {
        setVariantErrors(skuTakenErrors(draft, productSlug, draft.options, problem.details.skus));
        setFormError(`Another product has the SKU ${problem.details.skus.join(', ')}: choose another.`);
        return;
      }
      setFormError(problem.reason === 'SLUG_TAKEN' ? 'Another product has this slug already: choose another.' : errorMessage(error));
    }
  }

  return (
    <form className={draft.variants.length > 0 ? 'form form--wide form--variants' : 'form form--wide'} onSubmit={(event) => void submit(event)} noValidate>
      <h2 className="section-heading">New product</h2>
      {formError ? (
        <p className="banner banner--error" role="alert">
          {formError}
        </p>
      ) : null}
      <TextField label="Name" name="name" value={name} onChange={(event) => setName(event.target.value)} required error={errors.name} />
      <TextField
        label="Slug"
        name="slug"
        hint="The product's address: /products/…"
        value={productSlug}
        onChange={(event) => setSlug(event.target.value)}
        error={errors.slug}
      />
      <div className="field">
        <label htmlFor={descriptionId} className="field-label">
          Description
        </label>
        <textarea id={descriptionId} name="description" rows={4} maxLength={5000} />
      </div>
      <div className="form-row">
        <TextField
          label={`Price (${currency})`}
          name="price"
          inputMode="decimal"
          placeholder="19.99"
          hint={draft.options.length > 0 ? 'Each variant starts at this price' : undefined}
          value={price}
          onChange={(event) => setPrice(event.target.value)}
          required
          error={errors.price}
        />
        {draft.options.length > 0 ? null : <TextField label="Stock" name="stock" inputMode="numeric" placeholder="10" required error={errors.stock} />}
      </div>
      <div className="field">
        <label htmlFor={categoryId} className="field-label">
          Category
        </label>
        <select id={categoryId} name="categoryId" required aria-invalid={errors.categoryId ? true : undefined} defaultValue="">
          <option value="" disabled>
            {categories.isPending ? 'Loading…' : 'Choose a category'}
          </option>
          {categories.data?.map((category) => (
            <option key={category.id} value={category.id}>
              {category.name}
            </option>
          ))}
        </select>
        {errors.categoryId ? <p className="field-error">Choose a category</p> : null}
      </div>
      <fieldset className="fieldset">
        <legend className="field-label">Pictures</legend>
        <ProductImages images={images} name={name} onChange={setImages} />
        <TextField label="Image path" name="image" hint="Or an image the shop has already, e.g. /images/products/tee-navy.svg" error={errors.images} />
      </fieldset>
      <VariantsEditor draft={draft} onChange={setDraft} errors={variantErrors} slug={productSlug} currency={currency} defaultPrice={price.trim()} />
      <button type="submit" className="button" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create product'}
      </button>
    </form>
  );
}
