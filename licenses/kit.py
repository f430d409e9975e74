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


# The kit's folder of extras: what a repository may keep or leave (the other renderings, the badge,
# the SPDX header line, the note on merging into an existing model card).
EXTRAS = "open-weights"
# The kit's own files, which its NOTICE designates too (they are documentation published with the
# weights), so that REUSE.toml covers every file of the kit.
KIT_FILES = ("NOTICE", "README.md", f"{EXTRAS}/**")
NOTICE_WIDTH = 78


@dataclass(frozen=True)
class Release:
    """What the kit's texts say of a release (plain values; no database)."""

    model: str
    licensor: str
    year: str
    title: str  # "Open Weights Permissive License 1.0"
    short_name: str  # "OWPL 1.0"
    key: str  # "owpl-1.0", the model card's license_name
    spdx_id: str  # "LicenseRef-OWPL-1.0"
    license_url: str
    release_url: str
    coverage: dict
    renderer: str


def _designations(release: Release) -> list[str]:
    """The material besides the weights that NOTICE designates, one line each."""
    lines = []
    for kind in KINDS:
        if kind.key in release.coverage.get("kinds", ()):
            examples = ", ".join(pattern.removeprefix("**/") for pattern in kind.patterns)
            lines.append(f"{kind.label[:1].upper()}{kind.label[1:]}: {examples}")
    for pattern in release.coverage.get("patterns", ()):
        lines.append(f"Files matching {pattern}")
    lines.append(f"This NOTICE, README.md and the files in {EXTRAS}/ (documentation published with the Weights)")
    return lines


def notice_paragraphs(release: Release, value) -> list[tuple[str, list[str]]]:
    """NOTICE as (kind, texts): "para" paragraphs and "list" items, values passed through `value`
    (isolation for text, escaping for Markdown). In the license's own defined terms: OWPL §2 covers
    material besides the weights only where the Licensor designates it in a file distributed with them;
    this is that file."""
    licensor = value(release.licensor) if release.licensor else "the Licensor"
    model = value(release.model) if release.model else "the Model"
    copyright_line = " ".join(
        part for part in ("Copyright", value(release.year) if release.year else "", licensor) if part
    )
    return [
        ("para", [model, copyright_line]),
        (
            "para",
            [
                "The Weights and other Model Elements that the Licensor designates are licensed under the "
                f'{release.title} (the "License"): {release.license_url}'
            ],
        ),
        (
            "para",
            [
                f'Under Section 2 of the License, {licensor} (the "Licensor") designates as covered by the '
                f"License, besides the Weights of {model}, the following material distributed with them:"
            ],
        ),
        ("list", _designations(release)),
        ("para", ["Other material distributed with the Weights is not covered unless it says so itself."]),
        ("para", [f"This release: {release.release_url}", f"SPDX-License-Identifier: {release.spdx_id}"]),
    ]


def notice(release: Release) -> str:
    """Return the kit's NOTICE: plain text, wrapped at 78 display columns."""
    from . import rendering

    value = lambda text: rendering.isolated(text, release.renderer)  # noqa: E731
    blocks = []
    for kind, texts in notice_paragraphs(release, value):
        lines = []
        for text in texts:
            if kind == "list":
                lines += rendering.wrap(text, NOTICE_WIDTH, initial_indent="  - ", subsequent_indent="    ")
            else:
                lines += rendering.wrap(text, NOTICE_WIDTH)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def model_card(release: Release) -> str:
    """Return the kit's README.md: a model card whose front matter names the license as the Hugging
    Face Hub reads it (license: other, license_name, license_link to the LICENSE beside it) and whose
    License section is the completed notice."""
    from . import rendering

    escape = lambda text: rendering.isolated(rendering.escape_markdown(text), release.renderer)  # noqa: E731
    heading = escape(release.model) if release.model else "Model"
    lines = [
        "---",
        "license: other",
        f"license_name: {release.key}",
        "license_link: LICENSE",
        "---",
        "",
        f"# {heading}",
        "",
        "<!-- Describe the model here: what it is, how it was trained and evaluated, how to use it. -->",
        "",
        "## License",
        "",
    ]
    for kind, texts in notice_paragraphs(release, escape):
        if kind == "list":
            lines += [f"- {text}" for text in texts]
        else:
            lines.append("  \n".join(texts))
        lines.append("")
    lines.append("The full terms are in [LICENSE](LICENSE); NOTICE makes the designation above.")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string: the same escapes (\" \\ \uXXXX), and values hold no controls.
    import json

    return json.dumps(text, ensure_ascii=False)


def reuse_patterns(patterns: list[str]) -> list[str]:
    """Return REUSE.toml paths for kit patterns: "**/config.json" also as "config.json" at the root
    (REUSE's ** needs the slash after it), "**/*.bin" as "**.bin", which matches at any depth."""
    out = []
    for pattern in patterns:
        if pattern.startswith("**/*"):
            out.append("**" + pattern.removeprefix("**/*"))
        elif pattern.startswith("**/"):
            out += [pattern.removeprefix("**/"), pattern]
        else:
            out.append(pattern)
    return list(dict.fromkeys(out))


def reuse_toml(release: Release) -> str:
    """Return the kit's REUSE.toml (REUSE 3.3): the weights, the designated material and the kit's own
    files, under the licensor's copyright and the license's SPDX identifier."""
    copyright_text = " ".join(part for part in (release.year, release.licensor) if part) or "the Licensor"
    paths = reuse_patterns(covered_patterns(release.coverage)) + list(KIT_FILES)
    lines = [
        "# What the license covers in this repository, as REUSE (https://reuse.software) reads it.",
        f"# Made with the release {release.release_url}",
        "version = 1",
        "",
        "[[annotations]]",
        "path = [",
        *(f"    {_toml_string(path)}," for path in paths),
        "]",
        'precedence = "aggregate"',
        f"SPDX-FileCopyrightText = {_toml_string(copyright_text)}",
        f"SPDX-License-Identifier = {_toml_string(release.spdx_id)}",
    ]
    return "\n".join(lines) + "\n"


def merging_note(release: Release) -> str:
    """Return the note on merging the kit's README.md into a model card that exists already."""
    return f"""# Merging this kit into an existing model card

A model card (README.md on the Hugging Face Hub) has one block of front matter, between two lines of
three dashes, at the very top of the file. Pasting a second block below the first does not add to it:
the Hub reads only the first, and the second becomes text in the card's body.

So, if your repository already has a README.md:

1. Copy these three lines into the front matter you have, replacing any license lines in it:

       license: other
       license_name: {release.key}
       license_link: LICENSE

2. Copy the License section of this kit's README.md into your card.
3. Put LICENSE, NOTICE, REUSE.toml and LICENSES/ at the root of the repository, beside the weights.

Then `reuse lint` checks that every file is covered, and the Hub shows the license on the model's page.
"""


def archive(members: list[tuple[str, bytes]], stamp: tuple) -> bytes:
    """Return a zip of the members, byte-identical on every call (fixed dates and permissions)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, body in members:
            info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, body)
    return buffer.getvalue()
