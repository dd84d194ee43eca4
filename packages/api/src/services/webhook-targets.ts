// Which addresses a webhook may be sent to. A webhook URL is typed by an admin (or by whoever has
// an admin's session), and the server then makes requests to it from inside the shop's network:
// without a guard, `http://169.254.169.254/…` reads the cloud's instance credentials and
// `http://10.0.0.5:27017` probes the database. So the host is resolved and every address it has is
// checked, when the endpoint is saved and again at each delivery, and the request connects to the
// address that was checked (a `lookup` of our own for the socket), so a DNS answer that changes in
// between (DNS rebinding) cannot slip a private address through.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

export interface WebhookTargetPolicy {
  /** Loopback addresses (127.0.0.0/8, ::1, `localhost`) may be targets: development and tests only. */
  allowLoopback: boolean;
  /** Only `https://` URLs (production). */
  requireHttps: boolean;
}

/** Production's: public addresses over https only. */
export const strictTargetPolicy: WebhookTargetPolicy = { allowLoopback: false, requireHttps: true };
/** Development's and the tests': also http, and this machine's own receivers. */
export const localTargetPolicy: WebhookTargetPolicy = { allowLoopback: true, requireHttps: false };

/** All the addresses a host name resolves to (the system resolver's, as `net.connect` asks it). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

type Range = readonly [base: bigint, prefix: number, what: string];

function v4(address: string): bigint {
  return address.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 address as a 128-bit number (`::ffff:1.2.3.4` and zone ids included). */
