import pytest

from notifications.models import SmsSettings


@pytest.fixture
def sender_label(db: None) -> str:
    """The SMS Sender Label Admin > App Portal and SMS would set."""
    settings_row = SmsSettings.load()
    settings_row.sender_label = "Onramp"
    settings_row.save()
    return "Onramp"
