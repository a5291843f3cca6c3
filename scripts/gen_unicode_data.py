#!/usr/bin/env python3
"""Generates core/text/unicode_data.cpp: the Unicode and HTML tables behind the CLIP text
normalisation and pre-tokenisation (core/text/unicode.cpp, core/text/clip_normalizer.cpp) and
the A1111 prompt parser.

Everything is derived from this Python's `unicodedata`, `str` methods and `html` module, i.e. the
semantics the reference tokenizers (openai/CLIP simple_tokenizer.py, HF CLIPTokenizer, OpenCLIP)
and A1111's prompt parser rely on:

* property runs: per code point a bit set (see kFlag* in core/text/unicode_data.h)
    letter       unicodedata category L*            (regex \\p{L})
    number       category N*                        (regex \\p{N})
    decimal      category Nd                        (Python re \\d, float())
    whiteSpace   Unicode White_Space property       (`regex` module \\s)
    pySpace      str.isspace()                      (str.strip(), Python re \\s)
    pyWord       str.isalnum() or '_'               (Python re \\w, \\b)
    cased        Cased property                     (final-sigma rule of str.lower())
    caseIgnorable Case_Ignorable property           (final-sigma rule of str.lower())
    unmatched    matched by no alternative of the CLIP pre-tokeniser regex because the pattern is
                 case-insensitive and a simple case variant of the code point is a letter/number/
                 space (e.g. U+0345: [^\\s\\p{L}\\p{N}] fails, [\\p{L}] fails -> skipped)
* lower-case mapping of str.lower() (runs + multi-code-point specials; the final sigma is
  context dependent and handled in code)
* html.entities.html5 and the numeric character reference fix-ups of html.unescape()

Usage: python3 scripts/gen_unicode_data.py [output.cpp]   (default: core/text/unicode_data.cpp)
If the `regex` module is installed, the derived classes are cross-checked against it.
"""

import html
import html.entities
import os
import sys
import unicodedata

MAX_CP = 0x110000

FLAG_LETTER = 1 << 0
FLAG_NUMBER = 1 << 1
FLAG_DECIMAL = 1 << 2
FLAG_WHITE_SPACE = 1 << 3
FLAG_PY_SPACE = 1 << 4
FLAG_PY_WORD = 1 << 5
FLAG_CASED = 1 << 6
FLAG_CASE_IGNORABLE = 1 << 7
FLAG_UNMATCHED = 1 << 8

# PropList.txt White_Space (stable since Unicode 6.3, when U+180E was removed).
WHITE_SPACE = set(range(0x9, 0xE)) | {0x20, 0x85, 0xA0, 0x1680} | set(range(0x2000, 0x200B)) | {
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000}


def is_surrogate(cp):
    return 0xD800 <= cp <= 0xDFFF


def sigma_probe(cp):
    """Derives (cased, case_ignorable) of cp from str.lower()'s final-sigma rule (CPython's
    handle_capital_sigma uses exactly the Cased and Case_Ignorable properties)."""
    c = chr(cp)
    # 'A' Σ c 'B': c ignorable -> skipped, followed by the cased 'B' -> σ.
    #              c not ignorable -> final iff c is not cased.
    # 'A' Σ c '1': c ignorable -> skipped, followed by uncased '1' -> ς.
    with_cased = ('A\u03a3' + c + 'B').lower()[1]
    with_uncased = ('A\u03a3' + c + '1').lower()[1]
    ignorable = with_cased != with_uncased
    if ignorable:
        cased = c.islower() or c.isupper() or unicodedata.category(c) == 'Lt'
    else:
        cased = with_cased == '\u03c3'
    return cased, ignorable


def simple_case_variants(cp):
    c = chr(cp)
    out = set()
    for v in (c.lower(), c.upper(), c.casefold(), c.title()):
        if len(v) == 1:
            out.add(ord(v))
    return out


