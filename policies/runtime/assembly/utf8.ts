// UTF-8 decoding with Go's rules (which OPA follows): a byte that does not start a valid,
// shortest-form sequence counts as one (invalid) code point of width 1.

// @ts-ignore: decorator
@inline function cont(p: usize, i: u32, n: u32, lo: u32, hi: u32): bool {
  if (i >= n) return false;
  let b = <u32>load<u8>(p + i);
  return b >= lo && b <= hi;
}

/** Byte length of the code point at p[i] (of n bytes): 1..4, or 1 for an invalid byte. */
export function runeLen(p: usize, i: u32, n: u32): u32 {
  let b = <u32>load<u8>(p + i);
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return cont(p, i + 1, n, 0x80, 0xbf) ? 2 : 1;
  if (b >= 0xe0 && b <= 0xef) {
    let lo: u32 = b == 0xe0 ? 0xa0 : 0x80;
    let hi: u32 = b == 0xed ? 0x9f : 0xbf;
    return cont(p, i + 1, n, lo, hi) && cont(p, i + 2, n, 0x80, 0xbf) ? 3 : 1;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    let lo: u32 = b == 0xf0 ? 0x90 : 0x80;
    let hi: u32 = b == 0xf4 ? 0x8f : 0xbf;
    return cont(p, i + 1, n, lo, hi) && cont(p, i + 2, n, 0x80, 0xbf) && cont(p, i + 3, n, 0x80, 0xbf) ? 4 : 1;
  }
  return 1;
}

/** Number of code points in n bytes at p (invalid bytes count one each). */
export function countRunes(p: usize, n: u32): u32 {
  let count: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    i += runeLen(p, i, n);
    count++;
  }
  return count;
}

/** Start of the code point that ends at byte `end` (exclusive), not before `start`. */
export function runeStartBefore(p: usize, start: u32, end: u32): u32 {
  for (let back: u32 = 1; back <= 4 && end - back >= start; back++) {
    let b = end - back;
    if (runeLen(p, b, end) == back) return b;
    if (back == end - start) break;
  }
  return end - 1;
}
