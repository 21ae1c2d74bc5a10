import { shapeMismatches, type OpenApiDocument } from './documented-shape';

describe('the shape check of answers against the OpenAPI document', () => {
  const document: OpenApiDocument = {
    components: {
      schemas: {
        Release: {
          properties: { id: {}, signature: { allOf: [{ $ref: '#/components/schemas/Signature' }] } },
          required: ['id', 'signature'],
        },
        Signature: { properties: { recordHash: {}, contentVersion: {} }, required: ['recordHash'] },
      },
    },
  };

  it('given an answer with every required key and without an optional one, then nothing is reported', () => {
    expect(shapeMismatches(document, 'Release', { id: 'r', signature: { recordHash: 'h' } })).toEqual([]);
    expect(
      shapeMismatches(document, 'Release', { id: 'r', signature: { recordHash: 'h', contentVersion: 2 } }),
    ).toEqual([]);
  });

  it('given a required key left out or an undocumented key, at any depth, then each is reported', () => {
    expect(shapeMismatches(document, 'Release', { id: 'r', signature: { contentVersion: 2, extra: 1 } })).toEqual([
      'Release.signature.extra: answered, not documented',
      'Release.signature.recordHash: documented, not answered',
    ]);
    expect(shapeMismatches(document, 'Release', { signature: null })).toEqual(['Release.id: documented, not answered']);
  });
});
