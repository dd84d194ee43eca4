// The fields of a postal address, for checkout and the address book. What they hold is checked
// with the API's own `addressInput` before it is sent.
import { countryCodes, countryName } from '@shop/api/schemas';
import { useId } from 'react';
import { TextField } from './text-field.tsx';
import type { FieldErrors } from './field-errors.ts';

export const addressFieldNames = ['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone'] as const;
export type AddressField = (typeof addressFieldNames)[number];
/** An address as typed: every field a string, an empty one left out when checked. */
export type AddressDraft = Record<AddressField, string>;

export const emptyAddress: AddressDraft = { name: '', line1: '', line2: '', city: '', region: '', postalCode: '', country: 'US', phone: '' };

/** Countries by name, for the picker. */
const allCountries = countryCodes.map((code) => ({ code, name: countryName(code) })).sort((a, b) => a.name.localeCompare(b.name));

export function AddressFields({
  value,
  onChange,
  errors,
  disabled,
  section,
  countries,
}: {
  value: AddressDraft;
  onChange: (next: AddressDraft) => void;
  errors: FieldErrors;
  disabled?: boolean;
  /** Which address of an order this is, so autofill offers the right one of the shopper's (`shipping name`, `billing postal-code`). */
  section?: 'shipping' | 'billing';
  /** The countries to offer (ISO codes; the shop's shipping countries at checkout); left out: every country. */
  countries?: readonly string[] | undefined;
}) {
  const countryId = useId();
  const set = (field: AddressField) => (event: { target: { value: string } }) => onChange({ ...value, [field]: event.target.value });
  const auto = (token: string) => (section ? `${section} ${token}` : token);
  const offered = countries ? allCountries.filter((country) => countries.includes(country.code) || country.code === value.country) : allCountries;
  return (
    <div className="address-fields">
      <TextField label="Full name" name="name" autoComplete={auto('name')} value={value.name} onChange={set('name')} error={errors.name} disabled={disabled} />
      <TextField label="Street address" name="line1" autoComplete={auto('address-line1')} value={value.line1} onChange={set('line1')} error={errors.line1} disabled={disabled} />
      <TextField
        label="Apartment, suite, etc. (optional)"
        name="line2"
        autoComplete={auto('address-line2')}
        value={value.line2}
        onChange={set('line2')}
        error={errors.line2}
        disabled={disabled}
      />
      <div className="form-row">
        <TextField label="City" name="city" autoComplete={auto('address-level2')} value={value.city} onChange={set('city')} error={errors.city} disabled={disabled} />
        <TextField
          label="State or region (optional)"
          hint={value.country === 'US' ? 'The state’s two letters: CA, NY' : undefined}
          name="region"
          autoComplete={auto('address-level1')}
          value={value.region}
          onChange={set('region')}
          error={errors.region}
          disabled={disabled}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Postal code"
          name="postalCode"
          autoComplete={auto('postal-code')}
          value={value.postalCode}
          onChange={set('postalCode')}
          error={errors.postalCode}
          disabled={disabled}
        />
        <div className="field">
          <label htmlFor={countryId} className="field-label">
            Country
          </label>
          <select
            id={countryId}
            name="country"
            autoComplete={auto('country')}
            value={value.country}
            onChange={set('country')}
            aria-invalid={errors.country ? true : undefined}
            aria-describedby={errors.country ? `${countryId}-error` : undefined}
            disabled={disabled}
          >
            {offered.map((country) => (
              <option key={country.code} value={country.code}>
                {country.name}
              </option>
            ))}
          </select>
          {errors.country ? (
            <p id={`${countryId}-error`} className="field-error">
              {errors.country}
            </p>
          ) : null}
        </div>
      </div>
      <TextField label="Phone (optional)" name="phone" type="tel" autoComplete={auto('tel')} value={value.phone} onChange={set('phone')} error={errors.phone} disabled={disabled} />
    </div>
  );
}

/** One line for an address: "Ann Lee, 1 Main St, Springfield 62701, United States". */
export function addressLine(address: { name: string; line1: string; line2?: string; city: string; region?: string; postalCode: string; country: string }): string {
  const place = [address.city, address.region].filter(Boolean).join(', ');
  return [address.name, address.line1, address.line2, `${place} ${address.postalCode}`, countryName(address.country)].filter(Boolean).join(', ');
}
