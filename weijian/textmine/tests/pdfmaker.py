"""Tiny PDF writer for the tests: pages of Chinese text in the standard STSong-Light font
(no embedding; UniGB-UCS2-H encoding), or pages with no text at all, or an encrypted shell.
Built by hand so the tests need no PDF-writing library."""

from __future__ import annotations


def _pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def text_pdf(pages: list[list[str]], *, encrypt: bool = False) -> bytes:
    """A PDF whose pages carry the given lines as real text."""
    n = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 descendant font, then (page, content) pairs.
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >> >>",
    ]
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 12 Tf 14 TL 40 800 Td"]
        for line in lines:
            ops.append(b"<" + line.encode("utf-16-be").hex().encode() + b"> Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (6 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    extra = b""
    if encrypt:
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <" + b"11" * 32 + b"> /P -4 >>"
        )
        extra = (
            b"/Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] "
            % len(objects)
        )
    return _pdf(objects, extra)


def blank_pdf(pages: int = 1) -> bytes:
    """A PDF with pages but no text layer, as a scanner without OCR produces."""
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ]
    for i in range(pages):
        stream = b"0.5 g 40 40 500 700 re f"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (4 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _pdf(objects)


def table_pdf(title: str, rows: list[list[str]], *, col_width: int = 110, row_height: int = 24) -> bytes:
    """A one-page PDF: a title line, then a ruled table of `rows` (each cell one line of text)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >> >>",
    ]
    ops = [b"BT /F1 14 Tf 40 800 Td <" + title.encode("utf-16-be").hex().encode() + b"> Tj ET"]
    left, top = 30, 770
    cols = max(len(r) for r in rows)
    for r, row in enumerate(rows):
        y = top - (r + 1) * row_height
        for c in range(cols):
            x = left + c * col_width
            ops.append(b"%d %d %d %d re S" % (x, y, col_width, row_height))
            text = row[c] if c < len(row) else ""
            if text:
                ops.append(
                    b"BT /F1 9 Tf %d %d Td <" % (x + 3, y + 8)
                    + text.encode("utf-16-be").hex().encode()
                    + b"> Tj ET"
                )
    stream = b"\n".join(ops)
    objects.append(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 6 0 R >>"
    )
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _pdf(objects)
