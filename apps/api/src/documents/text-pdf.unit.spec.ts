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
    expect(pdf.toString('latin1')).toContain('/BaseFont /Helvetica-Bold');
  });

  it('given Danish letters and brackets, then they are WinAnsi bytes and escaped', () => {
    const text = textPdf([{ text: 'Hætteglas (Rigshospitalet) ø å \\ 18F→' }], { title: 't' }).toString('latin1');
    expect(text).toContain('(H\xe6tteglas \\(Rigshospitalet\\) \xf8 \xe5 \\\\ 18F?) Tj');
  });

  it('given a long line, then it wraps at a space', () => {
    const words = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');
    const text = textPdf([{ text: words }], { title: 't' }).toString('latin1');
    const shown = [...text.matchAll(/\((word[^)]*)\) Tj/g)].map((match) => match[1] as string);
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
    for (let index = 0; index < 120; index++) expect(text).toContain(`(vial ${index}) Tj`);
  });
});
