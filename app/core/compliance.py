"""Marketing-language checks for scripts and notes meant for clients.

The word list is data (``resources/compliance_words.json``, loaded by
``app.services.compliance``, replaced by head office's ``compliance_words``
record once a sync brings one), not code. A longer blocked word wins over a
shorter warn word it contains (保证收益 is blocked, not merely a warning for 保证);
an allowed compound covers the words inside it (安全生产 is no claim of safety,
保证金 no guarantee), so they are not flagged there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WordList:
    version: str
    block: tuple[str, ...]
    warn: tuple[str, ...]
    risk_line: str
    allowed: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WordList:
        return cls(str(d["version"]), tuple(d["block"]), tuple(d["warn"]), str(d["risk_line"]),
                   tuple(d.get("allowed") or ()))


@dataclass(frozen=True)
class Finding:
    word: str
    start: int
    level: str  # "block" | "warn"

    @property
    def message(self) -> str:
        if self.level == "missing_risk_line":
            return f"理财产品的材料须写明风险提示语“{self.word}”。"
        if self.level == "block":
            return f"含有禁用词“{self.word}”（第 {self.start + 1} 个字起），面向客户的文字不能使用。"
        return f"含有需谨慎使用的词“{self.word}”（第 {self.start + 1} 个字起），请确认表述合规。"


def check_text(text: str, words: WordList, *, wealth: bool = False) -> list[Finding]:
    """Blocked and warned words in ``text``, in order; for wealth material, a missing risk line."""
    found: list[Finding] = []
    covered = [False] * len(text)
    for w in words.allowed:  # allowed compounds: nothing inside them is flagged
        start = text.find(w)
        while start != -1:
            for i in range(start, start + len(w)):
                covered[i] = True
            start = text.find(w, start + 1)
    for level, vocab in (("block", words.block), ("warn", words.warn)):
        for w in sorted(vocab, key=len, reverse=True):
            start = text.find(w)
            while start != -1:
                if not any(covered[start : start + len(w)]):
                    found.append(Finding(w, start, level))
                    for i in range(start, start + len(w)):
                        covered[i] = True
                start = text.find(w, start + 1)
    found.sort(key=lambda f: f.start)
    if wealth and words.risk_line not in text:
        found.append(Finding(words.risk_line, len(text), "missing_risk_line"))
    return found


def blocked(findings: list[Finding]) -> bool:
    return any(f.level in ("block", "missing_risk_line") for f in findings)


def highlight(text: str, finding: Finding, *, around: int = 12) -> str:
    """The words around a finding with the word marked 【thus】 (for a terminal or a tooltip)."""
    if finding.level == "missing_risk_line":
        return f"（缺少：{finding.word}）"
    a, b = finding.start, finding.start + len(finding.word)
    head = ("…" if a > around else "") + text[max(0, a - around):a]
    tail = text[b:b + around] + ("…" if len(text) - b > around else "")
    return f"{head}【{text[a:b]}】{tail}".replace("\n", " ").strip()
