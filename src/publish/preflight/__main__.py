"""``python -m publish.preflight FILE.pdf… [--trim A4] [--bleed 3] [--binding saddle] [--strict]``

A stand-in for ``publish check`` until the CLI wires :func:`publish.preflight.check_pdf`."""

from __future__ import annotations

import argparse
import sys

from publish.preflight import Expectations, check_pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m publish.preflight', description=__doc__)
    parser.add_argument('pdf', nargs='+')
    parser.add_argument('--trim', help='A4, A5, JIS-B5 or WxH in mm')
    parser.add_argument('--bleed', type=float)
    parser.add_argument('--binding', choices=('saddle', 'perfect'))
    parser.add_argument('--pdfx', action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument('--profile', choices=('press', 'screen'),
                        help='check against a profile (the options above refine it)')
    parser.add_argument('--strict', action='store_true', help='fail on warnings too')
    parser.add_argument('-v', '--verbose', action='store_true', help='show info findings')
    args = parser.parse_args(argv)
    trim = None
    if args.trim:
        from publish.press.settings import parse_trim
        trim = parse_trim(args.trim.split('x') if 'x' in args.trim else args.trim)
    expect = Expectations(trim_mm=trim, bleed_mm=args.bleed, pdfx=args.pdfx, binding=args.binding)
    if args.profile:
        from dataclasses import replace

        from publish.preflight.profiles import profile_expectations
        base = profile_expectations(args.profile, trim_mm=trim)
        expect = replace(base, bleed_mm=args.bleed, binding=args.binding,
                         pdfx=base.pdfx if args.pdfx is None else args.pdfx)
    status = 0
    for path in args.pdf:
        report = check_pdf(path, expect)
        print(report.format(verbose=args.verbose))
        status = max(status, report.exit_status(args.strict))
    return status


if __name__ == '__main__':
    sys.exit(main())
