import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { readTrueTypeFont, type TrueTypeFont } from './truetype-font';

/**
 * A text document as PDF 1.4: A4 pages of lines in DejaVu Sans, embedded (a subset) as a Unicode
 * font with Identity-H encoding and a ToUnicode map. A certified copy prints what the record says:
 * a signer's printed name or a reason in any script prints as itself (Part 11 §11.50, Annex 11
 * §8.1) and can be searched and copied back out. A character the font has no glyph for prints as a
 * visible `[U+XXXX]`, never as something else. Newlines start new lines. No PDF library, no
 * native parts: the font comes from the `dejavu-fonts-ttf` package (Bitstream Vera licence,
 * embedding allowed).
 */

export interface DocumentLine {
  text: string;
  /** Default `body`. */
  style?: 'title' | 'heading' | 'body' | 'small';
}

const PAGE = { width: 595, height: 842, margin: 56 };
const STYLES = {
  title: { font: 'F2', size: 16, leading: 26 },
  heading: { font: 'F2', size: 11, leading: 20 },
  body: { font: 'F1', size: 10, leading: 14 },
  small: { font: 'F1', size: 8, leading: 11 },
} as const;
type FontName = (typeof STYLES)[keyof typeof STYLES]['font'];
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;

const FONT_FILES: Record<FontName, string> = {
  F1: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  F2: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
};
let loadedFonts: Record<FontName, TrueTypeFont> | undefined;
const fonts = (): Record<FontName, TrueTypeFont> =>
  (loadedFonts ??= {
    F1: readTrueTypeFont(require.resolve(FONT_FILES.F1)),
    F2: readTrueTypeFont(require.resolve(FONT_FILES.F2)),
  });

/** One drawn glyph and the text it stands for. */
interface Glyph {
  id: number;
  text: string;
  width: number;
}
interface ShownLine {
  style: keyof typeof STYLES;
  glyphs: Glyph[];
}

/** Control characters (bar the newlines that split lines) print as their code, as missing glyphs do. */
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code < 0xa0);

/** A line's characters as the font's glyphs, a character it cannot draw as `[U+XXXX]`. */
function glyphsOf(text: string, style: keyof typeof STYLES): Glyph[] {
  const font = fonts()[STYLES[style].font];
  const scale = STYLES[style].size / font.unitsPerEm;
  const glyph = (char: string): Glyph | undefined => {
    const id = font.glyphOf(char.codePointAt(0) as number);
    return id === undefined ? undefined : { id, text: char, width: font.advanceOf(id) * scale };
  };
  return [...text].flatMap((char) => {
    const code = char.codePointAt(0) as number;
    const drawn = isControl(code) ? undefined : glyph(char);
    if (drawn) return [drawn];
    const marker = `[U+${code.toString(16).toUpperCase().padStart(4, '0')}]`;
    return [...marker].map((markerChar) => glyph(markerChar) as Glyph);
  });
}

/** A line as wide as the text width at most, broken at spaces where it can be. */
function wrapped(line: ShownLine): ShownLine[] {
  const parts: ShownLine[] = [];
  let rest = line.glyphs;
  const isSpace = (glyph: Glyph | undefined) => glyph?.text === ' ';
  for (;;) {
    let width = 0;
    let fits = 0;
    while (fits < rest.length && width + (rest[fits] as Glyph).width <= TEXT_WIDTH) {
      width += (rest[fits] as Glyph).width;
      fits += 1;
    }
    if (fits === rest.length) break;
    let cut = fits;
    for (let at = fits; at > fits / 2; at--) {
      if (isSpace(rest[at])) {
        cut = at;
        break;
      }
    }
    let end = cut;
    while (end > 0 && isSpace(rest[end - 1])) end -= 1;
    parts.push({ ...line, glyphs: rest.slice(0, Math.max(end, 1)) });
    rest = rest.slice(Math.max(cut, 1));
    while (isSpace(rest[0])) rest = rest.slice(1);
  }
  parts.push({ ...line, glyphs: rest });
  return parts;
}

/** The document's lines as shown: split at newlines, drawn in glyphs, wrapped to the page. */
function shownLines(lines: readonly DocumentLine[]): ShownLine[] {
  return lines.flatMap(({ text, style = 'body' }) =>
    text.split(/\r\n|\r|\n/).flatMap((part) => wrapped({ style, glyphs: glyphsOf(part, style) })),
  );
}

/** Glyph ids as a PDF hex string (two bytes each: Identity-H). */
const hexGlyphs = (glyphs: readonly Glyph[]) =>
  `<${glyphs.map(({ id }) => id.toString(16).padStart(4, '0')).join('')}>`;

/** The content stream of one page. */
function pageContent(lines: readonly ShownLine[]): string {
  let y = PAGE.height - PAGE.margin;
  const ops: string[] = [];
  for (const line of lines) {
    const style = STYLES[line.style];
    y -= style.leading;
    ops.push(`BT /${style.font} ${style.size} Tf ${PAGE.margin} ${y} Td ${hexGlyphs(line.glyphs)} Tj ET`);
  }
  return ops.join('\n');
}

