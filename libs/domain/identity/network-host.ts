import { ruleViolated } from '../kernel';
import { requireText } from '../catalog/field-validation';

/** RFC 1035's limit on a whole name. */
const MAX_HOST_LENGTH = 253;
/**
 * RFC 1123 labels, plus `_`: Windows hosts behind an SMB share (the dispenser's) often carry one,
 * and NetBIOS resolution accepts them.
 */
const LABEL_PATTERN = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IPV4_OCTET_PATTERN = /^(0|[1-9]\d{0,2})$/;
const IPV6_GROUP_PATTERN = /^[0-9a-f]{1,4}$/;

export function isIpv4Address(host: string): boolean {
  const octets = host.split('.');
  return octets.length === 4 && octets.every((octet) => IPV4_OCTET_PATTERN.test(octet) && Number(octet) <= 255);
}

/** Full, `::`-compressed and IPv4-embedded forms (`::ffff:10.0.0.1`); no zone ids, no brackets. */
export function isIpv6Address(host: string): boolean {
  const halves = host.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1];
  let width = 0;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    if (!isIpv4Address(last[last.length - 1])) return false;
    last.pop();
    width += 2;
  }
  const hexGroups = groups.flat();
  if (!hexGroups.every((group) => IPV6_GROUP_PATTERN.test(group))) return false;
  width += hexGroups.length;
  return halves.length === 2 ? width <= 7 : width === 8;
}

/** A name, not an address: an all-digit last label means a mistyped IPv4 address (`10.0.0.256`). */
export function isHostname(host: string): boolean {
  const labels = host.split('.');
  return labels.every((label) => LABEL_PATTERN.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** A hostname or an IP address, lower-cased (DNS names and IPv6 hex digits ignore case). */
export function requireHost(value: unknown, field = 'host'): string {
  const host = requireText(value, field, MAX_HOST_LENGTH).toLowerCase();
  if (isIpv4Address(host) || isIpv6Address(host) || isHostname(host)) return host;
  throw ruleViolated('INVALID_HOST', `${field} must be a hostname or an IP address`, { field, value: host });
}
