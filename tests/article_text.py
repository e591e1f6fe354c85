"""Build house-format article text for tests, with knobs for the drift real exports show."""

from __future__ import annotations

HOUSE_DISCLAIMER = (
    "The information provided by Stackwise is for informational purposes only and is not a "
    "substitute for professional medical advice, diagnosis, or treatment. Always consult your "
    "healthcare provider before making changes to your health regimen. For more details, see "
    "our Terms of Service and Privacy Policy."
)
HEADINGS = {
    "how_it_works": "How It Works",
    "benefits": "Benefits For Your Health",
    "science": "The Science Behind It",
    "protocol": "Treatment Protocol",
    "watch_out": "What to Watch Out For",
    "health_risks": "Health Risks",
}
FILLER = ("Researchers describe the approach in plain terms for readers who want to "
          "understand it before they talk to a doctor about whether it suits them. ")


def body(key: str, words: int = 70) -> str:
    sentence = f"The {key.replace('_', ' ')} part explains things. " + FILLER
    text = (sentence * (words // len(sentence.split()) + 1)).split()[:words]
    return " ".join(text).rstrip(".") + "."


def article(
    title: str = "Gentle Therapy for Testing",
    label: str | None = "Moderate Risk",
    intro: str | None = None,
    sections: list[tuple[str, str]] | None = None,
    risks: list[str] | None = None,
    bullet: str = "  • ",
    disclaimer: str | None = HOUSE_DISCLAIMER,
    newline: str = "\n",
) -> str:
    """House-format text. ``sections`` is a list of (heading, body); Health Risks is added
    from ``risks`` unless a Health Risks heading is already in ``sections``."""
    parts = [title, ""]
    if label is not None:
        parts += [label, ""]
    parts += [intro if intro is not None else
              "This therapy is offered in many clinics, and people ask about it often. " * 3, ""]
    if sections is None:
        sections = [(HEADINGS[k], body(k)) for k in HEADINGS if k != "health_risks"]
    for heading, text in sections:
        parts += [heading, "", text, ""]
    if risks is None:
        risks = ["mild nausea", "headache", "dizziness"]
    if not any(h.lower() == "health risks" for h, _ in sections):
        parts += ["Health Risks", ""]
        parts += [bullet + r for r in risks]
        parts += [""]
    if disclaimer is not None:
        parts += [disclaimer]
    return newline.join(parts)
