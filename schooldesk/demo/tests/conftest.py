import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Photos, signatures and scans go to a temporary folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
