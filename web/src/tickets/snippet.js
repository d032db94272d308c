// Search snippets from the server are HTML-escaped apart from <mark> tags.
// They are never put into the page as HTML: split into text and marked parts,
// entities decoded, and rendered as text nodes (Vue escapes them again).

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** "a <mark>jam</mark> b" → [{ text: 'a ', mark: false }, { text: 'jam', mark: true }, { text: ' b', mark: false }]. */
export function snippetParts(snippet) {
  const parts = [];
  let mark = false;
  for (const piece of String(snippet || '').split(/(<\/?mark>)/i)) {
    if (/^<mark>$/i.test(piece)) { mark = true; continue; }
    if (/^<\/mark>$/i.test(piece)) { mark = false; continue; }
    if (piece) parts.push({ text: decodeEntities(piece), mark });
  }
  return parts;
}
