import type { SignatureMeaning as SignatureBlockMeaning } from '@tracershop/event-store';
import { signatureMeanings, type SignatureMeaning } from './user';

/** Compile only while a failed attempt's meaning and a stored signature's meaning are the same list. */
const toBlockMeaning = (meaning: SignatureMeaning): SignatureBlockMeaning => meaning;
const fromBlockMeaning = (meaning: SignatureBlockMeaning): SignatureMeaning => meaning;

describe('signature meanings', () => {
  it('are the signature block meanings of the event store', () => {
    expect(signatureMeanings.map(toBlockMeaning).map(fromBlockMeaning)).toEqual([
      'release',
      'review',
      'approve',
      'certify',
      'correct',
    ]);
  });
});
