import { inflateSync } from 'node:zlib';
import { pdfTextLines } from './pdf-text';
import { textPdf, type DocumentLine } from './text-pdf';

/** Every object the cross-reference table names starts where it says. */
function xrefOffsetsHold(pdf: Buffer): boolean {
  const text = pdf.toString('latin1');
  const start = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  const table = text.slice(start);
  const [, countText] = /^xref\n0 (\d+)\n/.exec(table) ?? [];
  const offsets = [...table.matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
  return (
    offsets.length === Number(countText) - 1 &&
    offsets.every((offset, index) => text.startsWith(`${index + 1} 0 obj\n`, offset))
  );
}

describe('a text document as PDF', () => {
  it('given lines, then it is a PDF whose cross-reference table points at its objects', () => {
    const pdf = textPdf([{ text: 'Frigivelse', style: 'title' }, { text: 'Hermed frigives' }], { title: 'Release' });
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(xrefOffsetsHold(pdf)).toBe(true);
    expect(pdfTextLines(pdf)).toEqual(['Frigivelse', 'Hermed frigives']);
  });

  it('given a signer named Łukasz and a reason with → and ő, then they print as themselves, copyable', () => {
    const pdf = textPdf(
      [
        { text: 'Elektronisk signatur af Łukasz Nowak', style: 'heading' },
        { text: 'Begrundelse: Aktivitet 5 % → 4 % (Hætteglas, Győr) \\ 18F' },
      ],
      { title: 'Łukasz' },
    );
    expect(pdfTextLines(pdf)).toEqual([
      'Elektronisk signatur af Łukasz Nowak',
      'Begrundelse: Aktivitet 5 % → 4 % (Hætteglas, Győr) \\ 18F',
    ]);
    const text = pdf.toString('latin1');
    // A Unicode font, embedded, named by glyph id, with a map back to the text
    expect(text).toMatch(/\/Subtype \/Type0 \/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold \/Encoding \/Identity-H/);
    expect(text).toMatch(/\/Subtype \/CIDFontType2 .*\/CIDToGIDMap \/Identity/);
    expect(text).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(text).toMatch(/\/ToUnicode \d+ 0 R/);
    expect(xrefOffsetsHold(pdf)).toBe(true);
  });

  it('given the embedded font, then it is a TrueType file holding far fewer bytes than the whole font', () => {
    const text = textPdf([{ text: 'Łukasz' }], { title: 't' }).toString('latin1');
    const [, length1, compressed] =
      /\/Filter \/FlateDecode \/Length1 (\d+) \/Length \d+ >>\nstream\n([\s\S]*?)\nendstream/.exec(text) ?? [];
    const font = inflateSync(Buffer.from(compressed as string, 'latin1'));
    expect(font.length).toBe(Number(length1));
    expect(font.readUInt32BE(0)).toBe(0x00010000);
    expect(font.length).toBeLessThan(200_000);
  });

  it('given a reason with newlines, then each of its lines is a line of the document', () => {
    const pdf = textPdf([{ text: 'Begrundelse: første linje\nanden linje\r\ntredje' }], { title: 't' });
    expect(pdfTextLines(pdf)).toEqual(['Begrundelse: første linje', 'anden linje', 'tredje']);
  });

  it('given a character no glyph draws, then it prints as its code, never as another character', () => {
    const pdf = textPdf([{ text: 'tab\there, kanji 漢, bell \u0007' }], { title: 't' });
    expect(pdfTextLines(pdf)).toEqual(['tab[U+0009]here, kanji [U+6F22], bell [U+0007]']);
  });

  it('given a long line, then it wraps at a space', () => {
    const words = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');
    const shown = pdfTextLines(textPdf([{ text: words }], { title: 't' }));
    expect(shown.length).toBeGreaterThan(1);
    expect(shown.join(' ')).toBe(words);
  });

  it('given more lines than a page holds, then it has more pages, every one referenced', () => {
    const lines: DocumentLine[] = Array.from({ length: 120 }, (_, index) => ({ text: `vial ${index}` }));
    const pdf = textPdf(lines, { title: 't' });
    const text = pdf.toString('latin1');
    const count = Number(/\/Count (\d+)/.exec(text)?.[1]);
    expect(count).toBeGreaterThan(1);
    expect([...text.matchAll(/\/Type \/Page /g)]).toHaveLength(count);
    expect(xrefOffsetsHold(pdf)).toBe(true);
    expect(pdfTextLines(pdf)).toEqual(lines.map((line) => line.text));
  });
});