function v6(address: string): bigint {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const value = v4(dotted);
    text = `${text.slice(0, -dotted.length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headParts : [...headParts, ...Array<string>(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group || '0', 16)), 0n);
}

// IANA's special-purpose registries, the ranges that are not the public Internet.
const v4Ranges: Range[] = [
  [v4('0.0.0.0'), 8, '"this network" (0.0.0.0/8)'],
  [v4('10.0.0.0'), 8, 'a private network (10.0.0.0/8)'],
  [v4('100.64.0.0'), 10, 'carrier-grade NAT (100.64.0.0/10)'],
  [v4('127.0.0.0'), 8, 'loopback (127.0.0.0/8)'],
  [v4('169.254.0.0'), 16, 'link-local (169.254.0.0/16, cloud metadata)'],
  [v4('172.16.0.0'), 12, 'a private network (172.16.0.0/12)'],
  [v4('192.0.0.0'), 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [v4('192.0.2.0'), 24, 'documentation (192.0.2.0/24)'],
  [v4('192.168.0.0'), 16, 'a private network (192.168.0.0/16)'],
  [v4('198.18.0.0'), 15, 'benchmarking (198.18.0.0/15)'],
  [v4('198.51.100.0'), 24, 'documentation (198.51.100.0/24)'],
  [v4('203.0.113.0'), 24, 'documentation (203.0.113.0/24)'],
  [v4('224.0.0.0'), 4, 'multicast (224.0.0.0/4)'],
  [v4('240.0.0.0'), 4, 'reserved (240.0.0.0/4, broadcast)'],
];
const v6Ranges: Range[] = [
  [v6('::'), 128, 'unspecified (::)'],
  [v6('::1'), 128, 'loopback (::1)'],
  [v6('::'), 96, 'IPv4-compatible (::/96)'],
  [v6('100::'), 64, 'discard (100::/64)'],
  [v6('2001:db8::'), 32, 'documentation (2001:db8::/32)'],
  [v6('fc00::'), 7, 'unique local (fc00::/7)'],
  [v6('fe80::'), 10, 'link-local (fe80::/10)'],
  [v6('fec0::'), 10, 'site-local (fec0::/10)'],
  [v6('ff00::'), 8, 'multicast (ff00::/8)'],
];

function inRange(value: bigint, bits: number, [base, prefix]: Range): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

const loopbackV4: Range = [v4('127.0.0.0'), 8, ''];

/** What a literal IPv4 or IPv6 address is, when it is not a public one: `{ what, loopback }`; null when public. */
export function classifyAddress(address: string): { what: string; loopback: boolean } | null {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) {
    const value = v4(address);
    const range = v4Ranges.find((candidate) => inRange(value, 32, candidate));
    return range ? { what: range[2], loopback: inRange(value, 32, loopbackV4) } : null;
  }
  if (family !== 6) return { what: 'not an IP address', loopback: false };
  const value = v6(address);
  // IPv4 inside IPv6 reaches the IPv4 address: IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96),
  // 6to4 (2002::/16, the IPv4 address in the next 32 bits).
  const embedded =
    value >> 32n === 0xffffn ? value & 0xffffffffn : value >> 32n === v6('64:ff9b::') >> 32n ? value & 0xffffffffn : value >> 112n === 0x2002n ? (value >> 80n) & 0xffffffffn : null;
  if (embedded !== null) {
    const dotted = [24n, 16n, 8n, 0n].map((shift) => String((embedded >> shift) & 0xffn)).join('.');
    const inner = classifyAddress(dotted);
    return inner ? { what: `${inner.what}, inside IPv6 (${address})`, loopback: inner.loopback } : null;
  }
  const range = v6Ranges.find((candidate) => inRange(value, 128, candidate));
  return range ? { what: range[2], loopback: value === 1n } : null;
}

/** Why `address` may not be a target under `policy`; null when it may. */
export function addressRefusal(address: string, policy: WebhookTargetPolicy): string | null {
  const kind = classifyAddress(address);
  if (!kind || (kind.loopback && policy.allowLoopback)) return null;
  return `${address} is ${kind.what}: webhooks go to public addresses only`;
}

/** A target refused (a private address, a host that does not resolve, a scheme): `message` says which and why. */
export class WebhookTargetError extends Error {}

/** The URL's host as `net.connect` takes it: without IPv6's brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Refuses a URL whose scheme the policy does not allow, or which carries credentials. */
export function checkUrlShape(url: URL, policy: WebhookTargetPolicy): void {
  if (url.protocol !== 'https:' && (policy.requireHttps || url.protocol !== 'http:')) {
    throw new WebhookTargetError(policy.requireHttps ? 'An https:// URL' : 'An http:// or https:// URL');
  }
  if (url.username || url.password) throw new WebhookTargetError('A URL without a user name or password in it');
}

/**
 * Resolves the URL's host and refuses it unless every address it has may be a target (a host
 * with one private address among public ones is refused: which one a connection gets is not ours
 * to choose). Returns the addresses.
 */
export async function checkTarget(url: URL, policy: WebhookTargetPolicy, resolve: ResolveHost = systemResolver): Promise<LookupAddress[]> {
  checkUrlShape(url, policy);
  const host = hostOf(url);
  const literal = isIP(host);
  let addresses: LookupAddress[];
  if (literal) addresses = [{ address: host, family: literal }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : 'no answer';
      throw new WebhookTargetError(`${host} does not resolve (${code})`, { cause: error });
    }
  }
  if (addresses.length === 0) throw new WebhookTargetError(`${host} does not resolve`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) throw new WebhookTargetError(literal ? refusal : `${host} resolves to ${refusal}`);
  }
  return addresses;
}

/**
 * A `lookup` for `http.request` that resolves, checks every address as `checkTarget` does, and
 * hands the socket exactly those: what is checked is what is connected to. (`net.connect` calls
 * no lookup for a literal IP address; `checkTarget` checks those before the request.)
 */
export function guardedLookup(policy: WebhookTargetPolicy, resolve: ResolveHost = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    checkTarget(new URL(`https://${isIP(hostname) === 6 ? `[${hostname}]` : hostname}/`), { ...policy, requireHttps: false }, resolve).then(
      (addresses) => {
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family ? addresses.filter((candidate) => candidate.family === family) : addresses;
        const [first] = usable;
        if (!first) callback(Object.assign(new Error(`${hostname} has no IPv${family ?? ''} address`), { code: 'ENOTFOUND' }), '', 4);
        else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 4),
    );
  };
}
