import { createHash } from 'node:crypto';
import { nameBasedUuid } from './name-based-uuid';

/** The construction event ids had from the start: ids already stored must come out the same. */
function byBytes(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('name-based UUIDs', () => {
  it('are version 5, variant 10xx, and the same for the same name', () => {
    const id = nameBasedUuid('tracershop-event:request-1:0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid('tracershop-event:request-1:0')).toBe(id);
    expect(nameBasedUuid('tracershop-event:request-1:1')).not.toBe(id);
  });

  it('equal the ids derived byte by byte before, for any name', () => {
    for (let index = 0; index < 2_000; index++) {
      const name = `tracershop-event:${index.toString(36)}:æøå:${index % 7}`;
      expect(nameBasedUuid(name)).toBe(byBytes(name));
    }
  });
});
