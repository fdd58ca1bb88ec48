"""Masking by the house rule: the rules live with the protocol (``sync.protocol.masking``),
shared with head office's admin commands; the branch app imports them from here."""

from __future__ import annotations

from sync.protocol.masking import MASKS, mask_card, mask_id, mask_mobile, mask_name

__all__ = ["MASKS", "mask_card", "mask_id", "mask_mobile", "mask_name"]
