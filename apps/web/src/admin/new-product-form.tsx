import { createProductInput } from '@shop/api/schemas';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage, errorReason, fieldErrorsOf } from '../api-errors.ts';
import { fieldErrorsFromApi, fieldErrorsFromIssues, type FieldErrors } from '../forms/field-errors.ts';
import { parseMoney } from '../forms/money-input.ts';
import { TextField } from '../forms/text-field.tsx';
import { navigate } from '../location.ts';
import { showNotice } from '../notices/notices.ts';
import { productHref } from '../routes.ts';
import { trpc } from '../trpc.ts';
import { ProductImages } from './product-images.tsx';

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
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const categoryId = useId();
  const descriptionId = useId();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (field: string) => {
      const value = form.get(field);
      return typeof value === 'string' ? value.trim() : '';
    };
    const imagePath = text('image');
    const priceText = text('price');
    const price = parseMoney(priceText, currency);
    const parsed = createProductInput.safeParse({
      name,
      slug: slug ?? slugify(name),
      description: text('description'),
      price: price ?? Number.NaN,
      currency,
      categoryId: text('categoryId'),
      images: imagePath && !images.includes(imagePath) ? [...images, imagePath] : images,
      stock: text('stock') === '' ? Number.NaN : Number(text('stock')),
    });
    if (!parsed.success || price === null) {
      const found = parsed.success ? {} : fieldErrorsFromIssues(parsed.error.issues);
      if (price === null) found.price = priceText ? 'Enter an amount like 19.99' : 'Enter a price';
      setErrors(found);
      setFormError(null);
      return;
    }
    setErrors({});
    setFormError(null);
    try {
      const product = await create.mutateAsync(parsed.data);
      void utils.catalog.invalidate();
      void utils.admin.products.list.invalidate();
      showNotice({ tone: 'success', title: `${product.name} is in the catalogue`, action: { label: 'View it', href: productHref(product.slug) } });
      navigate('/admin');
    } catch (error) {
      setErrors(fieldErrorsFromApi(fieldErrorsOf(error)));
      setFormError(errorReason(error) === 'SLUG_TAKEN' ? 'Another product has this slug already: choose another.' : errorMessage(error));
    }
  }

  return (
    <form className="form form--wide" onSubmit={(event) => void submit(event)} noValidate>
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
        value={slug ?? slugify(name)}
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
        <TextField label={`Price (${currency})`} name="price" inputMode="decimal" placeholder="19.99" required error={errors.price} />
        <TextField label="Stock" name="stock" inputMode="numeric" placeholder="10" required error={errors.stock} />
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
      <button type="submit" className="button" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create product'}
      </button>
    </form>
  );
}
