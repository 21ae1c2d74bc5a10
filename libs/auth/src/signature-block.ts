import { createHash } from 'node:crypto';
import { canonicalJson, type SignatureBlock, type SignatureMeaning } from '@tracershop/event-store';

/**
 * SHA-256 of the canonical JSON of what is signed (Part 11 §11.70). The content names its stream,
 * so a signature copied onto another record does not verify.
 */
export function recordHash(streamId: string, content: unknown): string {
  return createHash('sha256').update(canonicalJson({ streamId, content }), 'utf8').digest('hex');
}

export function signatureBlockFor(
  signer: { id: string; printedName: string },
  meaning: SignatureMeaning,
  streamId: string,
  content: unknown,
  signedAt: Date,
  /** The version of the content's shape, for verifiers that rebuild it (none: the first). */
  contentVersion?: number,
): SignatureBlock {
  return {
    signerId: signer.id,
    // The name as it is now, at signing; a later rename does not change what was signed (§11.50).
    printedName: signer.printedName,
    meaning,
    signedAt: signedAt.toISOString(),
    recordHash: recordHash(streamId, content),
    ...(contentVersion === undefined ? {} : { contentVersion }),
  };
}

/** A verifier recomputes the hash from the signed event's content. */
export function verifySignatureBlock(block: SignatureBlock, streamId: string, content: unknown): boolean {
  return block.recordHash === recordHash(streamId, content);
}