def compute_flags():
    flags = [0] * MAX_CP
    cat = [''] * MAX_CP
    for cp in range(MAX_CP):
        cat[cp] = unicodedata.category(chr(cp))
    # Simple case-folding classes (what the `regex` module's IGNORECASE matching uses).
    fold_class = {}
    for cp in range(MAX_CP):
        if is_surrogate(cp):
            continue
        for v in simple_case_variants(cp):
            key = chr(v).casefold()
            key = key if len(key) == 1 else chr(v)
            fold_class.setdefault(key, set()).update({cp, v})
    for cp in range(MAX_CP):
        c = chr(cp)
        f = 0
        k = cat[cp]
        if k[0] == 'L':
            f |= FLAG_LETTER
        if k[0] == 'N':
            f |= FLAG_NUMBER
        if k == 'Nd':
            f |= FLAG_DECIMAL
        if cp in WHITE_SPACE:
            f |= FLAG_WHITE_SPACE
        if c.isspace():
            f |= FLAG_PY_SPACE
        if c.isalnum() or c == '_':
            f |= FLAG_PY_WORD
        if not is_surrogate(cp):
            cased, ignorable = sigma_probe(cp)
            if cased:
                f |= FLAG_CASED
            if ignorable:
                f |= FLAG_CASE_IGNORABLE
        flags[cp] = f
    for cp in range(MAX_CP):
        f = flags[cp]
        if f & (FLAG_LETTER | FLAG_NUMBER | FLAG_WHITE_SPACE) or is_surrogate(cp):
            continue
        key = chr(cp).casefold()
        key = key if len(key) == 1 else chr(cp)
        variants = fold_class.get(key, set()) | simple_case_variants(cp)
        if any(cat[v][0] in 'LN' or v in WHITE_SPACE for v in variants if v != cp):
            flags[cp] |= FLAG_UNMATCHED
    return flags


def cross_check(flags):
    try:
        import regex
    except ImportError:
        print('note: `regex` module not installed, cross-check skipped', file=sys.stderr)
        return
    letter = regex.compile(r'[\p{L}]', regex.IGNORECASE)
    number = regex.compile(r'[\p{N}]', regex.IGNORECASE)
    other = regex.compile(r'[^\s\p{L}\p{N}]', regex.IGNORECASE)
    space = regex.compile(r'\s')
    mismatches = []
    for cp in range(MAX_CP):
        if is_surrogate(cp) or unicodedata.category(chr(cp)) == 'Cn':
            continue  # unassigned in this Unicode version: the regex module may know it
        c = chr(cp)
        f = flags[cp]
        ours = (bool(f & FLAG_LETTER), bool(f & FLAG_NUMBER),
                not (f & (FLAG_LETTER | FLAG_NUMBER | FLAG_WHITE_SPACE | FLAG_UNMATCHED)),
                bool(f & FLAG_WHITE_SPACE))
        theirs = (bool(letter.match(c)), bool(number.match(c)), bool(other.match(c)),
                  bool(space.match(c)))
        if ours != theirs:
            mismatches.append(cp)
    print('cross-check against regex %s: %d assigned code points differ (Unicode %s vs the regex'
          ' module\'s own tables)%s' % (regex.__version__, len(mismatches), unicodedata.unidata_version,
                              ': ' + ' '.join('%04X' % c for c in mismatches[:40]) +
                              (' ...' if len(mismatches) > 40 else '') if mismatches else ''),
          file=sys.stderr)


def property_runs(flags):
    runs = []
    prev = None
    for cp in range(MAX_CP):
        if flags[cp] != prev:
            runs.append((cp, flags[cp]))
            prev = flags[cp]
    return runs


def check_decimal_runs(runs, flags):
    # core/text/unicode.cpp derives a digit's value as (cp - first of its run) % 10.
    starts = [r[0] for r in runs] + [MAX_CP]
    for first, end in zip(starts, starts[1:]):
        if flags[first] & FLAG_DECIMAL:
            for cp in range(first, end):
                assert unicodedata.decimal(chr(cp)) == (cp - first) % 10, hex(cp)


def lower_tables():
    singles = []
    specials = []
    for cp in range(MAX_CP):
        if is_surrogate(cp):
            continue
        lo = chr(cp).lower()
        if lo == chr(cp):
            continue
        if len(lo) == 1:
            singles.append((cp, ord(lo) - cp))
        else:
            assert len(lo) <= 3
            specials.append((cp, [ord(x) for x in lo]))
    # Runs of equal delta with stride 1 or 2.
    runs = []
    i = 0
    while i < len(singles):
        cp, delta = singles[i]
        best = (cp, cp, delta, 1, i + 1)
        for stride in (1, 2):
            j = i + 1
            last = cp
            while j < len(singles) and singles[j][0] == last + stride and singles[j][1] == delta:
                last = singles[j][0]
                j += 1
            if j - i > best[4] - i:
                best = (cp, last, delta, stride, j)
        runs.append(best[:4])
        i = best[4]
    return runs, specials


