/**
 * The characters text accepts, decided once for the whole contract (see the guide's "Text
 * fields"): no NUL or other control characters (tab, line feed and carriage return aside),
 * no lone surrogates, no bidirectional overrides or isolates, no zero-width or invisible
 * formatting characters, no U+FFFD (the replacement of bytes that were not UTF-8). Accepted text is stored NFC-normalised, so two spellings of
 * "Réseau Abidjan" are one.
 */

/** Refused code points: [first, last, why], as a partner reads it in `errors[].message`. */
const REFUSED: [number, number, string][] = [
  [0x00, 0x00, 'contains a NUL character'],
  [0x01, 0x08, 'contains a control character'],
  [0x0b, 0x0c, 'contains a control character'],
  [0x0e, 0x1f, 'contains a control character'],
  [0x7f, 0x9f, 'contains a control character'],
  [0xad, 0xad, 'contains a zero-width or invisible character'],
  [0x061c, 0x061c, 'contains a bidirectional override or isolate'],
  [0x200b, 0x200f, 'contains a zero-width or invisible character'],
  [0x202a, 0x202e, 'contains a bidirectional override or isolate'],
  [0x2060, 0x2064, 'contains a zero-width or invisible character'],
  [0x2066, 0x2069, 'contains a bidirectional override or isolate'],
  [0xfeff, 0xfeff, 'contains a zero-width or invisible character'],
  // What decoders put in place of bytes that are not UTF-8 (a percent-encoded %FF in a query).
  [0xfffd, 0xfffd, 'contains U+FFFD, the mark of bytes that were not valid UTF-8'],
];

/** The reason the text is refused, or null when every character is accepted. */
export function refusedText(text: string): string | null {
  if (!text.isWellFormed()) return 'contains an unpaired surrogate (not valid Unicode)';
  for (const character of text) {
    const point = character.codePointAt(0) ?? 0;
    for (const [first, last, reason] of REFUSED) if (point >= first && point <= last) return reason;
  }
  return null;
}

/** Accepted text as it is stored and compared: Unicode NFC. */
export const normalizedText = (text: string): string => text.normalize('NFC');