/** Lines split into pages by the space their styles take. */
function paginate(lines: readonly ShownLine[]): ShownLine[][] {
  const pages: ShownLine[][] = [[]];
  let used = 0;
  const height = PAGE.height - 2 * PAGE.margin;
  for (const line of lines) {
    const leading = STYLES[line.style].leading;
    if (used + leading > height) {
      pages.push([]);
      used = 0;
    }
    (pages[pages.length - 1] as ShownLine[]).push(line);
    used += leading;
  }
  return pages;
}

/** Text as a PDF text string: UTF-16BE with its byte order mark, in hex. */
function pdfTextString(text: string): string {
  return `<FEFF${Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

/** A ToUnicode CMap: each glyph back to the text it was drawn for, so the PDF's text can be copied. */
function toUnicodeCMap(glyphs: ReadonlyMap<number, string>): string {
  const entries = [...glyphs].sort(([a], [b]) => a - b);
  const blocks: string[] = [];
  for (let at = 0; at < entries.length; at += 100) {
    const block = entries.slice(at, at + 100);
    blocks.push(
      `${block.length} beginbfchar\n` +
        block
          .map(
            ([id, text]) =>
              `<${id.toString(16).padStart(4, '0')}> <${Buffer.from(text, 'utf16le').swap16().toString('hex')}>`,
          )
          .join('\n') +
        '\nendbfchar',
    );
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

/** A stream object's bytes. */
function stream(dictionary: string, content: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dictionary} /Length ${content.length} >>\nstream\n`, 'latin1'),
    content,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

/** The objects of one embedded font (Type0 over CIDFontType2), from `firstId` on; the Type0 one first. */
function fontObjects(font: TrueTypeFont, used: ReadonlyMap<number, string>, firstId: number): Buffer[] {
  const [cidFont, descriptor, fontFile, toUnicode] = [1, 2, 3, 4].map((offset) => firstId + offset);
  const per1000 = (units: number) => Math.round((units * 1000) / font.unitsPerEm);
  const ids = [...used.keys()].sort((a, b) => a - b);
  // A subset's name carries a tag of six capitals, the same for the same glyphs.
  const tag = [...createHash('sha256').update(ids.join(',')).digest().subarray(0, 6)]
    .map((byte) => String.fromCharCode(65 + (byte % 26)))
    .join('');
  const name = `${tag}+${font.postScriptName}`;
  const file = font.subset(new Set(ids));
  return [
    Buffer.from(
      `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H ` +
        `/DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
      'latin1',
    ),
    Buffer.from(
      `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} ` +
        '/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ' +
        `/FontDescriptor ${descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 ` +
        `/W [${ids.map((id) => `${id} [${per1000(font.advanceOf(id))}]`).join(' ')}] >>`,
      'latin1',
    ),
    Buffer.from(
      `<< /Type /FontDescriptor /FontName /${name} /Flags 32 ` +
        `/FontBBox [${font.bbox.map(per1000).join(' ')}] /ItalicAngle 0 /Ascent ${per1000(font.ascent)} ` +
        `/Descent ${per1000(font.descent)} /CapHeight ${per1000(font.capHeight)} /StemV 80 ` +
        `/FontFile2 ${fontFile} 0 R >>`,
      'latin1',
    ),
    stream(`/Filter /FlateDecode /Length1 ${file.length}`, deflateSync(file)),
    stream('', Buffer.from(toUnicodeCMap(used), 'latin1')),
  ];
}

/** The document as a PDF file. */
export function textPdf(lines: readonly DocumentLine[], info: { title: string }): Buffer {
  const shown = shownLines(lines);
  const pages = paginate(shown);
  const used: Record<FontName, Map<number, string>> = { F1: new Map(), F2: new Map() };
  for (const line of shown) {
    const glyphs = used[STYLES[line.style].font];
    for (const glyph of line.glyphs) if (!glyphs.has(glyph.id)) glyphs.set(glyph.id, glyph.text);
  }
  // Objects: 1 catalog, 2 page tree, 3 info, 4-8 the regular font, 9-13 the bold one, then a page
  // and its content per page.
  const objects: Buffer[] = [];
  const fontIds: Record<FontName, number> = { F1: 4, F2: 9 };
  const pageIds = pages.map((_, index) => 14 + 2 * index);
  const text = (value: string) => Buffer.from(value, 'latin1');
  objects[1] = text('<< /Type /Catalog /Pages 2 0 R >>');
  objects[2] = text(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  objects[3] = text(`<< /Title ${pdfTextString(info.title)} /Producer (Tracershop) >>`);
  for (const font of ['F1', 'F2'] as const) {
    fontObjects(fonts()[font], used[font], fontIds[font]).forEach((object, offset) => {
      objects[fontIds[font] + offset] = object;
    });
  }
  pages.forEach((page, index) => {
    const pageId = pageIds[index] as number;
    objects[pageId] = text(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] ` +
        `/Resources << /Font << /F1 ${fontIds.F1} 0 R /F2 ${fontIds.F2} 0 R >> >> /Contents ${pageId + 1} 0 R >>`,
    );
    objects[pageId + 1] = stream('', text(pageContent(page)));
  });

  const parts: Buffer[] = [text('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')];
  let length = (parts[0] as Buffer).length;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = length;
    const object = Buffer.concat([text(`${id} 0 obj\n`), objects[id] as Buffer, text('\nendobj\n')]);
    parts.push(object);
    length += object.length;
  }
  let trailer = `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) trailer += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  trailer += `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(text(trailer));
  return Buffer.concat(parts);
}
