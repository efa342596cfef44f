"""Operator settings read from the environment."""

from cablemirror.web.site import SiteConfig


def test_defaults_from_an_empty_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for var in ("CABLEMIRROR_SITE_NAME", "CABLEMIRROR_BASE_URL", "CABLEMIRROR_ACCESS_LOG"):
        monkeypatch.delenv(var, raising=False)
    cfg = SiteConfig.from_env()
    assert cfg.name == "cablemirror" and cfg.base_url == "" and cfg.access_log is False


def test_values_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CABLEMIRROR_SITE_NAME", "Cable reading room")
    monkeypatch.setenv("CABLEMIRROR_BASE_URL", "https://cables.example.org/")
    monkeypatch.setenv("CABLEMIRROR_ACCESS_LOG", "1")
    cfg = SiteConfig.from_env()
    assert cfg == SiteConfig("Cable reading room", "https://cables.example.org", True)
