"""Safety: warning signs and medical conditions recognised in plain words (no telegram here).

``build_detector(catalog)`` once at start-up, then ``detector.detect(text)`` gives the signs a
message mentions, most urgent first, each with the safety entry to lead the answer with.
"""

from bot.safety.detector import (
    SIGNS_FILE,
    SafetyDetector,
    SafetyMatch,
    Sign,
    SignData,
    build_detector,
    lead_entries,
    load_signs,
)

__all__ = [
    "SIGNS_FILE",
    "SafetyDetector",
    "SafetyMatch",
    "Sign",
    "SignData",
    "build_detector",
    "lead_entries",
    "load_signs",
]
