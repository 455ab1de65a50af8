"""Benchmark: signatures per second for each signer (PAdES ECDSA P-256, PAdES RSA-2048, SM2).

Run: ``.venv/bin/python bench/signers.py [--seconds 5]``. Needs no database: the keys are
made in a throw-away key directory, and every signer seals the same one-page result PDF
(a 准予许可决定书 with the seal image and the QR code, as ``results_issue`` renders it).

For each signer it prints signatures/s and p50 per signature, the verification rate
(``pades_check`` against the platform CA, ``ses_check`` for SM2) and, as a floor, the bare
cryptographic operation on a 32-byte digest (cryptography's ECDSA/RSA; gmssl's SM2 sign,
which is pure Python). Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
os.environ.setdefault("ONESTOP_DATA_DIR", tempfile.mkdtemp(prefix="onestop-bench-"))

import django  # noqa: E402

django.setup()

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils  # noqa: E402
from django.conf import settings  # noqa: E402

from onestop.certificates import keys, signers  # noqa: E402
from onestop.certificates.documents import ResultData, result_pdf  # noqa: E402
from onestop.certificates.seal_image import seal_png  # noqa: E402
from onestop.certificates.states import ResultKind  # noqa: E402
from onestop.core import clock  # noqa: E402


def timed(fn: Callable[[], object], seconds: float) -> tuple[float, float, int]:
    """(operations/s, p50 ms, count) of ``fn`` run for about ``seconds``."""
    fn()  # warm up (fonts, CA files, imports)
    samples: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 3:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return len(samples) / sum(samples), statistics.median(samples) * 1000, len(samples)


def material(algorithm: str, png: bytes) -> signers.SealMaterial:
    today = clock.today()
    until = today.replace(year=today.year + 5)
    issued = keys.seal_key_create(
        common_name="行政审批专用章",
        owner="益阳市赫山区行政审批服务局",
        uscc="11430000006122244L",
        valid_from=today,
        valid_to=until,
        algorithm=algorithm,
    )
    sm2 = keys.sm2_seal_key_create(
        common_name="行政审批专用章",
        owner="益阳市赫山区行政审批服务局",
        valid_from=today,
        valid_to=until,
    )
    return signers.SealMaterial(
        name="益阳市赫山区行政审批服务局行政审批专用章",
        owner="益阳市赫山区行政审批服务局",
        es_id="BENCH0001",
        kind_code=2,
        key_ref=issued.key_ref,
        certificate_pem=issued.certificate_pem,
        sm2_key_ref=sm2.key_ref,
        sm2_certificate=sm2.certificate_der,
        image_png=png,
        image_size=(600, 600),
        valid_from=today,
        valid_to=until,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    args = parser.parse_args()
    settings.ONESTOP_CERTIFICATES_KEY_DIR = tempfile.mkdtemp(prefix="onestop-bench-keys-")
    png = seal_png(owner="益阳市赫山区行政审批服务局", kind="行政审批专用章")
    document = result_pdf(
        ResultData(
            kind=ResultKind.APPROVAL_LETTER,
            title="准予许可决定书",
            identifier="1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
            holder_name="益阳市赫山区好味道餐饮有限公司",
            holder_identifier="91430903MA4L000000",
            item="食品经营许可",
            case_number="430903000000-20261203-00001",
            issuer="益阳市赫山区行政审批服务局",
            issued_on=dt.date(2026, 12, 3),
            body="经审查，符合法定条件和标准，决定准予行政许可。",
            verify_url="https://zwfw.example.cn/certificates/v/" + "x" * 32 + "/",
            seal_png=png,
        )
    )
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(f"document: {len(document):,} bytes, {args.seconds:.0f} s per measurement\n")
    print(f"{'signer':<22}{'sign/s':>9}{'p50 ms':>9}{'verify/s':>10}{'floor/s':>10}")
    digest = hashlib.sha256(document).digest()
    for label, algorithm in (
        ("PAdES ECDSA P-256", keys.ECDSA_P256),
        ("PAdES RSA-2048", keys.RSA_2048),
    ):
        seal = material(algorithm, png)
        signer = signers.PadesSigner()
        signed = signer.sign(document, seal, reason="准予许可")
        rate, p50, _n = timed(
            lambda s=seal, g=signer: g.sign(document, s, reason="准予许可"), args.seconds
        )
        verify, _p, _n = timed(lambda d=signed.pdf: signers.pades_check(d), args.seconds)
        key = serialization.load_pem_private_key(keys.key_load_pem(seal.key_ref), password=None)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            floor_fn = lambda k=key: k.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # noqa: E731
        else:
            floor_fn = lambda k=key: k.sign(  # noqa: E731
                digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
            )
        floor, _p, _n = timed(floor_fn, min(args.seconds, 2))
        print(f"{label:<22}{rate:>9.1f}{p50:>9.1f}{verify:>10.1f}{floor:>10.0f}")
    seal = material(keys.ECDSA_P256, png)
    sm2 = signers.Sm2Signer()
    signed = sm2.sign(document, seal, reason="准予许可")
    rate, p50, _n = timed(lambda: sm2.sign(document, seal, reason="准予许可"), args.seconds)
    verify, _p, _n = timed(lambda: signers.ses_check(signed.sm2_signature, document), args.seconds)
    sm2_key = keys.sm2_key_load(seal.sm2_key_ref)
    floor, _p, _n = timed(lambda: keys.sm2_sign(sm2_key, digest), min(args.seconds, 2))
    print(f"{'SM2 SES_Signature':<22}{rate:>9.1f}{p50:>9.1f}{verify:>10.1f}{floor:>10.0f}")
    print(
        "\nsign/s: whole signer on the document; floor/s: the bare signature on a digest "
        "(SM2: gmssl, pure Python, SM3 over 32 bytes)."
    )


if __name__ == "__main__":
    main()
