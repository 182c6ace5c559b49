#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora (seeds/TARGET/) from the byte strings in the tests.

Run from anywhere: python3 framework/fuzz/build_seeds.py. It reads the string literals of
tests/*.rs, tests/support/*.rs and framework/src (requests, chunked bodies, urlencoded data),
and writes each seed under the SHA-1 of its bytes, as libFuzzer names its own. The seeds of
every target but `differential` and `urlencoded` start with the control bytes described in
src/lib.rs (limits, knob, cuts); this script writes each payload with a few of them.
"""

import hashlib
import pathlib
import re
import shutil

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent.parent
SOURCES = (
    sorted((ROOT / "tests").glob("*.rs"))
    + sorted((ROOT / "tests" / "support").glob("*.rs"))
    + sorted((ROOT / "framework" / "src").rglob("*.rs"))
)

# A Rust string or byte string literal (not raw), with its escapes.
LITERAL = re.compile(r'(b?)"((?:[^"\\]|\\.|\\\n)*)"', re.S)
ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\", '"': b'"', "'": b"'", "0": b"\0"}


def unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "\n":  # line continuation: skip the newline and the indentation after it
            i += 2
            while i < len(body) and body[i] in " \t\n":
                i += 1
        elif n == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif n == "u":
            end = body.index("}", i)
            out += chr(int(body[i + 3 : end], 16)).encode()
            i = end + 1
        elif n in ESCAPES:
            out += ESCAPES[n]
            i += 2
        else:
            return None
    return bytes(out)


def literals():
    for path in SOURCES:
        # Character literals first, so that a quote inside one (`b'"'`) starts no string.
        text = re.sub(r"'(\\.|\\x[0-9a-fA-F]{2}|[^\\'\n])'", "''", path.read_text())
        for m in LITERAL.finditer(text):
            try:
                value = unescape(m.group(2))
            except (ValueError, IndexError):
                value = None
            if value is not None:
                yield value


def encode(limits, knob, pieces, payload):
    """src/lib.rs's `encode`."""
    pieces = pieces[:8] or [0]
    return bytes([limits, knob, len(pieces) - 1] + pieces) + payload


CHUNKED_HEAD = b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"


def main():
    requests, bodies, forms = set(), set(), set()
    for value in literals():
        if re.search(rb"^(\r\n)*[A-Z]+ \S* HTTP/1\.[01]\r\n", value):
            requests.add(value)
        elif re.match(rb"^[0-9a-fA-F]+(;[^\r\n]*)?\r\n", value) and b"\r\n0" in value or value.startswith(b"0\r\n"):
            bodies.add(value)
        elif re.fullmatch(rb"[A-Za-z0-9_%+.*~-]+=[^\s\"]*", value) and len(value) < 200:
            forms.add(value)
    requests, bodies = sorted(requests), sorted(bodies)
    # The forms with escapes, `+` or several pairs first; 60 are plenty.
    forms = sorted(forms, key=lambda f: (-sum(f.count(c) for c in b"&%+"), f))[:60]
    # A few hand-written inputs that reach the limits and the pipelining paths at once.
    requests += [
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST /big/echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 40\r\n\r\n" + b"x" * 40,
        b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        b"PUT /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nhi\r\n0\r\nX-T: 1\r\n\r\n",
    ]
    heads = [r for r in requests if len(r) <= 400]
    seeds = {
        "head_split": [encode(0x80, 0, [7, 9], r) for r in heads]
        + [encode(0x1F, 0, [1] * 8, r) for r in heads[::4]],
        "chunked": [encode(0x80, 5, [20, 30, 3], r) for r in heads if b"chunked" in r]
        + [encode(0xFF, 3, [60, 2, 2, 2], CHUNKED_HEAD + b) for b in bodies]
        + [encode(0x2E, 1, [61, 1, 1, 1, 1], CHUNKED_HEAD + b) for b in bodies[::4]],
        "urlencoded": forms
        + [b"q=caf%C3%A9+au+lait&sort=desc&tag=a&tag=b&page=2&flag=true",
           b"a=-7&b=1e3&c=255&n=1&n=-2&name=x&sort=most-recent", b"b=NaN&b=inf", b"%zz=1&&=&q"],
        "connection": [encode(0, 0, [10, 20, 30], r) for r in requests]
        + [encode(0, 0, [1, 1, 1, 1, 1, 1, 1, 1], r) for r in requests[::5]],
        "differential": heads,
    }
    for target, inputs in seeds.items():
        folder = FUZZ / "seeds" / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for data in inputs:
            (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"{target}: {len(set(inputs))} seeds")


if __name__ == "__main__":
    main()