def cp_list_to_spans(cps):
    spans = []
    for cp in sorted(cps):
        if spans and spans[-1][1] + 1 == cp:
            spans[-1][1] = cp
        else:
            spans.append([cp, cp])
    return spans


def chunked(items, per_line):
    for i in range(0, len(items), per_line):
        yield items[i:i + per_line]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'core', 'text',
                                                                   'unicode_data.cpp')
    flags = compute_flags()
    cross_check(flags)
    runs = property_runs(flags)
    check_decimal_runs(runs, flags)
    lower_runs, lower_specials = lower_tables()
    entities = sorted(html.entities.html5.items(), key=lambda kv: kv[0].encode('ascii'))
    charref_fixes = sorted(html._invalid_charrefs.items())
    invalid_spans = cp_list_to_spans(html._invalid_codepoints)

    o = []
    o.append('// GENERATED by scripts/gen_unicode_data.py from Python %s (unicodedata %s, html).'
             % (sys.version.split()[0], unicodedata.unidata_version))
    o.append('// Do not edit by hand: rerun the script. Layout of the tables: core/text/unicode_data.h.')
    o.append('// clang-format off')
    o.append('#include "core/text/unicode_data.h"')
    o.append('')
    o.append('namespace lienzo::unicode_data {')
    o.append('')
    o.append('const char kUnicodeVersion[] = "%s";' % unicodedata.unidata_version)
    o.append('')
    o.append('// {first code point, flags}: flags hold from `first` up to the next entry.')
    o.append('const PropertyRun kPropertyRuns[] = {')
    for line in chunked(runs, 6):
        o.append('  ' + ' '.join('{0x%X, 0x%X},' % r for r in line))
    o.append('};')
    o.append('const std::size_t kPropertyRunCount = %d;' % len(runs))
    o.append('')
    o.append('// {first, last, delta, stride}: first, first+stride, ..., last lower-case to cp+delta.')
    o.append('const LowerRun kLowerRuns[] = {')
    for line in chunked(lower_runs, 4):
        o.append('  ' + ' '.join('{0x%X, 0x%X, %d, %d},' % r for r in line))
    o.append('};')
    o.append('const std::size_t kLowerRunCount = %d;' % len(lower_runs))
    o.append('')
    o.append('const SpecialLower kSpecialLowers[] = {')
    for cp, seq in lower_specials:
        seq = seq + [0] * (3 - len(seq))
        o.append('  {0x%X, {0x%X, 0x%X, 0x%X}},' % (cp, seq[0], seq[1], seq[2]))
    o.append('};')
    o.append('const std::size_t kSpecialLowerCount = %d;' % len(lower_specials))
    o.append('')
    o.append('// html.entities.html5, sorted by name (byte order); value = 1 or 2 code points.')
    o.append('const HtmlEntity kHtmlEntities[] = {')
    for line in chunked(entities, 3):
        parts = []
        for name, value in line:
            v = [ord(x) for x in value] + [0] * (2 - len(value))
            parts.append('{"%s", {0x%X, 0x%X}},' % (name, v[0], v[1]))
        o.append('  ' + ' '.join(parts))
    o.append('};')
    o.append('const std::size_t kHtmlEntityCount = %d;' % len(entities))
    o.append('')
    o.append('// html._invalid_charrefs: numeric references replaced by another code point.')
    o.append('const HtmlCharRefFix kHtmlCharRefFixes[] = {')
    for line in chunked(charref_fixes, 6):
        o.append('  ' + ' '.join('{0x%X, 0x%X},' % (n, ord(v)) for n, v in line))
    o.append('};')
    o.append('const std::size_t kHtmlCharRefFixCount = %d;' % len(charref_fixes))
    o.append('')
    o.append('// html._invalid_codepoints: numeric references that are dropped.')
    o.append('const CodePointSpan kHtmlInvalidCodePoints[] = {')
    for line in chunked(invalid_spans, 6):
        o.append('  ' + ' '.join('{0x%X, 0x%X},' % tuple(s) for s in line))
    o.append('};')
    o.append('const std::size_t kHtmlInvalidCodePointCount = %d;' % len(invalid_spans))
    o.append('')
    o.append('}  // namespace lienzo::unicode_data')
    with open(out_path, 'w', encoding='ascii', newline='\n') as f:
        f.write('\n'.join(o) + '\n')
    print('wrote %s: %d property runs, %d lower runs, %d special lowers, %d entities' %
          (out_path, len(runs), len(lower_runs), len(lower_specials), len(entities)),
          file=sys.stderr)


if __name__ == '__main__':
    main()
