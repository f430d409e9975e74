"""gzip for text answers: frozen bytes are compressed once and kept, never on every request.

Django's GZipMiddleware compresses each response anew, which for a 14 KB page costs three times
what serving it does. Published pages and files never change, so their gzip form is made the first
time a client asks for it and kept by checksum, the way a static site serves `.gz` files next to
the originals. These bodies hold no secret (they are the same for everyone), so the random padding
that GZipMiddleware adds against BREACH is not needed for them.
"""

import gzip

from .memory import Memory

# Types that gzip shrinks; PDF, zip and PNG are compressed already, gzip would only spend CPU.
COMPRESSIBLE_TYPES = ("text/", "application/json", "image/svg+xml", "application/xml", "application/javascript")
MINIMUM_SIZE = 200  # as GZipMiddleware: below this the gzip header outweighs what it saves

_gzipped = Memory("gzip forms by checksum", limit=1024)


def compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE_TYPES)


def accepts_gzip(request) -> bool:
    """Whether Accept-Encoding allows gzip: named (or `*`) with a weight above zero."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "").lower()
    if "gzip" not in header and "*" not in header:
        return False
    weights = {}
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.strip()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def gzip_bytes(body: bytes) -> bytes | None:
    """Return body gzipped (the same bytes each time: no timestamp), or None when that does not shrink it."""
    if len(body) < MINIMUM_SIZE:
        return None
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return packed if len(packed) < len(body) else None


def gzipped(body: bytes, sha: str) -> bytes | None:
    """Return the gzip form of a body known by its checksum, made the first time it is asked for."""
    return _gzipped.get_or_make(sha, lambda: gzip_bytes(body))
