import { answerMismatches, shapeMismatches, type OpenApiDocument } from './documented-shape';

describe('the shape check of answers against the OpenAPI document', () => {
  const document: OpenApiDocument = {
    components: {
      schemas: {
        Release: {
          properties: {
            id: { type: 'string' },
            status: { type: 'string', enum: ['released', 'corrected'] },
            vials: { type: 'number' },
            signature: { nullable: true, allOf: [{ $ref: '#/components/schemas/Signature' }] },
          },
          required: ['id', 'status', 'signature'],
        },
        Signature: {
          properties: { recordHash: { type: 'string' }, contentVersion: { type: 'number' } },
          required: ['recordHash'],
        },
      },
    },
    paths: {
      '/releases/{id}': {
        get: {
          responses: {
            '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Release' } } } },
          },
        },
      },
    },
  };
  const release = { id: 'r', status: 'released', signature: { recordHash: 'h' } };

  it('given an answer with every required key and without an optional one, then nothing is reported', () => {
    expect(shapeMismatches(document, 'Release', release)).toEqual([]);
    expect(shapeMismatches(document, 'Release', { ...release, vials: 2, signature: null })).toEqual([]);
  });

  it('given a required key left out or an undocumented key, at any depth, then each is reported', () => {
    expect(shapeMismatches(document, 'Release', { ...release, signature: { contentVersion: 2, extra: 1 } })).toEqual([
      'Release.signature.extra: answered, not documented',
      'Release.signature.recordHash: documented, not answered',
    ]);
    expect(shapeMismatches(document, 'Release', { status: 'released', signature: null })).toEqual([
      'Release.id: documented, not answered',
    ]);
  });

  it('given a null, a value of another type or outside the enum, then each is reported', () => {
    expect(shapeMismatches(document, 'Release', { ...release, id: null, status: 'lost', vials: '2' })).toEqual([
      'Release.id: null, not documented as nullable',
      'Release.status: "lost" is not one of ["released","corrected"]',
      'Release.vials: "2" is not of type number',
    ]);
  });

  it('given a schema the document does not have, or a route it does not describe, then that is reported', () => {
    expect(shapeMismatches(document, 'Relase', release)).toEqual(['Relase: no such schema in the document']);
    expect(answerMismatches(document, '/releases/r-1?minPosition=5', release)).toEqual([]);
    expect(answerMismatches(document, '/releases/r-1', { ...release, status: 'lost' })).toEqual([
      'Release.status: "lost" is not one of ["released","corrected"]',
    ]);
    expect(answerMismatches(document, '/vials/v-1', {})).toEqual(['GET /vials/v-1: no documented answer']);
  });
});
