"""Writes calibration files that differ from a valid one (linear names of
quant-outlier-block.mlir, 64 channels each) in one point of JSON syntax or of
the format, for calibration-syntax.test. Each file is named after its point."""
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
ones = ", ".join(["1"] * 64)


def calibration(first_value="1", key0='"main/linear0"', extra="", version="1"):
    return ('{"format": "rescale-calibration", "version": %s, "absmax": {%s: [%s, %s], '
            '"main/linear1": [%s]%s}}' % (version, key0, first_value,
                                           ", ".join(["1"] * 63), ones, extra))


cases = {
    # RFC 8259 numbers: LLVM's JSON used to read these three.
    "trailing-dot": calibration("1."),
    "leading-zero": calibration("01"),
    "bare-fraction": calibration("-.5"),
    # An unpaired low surrogate (LLVM reads U+FFFD; the runtime wrote CESU).
    "lone-low-surrogate": calibration(key0='"main/linear0\\udc00"'),
    # Invalid UTF-8 in a name (the runtime used to copy it).
    "invalid-utf8": calibration(key0='"main/linear0\xff"'),
    # The same linear twice: LLVM kept one, silently.
    "duplicate-key": calibration(extra=', "main/linear1": [%s]' % ones),
    # The same key spelled with an escape is the same key.
    "duplicate-escaped-key": calibration(extra=', "main\\/linear1": [%s]' % ones),
    # U+23600 escaped as a surrogate pair and written as raw UTF-8 is one
    # key (LLVM 22 decoded the pair as U+13600; passes/Calibration.cpp).
    "duplicate-supplementary-key": calibration(
        extra=', "x\\ud84d\\ude00": [1], "x\xf0\xa3\x98\x80": [1]'),
    # Values the compiler refuses; the runtime used to accumulate into them.
    "negative": calibration("-1"),
    "beyond-f32": calibration("1e39"),
    "overflow-to-inf": calibration("1e999"),
}
# Both read these: version 1.0 is version 1; a name with a paired surrogate.
cases["version-1.0"] = calibration(version="1.0")
cases["paired-surrogate"] = calibration(extra=', "other\\ud83d\\ude00": [1]')
# Latin-1 writes each character below 256 as that one byte: the files hold
# exactly the bytes above (ASCII, and the one 0xff).
for name, text in cases.items():
    (out / (name + ".json")).write_bytes(text.encode("latin-1"))
