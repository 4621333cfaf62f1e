"""DNS name handling: normalizing, parents, certificate coverage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quirks.cognito.names import (
    certificate_covers,
    decode_route53_name,
    domain_problem,
    fqdn,
    normalize,
    parent_of,
    suffixes,
)

labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
names = st.lists(labels, min_size=2, max_size=5).map(".".join)


@pytest.mark.parametrize(
    ("cert", "domain", "covered"),
    [
        ("auth.example.com", "auth.example.com", True),
        ("AUTH.Example.com.", "auth.example.com", True),
        ("*.example.com", "auth.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.b.example.com", "a.b.example.com", True),
        ("example.com", "auth.example.com", False),
        ("*.example.com", "auth.example.org", False),
        ("*.example.com", "authexample.com", False),
    ],
)
def test_certificate_coverage(cert: str, domain: str, covered: bool) -> None:
    assert certificate_covers(cert, domain) is covered


@given(names, labels)
def test_a_wildcard_covers_exactly_one_level(parent: str, label: str) -> None:
    assert certificate_covers(f"*.{parent}", f"{label}.{parent}")
    assert not certificate_covers(f"*.{parent}", parent)
    assert not certificate_covers(f"*.{parent}", f"{label}.{label}.{parent}")


@given(names)
def test_fqdn_and_route53_decoding_round_trip(name: str) -> None:
    assert decode_route53_name(fqdn(name.upper())) == name


def test_route53_octal_escapes_are_decoded() -> None:
    assert decode_route53_name("\\052.Example.COM.") == "*.example.com"


def test_parents_and_suffixes() -> None:
    assert parent_of("auth.example.com") == "example.com"
    assert parent_of("com") is None
    assert suffixes("a.b.example.com.") == ["a.b.example.com", "b.example.com", "example.com"]
    assert normalize(" Auth.Example.com. ") == "auth.example.com"


@pytest.mark.parametrize(
    ("domain", "problem"),
    [
        ("auth.example.com", None),
        ("login.eu.example.co.uk", None),
        ("example.com", "apex"),
        ("com", "apex"),
        ("", "empty"),
        ("-bad.example.com", "invalid label"),
        ("a_b.example.com", "invalid label"),
        ("a..example.com", "invalid label"),
        ("x" * 64 + ".example.com", "longer than 63"),
        ("x" * 64 + ".com", "longer than 63"),
        (("a." * 130) + "com", "longer than 63"),
        ("auth." + "a" * 50 + ".example.com", "longer than 63"),
    ],
)
def test_domain_problems(domain: str, problem: str | None) -> None:
    found = domain_problem(domain)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found
