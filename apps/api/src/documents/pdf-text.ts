/**
 * The text of a PDF that `textPdf` wrote, line by line, read back through each font's ToUnicode
 * map as a reader copying it out would: for specs that check a document says what it should.
 */
export function pdfTextLines(pdf: Buffer): string[] {
  const file = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const [, id, body] of file.matchAll(/^(\d+) 0 obj\n([\s\S]*?)\nendobj$/gm))
    objects.set(id as string, body as string);
  const object = (id: string | undefined) => objects.get(id ?? '') ?? '';
  const streamOf = (body: string) => /\nstream\n([\s\S]*)\nendstream$/.exec(body)?.[1] ?? '';
  const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');

  const unicodeOfFont = new Map<string, Map<string, string>>();
  const unicodeOf = (fontId: string) => {
    let map = unicodeOfFont.get(fontId);
    if (!map) {
      const cmap = streamOf(object(/\/ToUnicode (\d+) 0 R/.exec(object(fontId))?.[1]));
      map = new Map(
        [...cmap.matchAll(/^<([0-9a-f]{4})> <([0-9a-f]*)>$/gim)].map(([, glyph, text]) => [
          (glyph as string).toLowerCase(),
          utf16(text as string),
        ]),
      );
      unicodeOfFont.set(fontId, map);
    }
    return map;
  };

  const kids = /\/Kids \[([^\]]*)\]/.exec(object('2'))?.[1] ?? '';
  const lines: string[] = [];
  for (const [, pageId] of kids.matchAll(/(\d+) 0 R/g)) {
    const page = object(pageId);
    const fonts = new Map(
      [...page.matchAll(/\/(F\d+) (\d+) 0 R/g)].map(([, name, id]) => [name as string, id as string]),
    );
    const content = streamOf(object(/\/Contents (\d+) 0 R/.exec(page)?.[1]));
    for (const [, font, hex] of content.matchAll(/\/(F\d+) [\d.]+ Tf [\d.]+ [\d.]+ Td <([0-9a-f]*)> Tj/gi)) {
      const map = unicodeOf(fonts.get(font as string) ?? '');
      const glyphs = (hex as string).match(/.{4}/g) ?? [];
      lines.push(glyphs.map((glyph) => map.get(glyph.toLowerCase()) ?? '\ufffd').join(''));
    }
  }
  return lines;
}
