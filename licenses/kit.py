"""A release's kit, from renderer 2 on: what its license covers besides the weights, and the files that
unpack at the root of a model's repository.

OWPL §2 covers the weights, and other material (configuration, tokenizer, code, documentation) only
where the licensor designates it "in a file distributed with the Weights". The wizard asks what else
is covered; the kit's NOTICE makes that designation, and its REUSE.toml and model card follow it.

Coverage is data kept with the release (`Release.coverage`), part of its id:
`{"kinds": [...], "patterns": [...]}`, the kinds in the order of KINDS, the patterns as given.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # how the wizard asks, and how NOTICE names it
    patterns: tuple[str, ...]  # the files it means in a repository (REUSE.toml globs)


# Where the weights are: the file types that hold a model's parameters.
WEIGHTS = ("**/*.safetensors", "**/*.bin", "**/*.gguf", "**/*.pt", "**/*.pth", "**/*.ckpt", "**/*.onnx", "**/*.h5")

KINDS = (
    Kind(
        "configuration",
        "configuration files",
        ("**/config.json", "**/generation_config.json", "**/preprocessor_config.json"),
    ),
    Kind(
        "tokenizer",
        "tokenizer files",
        (
            "**/tokenizer.json",
            "**/tokenizer_config.json",
            "**/tokenizer.model",
            "**/special_tokens_map.json",
            "**/added_tokens.json",
            "**/vocab.json",
            "**/vocab.txt",
            "**/merges.txt",
        ),
    ),
    Kind("code", "code", ("**/*.py",)),
    Kind("documentation", "documentation", ("**/*.md", "docs/**")),
)
KIND_KEYS = tuple(kind.key for kind in KINDS)
# What a release covers when nobody said (a client that never saw the question): what loading the
# weights needs, their configuration and tokenizer. The wizard shows these ticked.
DEFAULT_KINDS = ("configuration", "tokenizer")

MAX_PATTERNS = 20
MAX_PATTERN_LENGTH = 200
_PATTERN_RE = re.compile(r"[A-Za-z0-9._*?/\-+@ ]+")


def default_coverage() -> dict:
    return {"kinds": list(DEFAULT_KINDS), "patterns": []}


def clean_pattern(pattern: str) -> str:
    """Return a file pattern as REUSE.toml takes it, or raise ValueError saying why it cannot be one."""
    pattern = pattern.strip()
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"A file pattern has at most {MAX_PATTERN_LENGTH} characters.")
    if not _PATTERN_RE.fullmatch(pattern):
        raise ValueError(
            f"{pattern!r} is not a file pattern: use letters, digits, . _ - + @ / and the wildcards * and ?, "
            "such as *.gguf or scripts/**."
        )
    if pattern.startswith("/") or ".." in pattern.split("/"):
        raise ValueError(f"{pattern!r} must be a path inside the repository (no leading / and no ..).")
    return pattern


def clean_coverage(data: dict | None) -> tuple[dict, list[str]]:
    """Return the canonical coverage for `data` ({"kinds": [...], "patterns": [...]}, or None for the
    default) and the messages for what is wrong with it."""
    if data is None:
        return default_coverage(), []
    problems = []
    kinds = data.get("kinds") or []
    patterns = data.get("patterns") or []
    if not isinstance(kinds, list) or not all(isinstance(kind, str) for kind in kinds):
        return default_coverage(), ["kinds must be a list of names."]
    if not isinstance(patterns, list) or not all(isinstance(pattern, str) for pattern in patterns):
        return default_coverage(), ["patterns must be a list of file patterns."]
    unknown = [kind for kind in kinds if kind not in KIND_KEYS]
    if unknown:
        problems.append(f"Unknown kinds {', '.join(map(repr, unknown))}: the kinds are {', '.join(KIND_KEYS)}.")
    cleaned = []
    for pattern in patterns:
        if not pattern.strip():
            continue
        try:
            cleaned.append(clean_pattern(pattern))
        except ValueError as error:
            problems.append(str(error))
    if len(cleaned) > MAX_PATTERNS:
        problems.append(f"Give at most {MAX_PATTERNS} file patterns.")
    coverage = {"kinds": [key for key in KIND_KEYS if key in kinds], "patterns": list(dict.fromkeys(cleaned))}
    return coverage, problems


def covered_patterns(coverage: dict) -> list[str]:
    """Return the globs of everything the license covers: the weights, then each designated kind's, then
    the publisher's own patterns."""
    patterns = list(WEIGHTS)
    for kind in KINDS:
        if kind.key in coverage.get("kinds", ()):
            patterns += kind.patterns
    return list(dict.fromkeys(patterns + list(coverage.get("patterns", ()))))
