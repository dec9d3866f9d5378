"""What a text may be: whole sentences within what the SMS gateway takes."""

# The longest text the gateway takes, the 【signature】 included: a long SMS of five 67-character
# parts (UCS-2). The platform's contract names no figure; this is the assumed one, kept low.
SMS_MAX_CHARS = 335
SIGNATURE_ROOM = 10  # 【…】 around the longest registered signature
ENDS = "。！？；"


def whole_sentences(text: str, limit: int) -> str:
    """The longest run of ``text``'s first sentences within ``limit`` characters; never a
    sentence cut in half (``""`` when even the first one does not fit)."""
    if len(text) <= limit:
        return text
    cut = max((i for i, ch in enumerate(text[:limit]) if ch in ENDS), default=-1)
    return text[: cut + 1]


def fits(text: str) -> bool:
    """A text the gateway takes whole, with room for the signature."""
    return len(text) + SIGNATURE_ROOM <= SMS_MAX_CHARS


def is_whole(text: str) -> bool:
    """Ends where a sentence ends or with a link (the last thing a text may carry)."""
    last = text.rstrip().split("：")[-1]
    return text.rstrip()[-1:] in ENDS or last.startswith("http")
